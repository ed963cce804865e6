// PipelineOverview: what the target's tidemark schema says about one
// pipeline at a glance (phase, tables and their copy progress, the
// checkpoint, conflicts waiting for review, dead letters, the state's
// size), read with a handful of queries.  `tidemark status` and the
// agent's state poller share it.
// Must not: change anything, or need the agent to be running.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"
#include "state/pipeline_record.hpp"
#include "state/table_record.hpp"

namespace tidemark::state {

struct PipelineOverview {
    bool schema_exists = false;
    std::optional<PipelineRecord> pipeline;  // nullopt: never started
    std::vector<TableRecord> tables;
    // The origin's progress: the last source position committed on the target.
    std::optional<pg::Lsn> checkpoint_lsn;
    // Source commit time of the last change applied (PostgreSQL microseconds).
    std::optional<std::int64_t> last_applied_commit_time;
    std::optional<long long> pending_reviews;  // nullopt before the conflicts layout
    long long dead_letters = 0;
    std::optional<std::int64_t> state_bytes;  // when asked for
};

PipelineOverview read_pipeline_overview(pg::Connection& target, std::string_view pipeline, bool with_size);

// Bytes used by every table of the tidemark schema (indexes and TOAST
// included), all pipelines together.
std::int64_t state_size(pg::Connection& target);

}  // namespace tidemark::state
