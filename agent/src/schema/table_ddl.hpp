// Target DDL built from a RELATION message: CREATE TABLE for a table the
// target lacks (startup modes that copy nothing, or a table created on the
// source after the copy) and ALTER TABLE ... ADD COLUMN for columns added
// on the source (auto_add_columns).  Owns the SQL text only; every name
// is quoted.  Must not: run anything (the applier runs it inside its
// transaction, so the DDL commits with the rows that need it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/message.hpp"

namespace tidemark::schema {

// `table` is the quoted, qualified target name; `types` the SQL type of
// each column (schema::column_types).  Columns keep the source's NOT NULL
// and primary key; nothing else (defaults, checks, indexes) is known.
std::string create_table_sql(std::string_view table, const wire::Relation& relation,
                             const std::vector<std::string>& types);

std::string create_schema_sql(std::string_view schema);

// ADD COLUMN, so that the rows already there hold `existing_rows` (the
// text form of what the source's older rows read, AddedColumnValues): a
// constant DEFAULT, then dropped, since the target needs no default the
// source's rows do not.  One statement, or two.
std::vector<std::string> add_column_sql(std::string_view table, std::string_view column, std::string_view type,
                                        const std::optional<std::string>& existing_rows);

}  // namespace tidemark::schema
