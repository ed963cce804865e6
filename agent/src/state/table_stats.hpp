// TableStats: the per-table counters of tidemark.table_stats that the sync
// report is built from.  Owns the delta the applier accumulates during one
// target transaction and the single statement that adds it, which runs in
// that same transaction so the counters commit with the rows they count.
// Must not: run statements itself on the apply path (the applier sends
// the statement in its pipeline).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::state {

struct TableStatsDelta {
    long long inserted = 0;
    long long updated = 0;
    long long deleted = 0;
    long long truncated = 0;
    long long dead_lettered = 0;
    std::optional<std::int64_t> last_commit_time;  // PostgreSQL microseconds
    std::optional<pg::Lsn> last_commit_lsn;

    void note_commit(std::int64_t commit_time, pg::Lsn commit_lsn);
    void merge(const TableStatsDelta& other);
    bool empty() const noexcept;
};

// Keyed by source_table ("schema"."name", as in tidemark.tables).
using StatsDeltas = std::map<std::string, TableStatsDelta>;

void merge(StatsDeltas& into, const StatsDeltas& from);

// The upsert adding `deltas` to tidemark.table_stats: one statement for
// every table of the transaction.  Parameters are text.
struct StatsUpsert {
    std::string sql;
    pg::TextParams params;
};
StatsUpsert stats_upsert(std::string_view pipeline, const StatsDeltas& deltas);

struct TableStatsRow {
    std::string source_table;
    long long inserted = 0;
    long long updated = 0;
    long long deleted = 0;
    long long truncated = 0;
    long long dead_lettered = 0;
    std::optional<std::string> last_commit_time;  // ISO 8601
    std::optional<std::string> last_commit_lsn;
};

std::vector<TableStatsRow> load_table_stats(pg::Connection& conn, std::string_view pipeline);

}  // namespace tidemark::state
