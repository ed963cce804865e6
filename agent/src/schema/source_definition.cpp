// See source_definition.hpp.
#include "schema/source_definition.hpp"

#include "catalog/table_discovery.hpp"

namespace tidemark::schema {
namespace {

// The table as the change described it: same name, same columns.
bool as_sent(const catalog::SourceTable& table, const wire::Relation& relation) {
    if (table.schema != relation.ns || table.name != relation.name) return false;
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
    std::optional<catalog::SourceTable> table = catalog::find_table(source.connection(), relation.relid);
    if (!table || !as_sent(*table, relation)) return std::nullopt;
    for (auto& c : table->columns)
        if (c.default_expr && c.default_expr->find("nextval(") != std::string::npos) c.default_expr.reset();
    return table;
}

}  // namespace tidemark::schema
