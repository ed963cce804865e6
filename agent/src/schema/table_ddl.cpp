// See table_ddl.hpp.
#include "schema/table_ddl.hpp"

#include <stdexcept>

#include "pg/quoting.hpp"

namespace tidemark::schema {

std::string create_table_sql(std::string_view table, const wire::Relation& relation,
                             const std::vector<std::string>& types) {
    if (types.size() != relation.columns.size())
        throw std::invalid_argument("create_table_sql: " + std::to_string(types.size()) + " types for " +
                                    std::to_string(relation.columns.size()) + " columns");
    std::string sql = "CREATE TABLE " + std::string(table) + " (";
    std::string key;
    for (std::size_t i = 0; i < relation.columns.size(); ++i) {
        const wire::Column& c = relation.columns[i];
        if (i) sql += ", ";
        sql += pg::quote_identifier(c.name) + " " + types[i];
        if (c.not_null) sql += " NOT NULL";
        if (c.primary_key) {
            if (!key.empty()) key += ", ";
            key += pg::quote_identifier(c.name);
        }
    }
    if (!key.empty()) sql += ", PRIMARY KEY (" + key + ")";
    return sql + ")";
}

std::string create_schema_sql(std::string_view schema) {
    return "CREATE SCHEMA IF NOT EXISTS " + pg::quote_identifier(schema);
}

std::vector<std::string> add_column_sql(std::string_view table, std::string_view column, std::string_view type,
                                        const std::optional<std::string>& existing_rows) {
    std::string add =
        "ALTER TABLE " + std::string(table) + " ADD COLUMN " + pg::quote_identifier(column) + " " + std::string(type);
    if (!existing_rows) return {add};
    return {add + " DEFAULT " + pg::quote_literal(*existing_rows) + "::" + std::string(type),
            "ALTER TABLE " + std::string(table) + " ALTER COLUMN " + pg::quote_identifier(column) + " DROP DEFAULT"};
}

}  // namespace tidemark::schema
