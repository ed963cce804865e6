// See target_table.hpp.
#include "apply/target_table.hpp"

#include "pg/quoting.hpp"

namespace tidemark::apply {
namespace {

// A name array as text (array_out form of name[]), e.g. {id,"a b"}.
std::vector<std::string> parse_name_array(std::string_view text) {
    std::vector<std::string> out;
    if (text.size() < 2 || text.front() != '{' || text.back() != '}') return out;
    std::string_view body = text.substr(1, text.size() - 2);
    std::size_t i = 0;
    while (i < body.size()) {
        std::string item;
        if (body[i] == '"') {
            ++i;
            while (i < body.size() && body[i] != '"') {
                if (body[i] == '\\' && i + 1 < body.size()) ++i;
                item += body[i++];
            }
            ++i;  // closing quote
        } else {
            while (i < body.size() && body[i] != ',') item += body[i++];
        }
        out.push_back(std::move(item));
        if (i < body.size() && body[i] == ',') ++i;
    }
    return out;
}

}  // namespace

const TargetColumn* TargetTable::column(std::string_view name) const noexcept {
    for (const auto& c : columns)
        if (c.name == name) return &c;
    return nullptr;
}

namespace {

// `found`: the table's OID and name, one row or none.  The columns and keys
// are then read by that OID.
std::optional<TargetTable> load(pg::Connection& conn, const pg::Result& found, const std::string& what) {
    if (found.rows() == 0) return std::nullopt;
    TargetTable t;
    t.oid = static_cast<Oid>(std::stoul(std::string(found.value(0, 0))));
    t.name = pg::quote_qualified(found.value(0, 1), found.value(0, 2));
    t.has_rules = found.value(0, 3) == "t";
    pg::TextParams oid{std::to_string(t.oid)};
    pg::Result cols = conn.exec_params(
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attgenerated <> '', a.atttypid, "
        "a.atttypmod, a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '', "
        "(WITH RECURSIVE d(oid, base) AS ("
        "SELECT t.oid, t.typbasetype FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid "
        "UNION ALL SELECT t.oid, t.typbasetype FROM d JOIN pg_catalog.pg_type t ON t.oid = d.base) "
        "SELECT pg_catalog.format_type(d.oid, -1) FROM d WHERE d.base = 0) "
        "FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::pg_catalog.oid "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        oid, what);
    for (int i = 0; i < cols.rows(); ++i)
        t.columns.push_back(TargetColumn{std::string(cols.value(i, 0)), std::string(cols.value(i, 1)),
                                         cols.value(i, 2) == "t",
                                         static_cast<Oid>(std::stoul(std::string(cols.value(i, 3)))),
                                         static_cast<std::int32_t>(std::stol(std::string(cols.value(i, 4)))),
                                         cols.value(i, 5) == "t", std::string(cols.value(i, 6))});

    pg::Result keys = conn.exec_params(
        "SELECT array_agg(a.attname ORDER BY k.n) "
        "FROM pg_catalog.pg_index i "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = $1::pg_catalog.oid AND i.indisunique AND i.indimmediate AND i.indisvalid "
        "AND i.indisready AND i.indislive AND i.indpred IS NULL AND i.indexprs IS NULL AND k.n <= i.indnkeyatts "
        "GROUP BY i.indexrelid, i.indisprimary "
        "HAVING bool_and(a.attnotnull) "
        "ORDER BY i.indisprimary DESC, count(*), i.indexrelid",
        oid, what);
    for (int i = 0; i < keys.rows(); ++i) t.unique_keys.push_back(parse_name_array(keys.value(i, 0)));
    return t;
}

constexpr std::string_view kFindSql =
    "SELECT c.oid, n.nspname, c.relname, c.relhasrules FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ";

}  // namespace

std::optional<TargetTable> load_target_table(pg::Connection& conn, std::string_view table) {
    std::string what = "while reading the definition of " + std::string(table) + " on the target";
    pg::Result found = conn.exec_params(std::string(kFindSql) + "c.oid = pg_catalog.to_regclass($1)",
                                        pg::TextParams{std::string(table)}, what);
    return load(conn, found, what);
}

std::optional<TargetTable> load_target_table(pg::Connection& conn, Oid oid) {
    std::string what = "while reading the definition of table " + std::to_string(oid) + " on the target";
    // An OID can have been taken since by another kind of relation.
    pg::Result found =
        conn.exec_params(std::string(kFindSql) + "c.oid = $1::pg_catalog.oid AND c.relkind IN ('r', 'p')",
                         pg::TextParams{std::to_string(oid)}, what);
    return load(conn, found, what);
}

}  // namespace tidemark::apply
