// See column_type.hpp.
#include "schema/column_type.hpp"

#include <stdexcept>

namespace tidemark::schema {

std::vector<std::string> column_types(pg::Connection& target, const std::vector<wire::Column>& columns) {
    std::vector<std::string> out(columns.size());
    std::string oids = "{", typmods = "{";
    std::vector<std::size_t> builtin;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (!columns[i].type_name.empty()) {
            out[i] = columns[i].type_name;
            continue;
        }
        if (!builtin.empty()) {
            oids += ',';
            typmods += ',';
        }
        oids += std::to_string(columns[i].type_oid);
        typmods += std::to_string(columns[i].typmod);
        builtin.push_back(i);
    }
    if (builtin.empty()) return out;
    pg::Result r = target.exec_params(
        "SELECT CASE WHEN t.oid IS NULL THEN NULL ELSE pg_catalog.format_type(u.oid, u.typmod) END "
        "FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS u(oid, typmod, n) "
        "LEFT JOIN pg_catalog.pg_type t ON t.oid = u.oid ORDER BY u.n",
        pg::TextParams{oids + "}", typmods + "}"}, "while naming column types on the target");
    if (r.rows() != static_cast<int>(builtin.size()))
        throw std::runtime_error("format_type on the target returned " + std::to_string(r.rows()) + " rows for " +
                                 std::to_string(builtin.size()) + " columns");
    for (std::size_t k = 0; k < builtin.size(); ++k) {
        const wire::Column& c = columns[builtin[k]];
        auto name = r.optional_value(static_cast<int>(k), 0);
        if (!name)
            throw std::runtime_error("column " + c.name + " has built-in type OID " + std::to_string(c.type_oid) +
                                     ", which the target does not know");
        out[builtin[k]] = std::string(*name);
    }
    return out;
}

}  // namespace tidemark::schema
