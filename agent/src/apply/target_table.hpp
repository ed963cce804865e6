// TargetTable: what the target's catalogs say about the table changes are
// applied to: its columns with their types, and the unique keys an
// upsert can name in ON CONFLICT (the primary key first, then unique
// indexes that are immediate, non-partial, on plain NOT NULL columns).
// Must not: change the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"

namespace tidemark::apply {

struct TargetColumn {
    std::string name;
    std::string type;  // format_type(atttypid, atttypmod)
    bool generated = false;
    Oid type_oid = 0;
    std::int32_t typmod = -1;
    // NOT NULL without a default: a row that does not name it is refused.
    bool required = false;
    // The type under its domains, without a length or precision
    // (format_type(oid, -1): "bpchar", not "character", which is char(1)):
    // what text values are cast to (see ColumnInfo::text_cast).
    std::string base_type;
};

struct TargetTable {
    Oid oid = 0;
    std::string name;  // "schema"."name", as the target's catalogs say now
    std::vector<TargetColumn> columns;
    std::vector<std::vector<std::string>> unique_keys;  // column names, primary key first
    bool has_rules = false;                             // MERGE refuses a table with any rule

    const TargetColumn* column(std::string_view name) const noexcept;
};

// nullopt when no such table exists.  `table` is a quoted, qualified name.
std::optional<TargetTable> load_target_table(pg::Connection& conn, std::string_view table);
// The table with this OID, whatever it is called now; nullopt when no
// table has it.
std::optional<TargetTable> load_target_table(pg::Connection& conn, Oid oid);

}  // namespace tidemark::apply
