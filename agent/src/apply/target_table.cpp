// See target_table.hpp.
#include "apply/target_table.hpp"

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

std::optional<TargetTable> load_target_table(pg::Connection& conn, std::string_view table) {
    std::string what = "while reading the definition of " + std::string(table) + " on the target";
    pg::Result exists =
        conn.exec_params("SELECT pg_catalog.to_regclass($1)::pg_catalog.oid", pg::TextParams{std::string(table)}, what);
    if (exists.is_null(0, 0)) return std::nullopt;
    pg::Result cols = conn.exec_params(
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attgenerated <> '', a.atttypid, "
        "a.atttypmod "
        "FROM pg_catalog.pg_attribute a WHERE a.attrelid = pg_catalog.to_regclass($1) "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        pg::TextParams{std::string(table)}, what);

    TargetTable t;
    t.oid = static_cast<Oid>(std::stoul(std::string(exists.value(0, 0))));
    for (int i = 0; i < cols.rows(); ++i)
        t.columns.push_back(TargetColumn{std::string(cols.value(i, 0)), std::string(cols.value(i, 1)),
                                         cols.value(i, 2) == "t",
                                         static_cast<Oid>(std::stoul(std::string(cols.value(i, 3)))),
                                         static_cast<std::int32_t>(std::stol(std::string(cols.value(i, 4))))});

    pg::Result keys = conn.exec_params(
        "SELECT array_agg(a.attname ORDER BY k.n) "
        "FROM pg_catalog.pg_index i "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = pg_catalog.to_regclass($1) AND i.indisunique AND i.indimmediate AND i.indisvalid "
        "AND i.indisready AND i.indislive AND i.indpred IS NULL AND i.indexprs IS NULL AND k.n <= i.indnkeyatts "
        "GROUP BY i.indexrelid, i.indisprimary "
        "HAVING bool_and(a.attnotnull) "
        "ORDER BY i.indisprimary DESC, count(*), i.indexrelid",
        pg::TextParams{std::string(table)}, what);
    for (int i = 0; i < keys.rows(); ++i) t.unique_keys.push_back(parse_name_array(keys.value(i, 0)));
    return t;
}

}  // namespace tidemark::apply
