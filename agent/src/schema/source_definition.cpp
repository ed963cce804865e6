// See source_definition.hpp.
#include "schema/source_definition.hpp"

#include "catalog/table_discovery.hpp"
#include "catalog/table_pattern.hpp"
#include "pg/quoting.hpp"

namespace tidemark::schema {
namespace {

bool same_columns(const catalog::SourceTable& table, const wire::Relation& relation) {
    std::size_t i = 0;
    for (const auto& c : table.columns) {
        if (c.generated) continue;
        if (i == relation.columns.size()) return false;
        const wire::Column& sent = relation.columns[i++];
        if (c.name != sent.name || c.type_oid != sent.type_oid || c.typmod != sent.typmod) return false;
    }
    return i == relation.columns.size();
}

}  // namespace

std::optional<catalog::SourceTable> definition_as_sent(SourceCatalog& source, const wire::Relation& relation) {
    pg::Connection& conn = source.connection();
    // list_tables sets search_path for its transaction only.
    conn.exec("BEGIN", "while reading a table's definition on the source");
    std::vector<catalog::SourceTable> tables;
    try {
        tables =
            catalog::list_tables(conn, catalog::TableFilter({pg::quote_qualified(relation.ns, relation.name)}, {}));
        conn.exec("COMMIT", "while reading a table's definition on the source");
    } catch (...) {
        conn.close();  // ends the transaction; the catalog reconnects when next needed
        throw;
    }
    if (tables.size() != 1 || !same_columns(tables.front(), relation)) return std::nullopt;
    catalog::SourceTable table = std::move(tables.front());
    for (auto& c : table.columns)
        if (c.default_expr && c.default_expr->find("nextval(") != std::string::npos) c.default_expr.reset();
    return table;
}

}  // namespace tidemark::schema
