// The selected source tables whose UPDATEs and DELETEs the target cannot
// apply: their WAL records carry nothing that finds the row (REPLICA
// IDENTITY NOTHING, DEFAULT without a primary key, or USING INDEX of an
// index since dropped).  PostgreSQL's publisher refuses such changes on
// the source; logical decoding without a publication lets them through,
// and every one of them would end as a dead letter on the target.
// Partitions are checked one by one (each logs its own identity) and
// selected by their root's name, as the stream sends them.
// Must not: decide anything; check-config reports what it finds.
#pragma once

#include <string>
#include <vector>

#include "catalog/table_pattern.hpp"
#include "pg/connection.hpp"

namespace tidemark::catalog {

struct UnidentifiedTable {
    std::string table;      // "schema"."name" as the stream names it (a partition's root)
    std::string partition;  // "schema"."name" of the partition, when the table is partitioned
    std::string fix;        // the statement, or what to do
};

std::vector<UnidentifiedTable> tables_without_row_identity(pg::Connection& source, const TableFilter& filter);

// What makes the WAL of `table` (quoted, qualified, on the source)
// identify its rows.
std::string replica_identity_fix(const std::string& table, bool has_primary_key);

}  // namespace tidemark::catalog
