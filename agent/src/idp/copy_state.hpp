// The copy's rows in tidemark.tables and tidemark.copy_chunks on the
// target: what each table's phase is, which chunks are committed, and the
// counters checked at cutover.  Every write that records copied data runs
// in the transaction that holds that data.
// Must not: commit or roll back (callers own the transactions), or touch
// tidemark.pipelines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::idp {

struct TableNames {
    std::string source_table;
    std::string target_table;
    std::uint32_t source_relid = 0;
};

// For the tables about to be copied from a new snapshot: their rows set to
// 'pending' with `high_water_mark` and zero counters, their chunk rows
// deleted, their target tables recorded by OID (state/source_relations);
// and the rows of `forget` deleted.  In the caller's transaction, so it
// all happens or none of it.  Their target tables are emptied after that
// commits (truncate_statements): a run cut short in between finds the
// tables pending and empties them again.
void reset_tables(pg::Connection& target, const std::string& pipeline, const std::vector<TableNames>& tables,
                  pg::Lsn high_water_mark, const std::vector<std::string>& forget);

// TRUNCATE statements that together empty `target_tables`, each for a few
// dozen tables, so that each can commit on its own without holding more
// locks than a server has room for.  Tables linked by a foreign key on the
// target share a statement, as TRUNCATE requires.
std::vector<std::string> truncate_statements(pg::Connection& target, const std::vector<std::string>& target_tables);

// 'pending' -> 'copying', with started_at (autocommit is fine: the phase
// only informs).
void mark_copying(pg::Connection& target, const std::string& pipeline, const std::string& source_table);

void record_source_rows(pg::Connection& target, const std::string& pipeline, const std::string& source_table,
                        std::int64_t rows);

// True when the chunk's row exists: its data is committed.
bool chunk_committed(pg::Connection& target, const std::string& pipeline, const std::string& source_table, int chunk);

struct ChunkRecord {
    int chunk = 0;
    std::optional<std::string> lower_bound;
    std::optional<std::string> upper_bound;
    std::int64_t rows = 0;
    std::int64_t bytes = 0;
    pg::Lsn snapshot_lsn;
};

// The chunk's row and the table's counters, in the chunk's transaction.
void record_chunk(pg::Connection& target, const std::string& pipeline, const std::string& source_table,
                  const ChunkRecord& chunk);

struct TableCounts {
    std::int64_t rows_copied = 0;
    std::int64_t bytes_copied = 0;
    std::optional<std::int64_t> source_rows;
    int chunks = 0;
};

// Locks the table's row for the cutover and reads its counters.
TableCounts lock_table_counts(pg::Connection& target, const std::string& pipeline, const std::string& source_table);

void mark_copied(pg::Connection& target, const std::string& pipeline, const std::string& source_table);

}  // namespace tidemark::idp
