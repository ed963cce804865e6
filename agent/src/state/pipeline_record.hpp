// PipelineRecord: one row of tidemark.pipelines (which slot, which origin,
// which phase, the slot's consistent point) and the statements that read
// and change it.  Must not: decide what a phase change means (sync/ does).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::state {

enum class PipelinePhase {
    copying,    // the Initial Data Package is not finished
    streaming,  // the copy is done (or was never needed); the stream applies
    done,       // initial_only finished: nothing more to do
};

std::string_view to_string(PipelinePhase phase) noexcept;
// Throws std::invalid_argument for text the table's CHECK would refuse.
PipelinePhase parse_pipeline_phase(std::string_view text);

struct PipelineRecord {
    std::string name;
    std::string slot_name;
    std::string origin_name;
    std::string startup_mode;
    PipelinePhase phase = PipelinePhase::copying;
    std::optional<pg::Lsn> consistent_point;
    bool slot_created_by_agent = false;
    long long state_version = 1;
};

std::optional<PipelineRecord> load_pipeline(pg::Connection& conn, std::string_view name);
void insert_pipeline(pg::Connection& conn, const PipelineRecord& record);
// Sets the phase, bumps state_version and updated_at.
void set_pipeline_phase(pg::Connection& conn, std::string_view name, PipelinePhase phase);
void set_consistent_point(pg::Connection& conn, std::string_view name, pg::Lsn lsn);

struct DeletedState {
    long long pipelines = 0;
    long long tables = 0;
    long long stats = 0;
};

// Deletes the pipeline's row (its tables and chunks cascade) and its
// statistics; dead letters are kept, they hold rows found nowhere else.
DeletedState delete_pipeline_state(pg::Connection& conn, std::string_view name);

}  // namespace tidemark::state
