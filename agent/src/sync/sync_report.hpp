// SyncReport: the JSON document `sync` prints when it ends (stdout, or the
// --report file): what ran, what it copied and applied, per table, where
// the pipeline's checkpoint is, and the rows the target refused.
// Must not: print a conninfo unmasked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apply/applier.hpp"
#include "idp/initial_copy.hpp"
#include "pg/connection.hpp"
#include "pg/lsn.hpp"
#include "state/dead_letter.hpp"
#include "state/pipeline_record.hpp"
#include "state/table_record.hpp"
#include "state/table_stats.hpp"

namespace tidemark::sync {

// What the run itself knows.
struct RunSummary {
    std::string sync_id;
    std::string source;           // masked conninfo
    std::string destination;      // masked conninfo
    std::int64_t started_at = 0;  // PostgreSQL microseconds
    std::int64_t completed_at = 0;
    std::string status;  // completed, stopped, failed
    std::string pipeline;
    apply::ApplyCounters applied;
    std::vector<idp::TableCopyResult> copied;
    std::optional<pg::Lsn> applied_lsn;
    std::vector<std::string> warnings;
    std::vector<std::string> errors;  // what ended a failed run
};

// What the target's state says, read when the run ends.
struct StateSnapshot {
    std::optional<state::PipelineRecord> pipeline;
    std::vector<state::TableRecord> tables;
    std::vector<state::TableStatsRow> stats;
    std::vector<state::DeadLetterRow> dead_letters;  // this run's
    std::optional<pg::Lsn> origin_progress;
    // This run's conflicts and late arrivals, as the report's JSON objects.
    std::vector<std::string> conflicts;
    std::vector<std::string> late_arrivals;
};

// `since`: when the run started (PostgreSQL microseconds), for the
// conflicts and late arrivals it recorded; none are listed without it.
StateSnapshot read_state(pg::Connection& target, const std::string& pipeline, long long dead_letters_after,
                         std::optional<std::int64_t> since = std::nullopt);

// The same JSON laid out with two-space indentation, one key per line, as
// people read the report on a terminal or in a file.
std::string indent_json(std::string_view compact);

std::string render_report(const RunSummary& run, const std::optional<StateSnapshot>& state);

// A random RFC 4122 version 4 UUID.
std::string new_sync_id();

}  // namespace tidemark::sync
