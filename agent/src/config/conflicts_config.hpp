// ConflictsConfig and LateDataConfig: the [conflicts] section (default
// strategy, source priority, [[conflicts.rules]] per table and columns)
// and the [late_data] section (tolerance, clock skew, tombstone
// retention, [[late_data.tables]] version and soft-delete columns).
// Either section being present turns conflict detection on.
// Must not: decide anything (conflict::Policy does, from these values).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::config {

enum class Strategy {
    last_write_wins,  // the newer version (or commit time) wins, ties by source priority then origin name
    source_wins,      // the change is applied
    target_wins,      // the target keeps its row
    manual_review,    // nothing is applied; the conflict waits in tidemark.conflicts as 'pending'
    error,            // the stream stops before the group commits
};

std::string_view to_string(Strategy strategy) noexcept;

// [[conflicts.rules]]: the strategy for some columns of one table.
struct ConflictRule {
    std::string table;  // as written: "schema.table" (unquoted names fold to lower case)
    std::string schema;
    std::string name;
    std::vector<std::string> columns;
    Strategy strategy = Strategy::last_write_wins;
};

struct ConflictsConfig {
    Strategy default_strategy = Strategy::last_write_wins;
    // Source names, earlier ranks higher in last_write_wins ties.
    std::vector<std::string> source_priority;
    std::vector<ConflictRule> rules;
    // Commit times compare at this resolution (0: exactly).  A target
    // transaction holds only source transactions of one step of it, so
    // every row it writes carries a commit time of its own step, whatever
    // the batching: last_write_wins between sources then ends the same in
    // every arrival order, ties going to source_priority.
    std::chrono::microseconds commit_time_resolution{10000};
    // The source name that writes made directly on the target belong to
    // (in a two-way setup: the name the other direction's agent gives this
    // database); empty: a local user, ranking after every source.
    std::string local_source;
};

enum class SoftDeleteMode {
    remove,     // a row whose soft-delete column becomes set is deleted on the target
    propagate,  // it stays an update
};

// [[late_data.tables]]
struct LateDataTable {
    std::string table;
    std::string schema;
    std::string name;
    std::optional<std::string> version_column;
    std::optional<std::string> soft_delete_column;
    SoftDeleteMode soft_delete = SoftDeleteMode::remove;
};

struct LateDataConfig {
    std::chrono::milliseconds tolerance{std::chrono::minutes(5)};
    std::chrono::milliseconds max_clock_skew{std::chrono::minutes(1)};
    std::chrono::milliseconds tombstone_retention{std::chrono::hours(24 * 7)};
    std::vector<LateDataTable> tables;
};

}  // namespace tidemark::config
