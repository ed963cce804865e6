// See row_statements.hpp.
#include "conflict_review/row_statements.hpp"

#include <stdexcept>

#include "pg/quoting.hpp"

namespace tidemark::conflict_review {
namespace {

std::string record(const std::string& table, std::string_view param, std::string_view alias) {
    return "jsonb_populate_record(NULL::" + table + ", " + std::string(param) + "::jsonb) AS " + std::string(alias);
}

// t."a" = k."a" AND t."b" = k."b"
std::string key_match(const std::vector<std::string>& key_columns) {
    if (key_columns.empty()) throw std::invalid_argument("a conflict's record key names no column");
    std::string out;
    for (const auto& c : key_columns) {
        if (!out.empty()) out += " AND ";
        std::string q = pg::quote_identifier(c);
        out += "t." + q + " = k." + q;
    }
    return out;
}

}  // namespace

std::string RowStatements::update(const std::vector<std::string>& columns) const {
    if (columns.empty()) throw std::invalid_argument("an UPDATE needs at least one column");
    std::string set;
    for (const auto& c : columns) {
        if (!set.empty()) set += ", ";
        std::string q = pg::quote_identifier(c);
        set += q + " = v." + q;
    }
    return "UPDATE " + table + " AS t SET " + set + " FROM " + record(table, "$1", "v") + ", " +
           record(table, "$2", "k") + " WHERE " + key_match(key_columns);
}

std::string RowStatements::insert(const std::vector<std::string>& columns) const {
    if (columns.empty()) throw std::invalid_argument("an INSERT needs at least one column");
    std::string list, select;
    for (const auto& c : columns) {
        if (!list.empty()) {
            list += ", ";
            select += ", ";
        }
        std::string q = pg::quote_identifier(c);
        list += q;
        select += "v." + q;
    }
    return "INSERT INTO " + table + " (" + list + ") OVERRIDING SYSTEM VALUE SELECT " + select +
           " FROM jsonb_populate_record(NULL::" + table + ", $1::jsonb || $2::jsonb) AS v";
}

std::string RowStatements::delete_row() const {
    return "DELETE FROM " + table + " AS t USING " + record(table, "$1", "k") + " WHERE " + key_match(key_columns);
}

std::string RowStatements::select_row() const {
    return "SELECT to_jsonb(t) FROM " + table + " AS t, " + record(table, "$1", "k") + " WHERE " +
           key_match(key_columns);
}

}  // namespace tidemark::conflict_review
