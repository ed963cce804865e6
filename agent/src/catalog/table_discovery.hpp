// Discovery of the tables to copy, on a source connection whose current
// transaction sees the snapshot (idp::begin_in_snapshot).  Owns the rules
// for what is a candidate: ordinary and partitioned tables that are not
// partitions, not temporary or unlogged, not members of an extension, and
// not in a system schema or tidemark's own.
// Must not: start or end transactions (the caller's snapshot is in use).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/source_table.hpp"
#include "catalog/table_pattern.hpp"
#include "pg/connection.hpp"

namespace tidemark::catalog {

// The WHERE clause that makes `c` (pg_class) in `n` (its pg_namespace) a
// candidate table.
inline constexpr std::string_view kCandidateTablesWhere = R"SQL(
 WHERE c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND c.relpersistence = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'tidemark')
   AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
)SQL";

// The selected tables with their columns, keys, checks, indexes and sizes,
// ordered by schema and name.  Sets search_path = '' for the rest of the
// transaction so every name read back comes schema-qualified.
std::vector<SourceTable> list_tables(pg::Connection& source_in_snapshot, const TableFilter& filter);
// Same, with the [source] include/exclude patterns; throws
// std::invalid_argument for a bad pattern.
std::vector<SourceTable> list_tables(pg::Connection& source_in_snapshot, const std::vector<std::string>& include,
                                     const std::vector<std::string>& exclude);

// The candidate table with this OID, as list_tables describes it; on a
// connection with search_path = '' (any transaction); nullopt when no
// candidate table has it.
std::optional<SourceTable> find_table(pg::Connection& source, std::uint32_t relid);

struct TableName {
    std::string schema;
    std::string name;
};

// Every candidate table's name, whatever the patterns; on any connection.
std::vector<TableName> list_table_names(pg::Connection& source);

}  // namespace tidemark::catalog
