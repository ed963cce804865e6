// State validation: whether one pipeline's state on the target holds
// together with itself and with its slot on the source, and the repairs
// of what can be repaired without losing or duplicating a change.
// Checks: the layout is current; the slot exists, uses the tidemark
// plugin and still has its WAL; the origin exists while streaming, its
// progress (the checkpoint) is not behind the slot's confirmed_flush_lsn
// nor behind the latest version; the pipeline's state_version has its
// version and no version is newer; a 'copied' table has a high-water
// mark; a table is 'pending' or 'copying' only while the pipeline copies;
// copy_chunks belong to known tables; table_stats rows belong to known
// pipelines.
// Runs at every start (sync) and from `tidemark state validate`.
// Must not: repair anything validate_state did not report, or repair an
// unfixable problem by guessing.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "pg/connection.hpp"
#include "pg/lsn.hpp"
#include "state/pipeline_record.hpp"

namespace tidemark::state {

enum class Repair {
    none,                  // not fixable by the agent
    migrate_layout,        // run the layout migrations
    advance_origin,        // create the origin if missing, move it to `lsn`
    set_high_water_mark,   // a copied table's mark from its chunks' snapshot
    delete_orphan_chunks,  // copy_chunks of tables the pipeline does not have
    delete_orphan_stats,   // table_stats of pipelines that do not exist
    raise_state_version,   // state_version up to the newest version
    record_version,        // record the current state under state_version
};

struct StateProblem {
    std::string check;    // layout, slot, origin, versions, tables, chunks, stats
    std::string problem;  // what is wrong, with the values found
    std::string fix;      // what the repair does, or what the operator can do
    Repair repair = Repair::none;
    std::optional<pg::Lsn> lsn;  // advance_origin: where to
    std::string table;           // set_high_water_mark: which source table

    bool fixable() const noexcept { return repair != Repair::none; }
};

struct StateValidation {
    std::string pipeline;
    bool has_state = false;            // the pipeline has a row
    std::vector<std::string> checked;  // the checks that ran
    std::vector<StateProblem> problems;

    bool ok() const noexcept { return problems.empty(); }
    bool all_fixable() const noexcept;
};

// Reads the target's state and the pipeline's slot on `source`; changes
// nothing.
StateValidation validate_state(pg::Connection& target, pg::Connection& source, std::string_view pipeline);

// Repairs every fixable problem of `validation` in one target transaction
// and records a version saying so.  Returns one line per repair.
std::vector<std::string> repair_state(pg::Connection& target, const StateValidation& validation, int keep_versions);

// Every problem on its own line, with its fix.
std::string describe_problems(const StateValidation& validation);

class StateInvalid : public std::runtime_error {
public:
    explicit StateInvalid(const std::string& message) : std::runtime_error(message) {}
};

// At start: validates the pipeline's state; when it is not valid, repairs
// it if [state] auto_repair is on and every problem is fixable (returning
// what was repaired), else throws StateInvalid naming each problem, its
// fix, `tidemark state validate` and auto_repair.
std::vector<std::string> enforce_valid_state(const config::Config& config, pg::Connection& target,
                                             const PipelineRecord& record);

}  // namespace tidemark::state
