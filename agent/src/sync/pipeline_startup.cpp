// See pipeline_startup.hpp.
#include "sync/pipeline_startup.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

#include "catalog/table_discovery.hpp"
#include "catalog/unmatched_patterns.hpp"
#include "checkpoint/copy_origin.hpp"
#include "checkpoint/replication_origin.hpp"
#include "log/event.hpp"
#include "pg/connection.hpp"
#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "pg/transaction.hpp"
#include "state/state_schema.hpp"
#include "state/state_validation.hpp"
#include "state/state_version.hpp"
#include "state/table_record.hpp"
#include "stream/replication_connection.hpp"
#include "stream/slot_info.hpp"
#include "sync/sync_error.hpp"

namespace tidemark::sync {
namespace {

using state::PipelinePhase;
using state::PipelineRecord;

pg::Connection connect_target(const config::Config& config) {
    pg::ConnectOptions o;
    o.application_name = "tidemark";
    return pg::Connection::connect(config.target.conninfo, o);
}

pg::Connection connect_source(const config::Config& config) {
    pg::ConnectOptions o;
    o.application_name = "tidemark";
    return pg::Connection::connect(config.source.conninfo, o);
}

std::string sql_literal(std::string_view s) { return pg::quote_literal(s); }

// Said before anything else (an initial copy can take hours); nothing when
// the source cannot be read now: the start then fails on its own terms.
std::optional<std::string> unmatched_include_warning(const config::Config& config) {
    if (config.source.include.empty()) return std::nullopt;
    try {
        pg::Connection source = connect_source(config);
        auto unmatched = catalog::unmatched_patterns(config.source.include, catalog::list_table_names(source));
        if (unmatched.empty()) return std::nullopt;
        std::string warning = catalog::describe(unmatched);
        log::warn(warning, {{"pipeline", pipeline_name(config)}});
        return warning;
    } catch (const pg::DatabaseError& e) {
        log::debug("could not check the include patterns against the source", {{"error", e.what()}});
        return std::nullopt;
    }
}

stream::CreatedSlot create_slot(stream::ReplicationConnection& repl, const std::string& slot,
                                stream::CreateSlotOptions options, const std::string& pipeline) {
    try {
        return repl.create_slot(slot, options);
    } catch (const pg::DatabaseError& e) {
        if (e.sqlstate() == "42710")
            throw SyncError("replication slot " + slot +
                            " already exists on the source, but the target holds no "
                            "state for pipeline " +
                            pipeline + "; drop the slot (SELECT pg_drop_replication_slot(" + sql_literal(slot) +
                            ")) to start over, or set startup_mode = \"specific\" with a "
                            "start_lsn to stream from it");
        throw;
    }
}

// Records the pipeline of a slot this run has just created.  When that
// fails the slot is dropped again, on the connection that created it: it
// holds nothing anyone consumed, and left behind it would stop the next
// attempt ("already exists, but the target holds no state").
template <typename Record>
void record_or_drop(stream::ReplicationConnection& repl, const std::string& slot, Record&& record) {
    try {
        record();
    } catch (...) {
        try {
            repl.drop_slot(slot, false);
            log::warn("could not record the new pipeline on the target; dropped the slot it had just created",
                      {{"slot", slot}});
        } catch (const std::exception& e) {
            log::warn(
                "could not record the new pipeline on the target, nor drop the slot it had just created; "
                "drop it before the next start (tidemark slot drop --yes)",
                {{"slot", slot}, {"error", e.what()}});
        }
        throw;
    }
}

void drop_slot_if_exists(const config::Config& config, const std::string& slot) {
    pg::Connection source = connect_source(config);
    auto info = stream::slot_info(source, slot);
    if (!info) return;
    if (info->active)
        throw SyncError("replication slot " + slot + " is in use (by PID " +
                        (info->active_pid ? std::to_string(*info->active_pid) : std::string("unknown")) +
                        "); stop whatever is streaming from it first");
    auto repl = stream::ReplicationConnection::connect(config.source.conninfo);
    repl.drop_slot(slot, false);
}

// The copy is finished: the origin starts at the slot's consistent point,
// in the transaction that says so.
void finish_copy(pg::Connection& target, const PipelineRecord& record, int keep_versions) {
    checkpoint::ReplicationOrigin origin(record.origin_name);
    pg::in_transaction(target, "while marking the copy finished", [&] {
        origin.create_if_missing(target);
        if (record.consistent_point) origin.advance(target, *record.consistent_point);
        state::set_pipeline_phase(target, record.name, PipelinePhase::streaming);
        state::record_state_version(target, record.name, "copy finished; streaming", keep_versions);
    });
}

void finish_initial_only(const config::Config& config, pg::Connection& target, PipelineRecord& record) {
    if (record.slot_created_by_agent) {
        drop_slot_if_exists(config, record.slot_name);
        log::info("initial_only: the copy is done; dropped the replication slot", {{"slot", record.slot_name}});
    }
    pg::in_transaction(target, "while marking the pipeline done", [&] {
        state::set_pipeline_phase(target, record.name, PipelinePhase::done);
        state::record_state_version(target, record.name, "initial_only finished", config.state.keep_versions);
    });
    record.phase = PipelinePhase::done;
}

// A temporary slot's name: unique per process and moment, valid as a slot
// name (lower case, digits, underscores, at most 63 characters).
std::string temporary_slot_name() {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return "tidemark_tmp_" + std::to_string(::getpid()) + "_" + std::to_string(now % 1000000000);
}

// Tables still to copy on a resume: those the copy had not finished, and
// those the patterns select now that the copy never recorded (it may have
// died before recording them all).
std::vector<std::string> tables_to_copy(const config::Config& config, pg::Connection& target,
                                        const std::string& pipeline, const idp::Snapshot& snapshot) {
    std::set<std::string> done;
    for (const auto& t : state::load_tables(target, pipeline))
        if (t.phase == "copied") done.insert(t.source_table);
    std::vector<std::string> out = idp::unfinished_tables(target, pipeline);
    pg::Connection source = connect_source(config);
    idp::begin_in_snapshot(source, snapshot);
    for (const auto& t : catalog::list_tables(source, config.source.include, config.source.exclude)) {
        std::string name = t.qualified();
        if (!done.count(name) && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    source.exec("COMMIT", "while ending the snapshot transaction");
    return out;
}

// The state row of a pipeline this run starts.
PipelineRecord new_pipeline(const config::Config& config, const std::string& name, PipelinePhase phase,
                            pg::Lsn consistent_point, bool slot_created_by_agent) {
    PipelineRecord r;
    r.name = name;
    r.slot_name = config.source.slot;
    r.origin_name = checkpoint::origin_name_for(name);
    r.startup_mode = std::string(config::to_string(config.sync.startup_mode));
    r.phase = phase;
    r.consistent_point = consistent_point;
    r.slot_created_by_agent = slot_created_by_agent;
    return r;
}

// Records a pipeline that streams from `from` without a copy, with its
// origin already there, in one transaction.
void record_streaming_pipeline(pg::Connection& target, const PipelineRecord& r, pg::Lsn from, int keep_versions) {
    checkpoint::ReplicationOrigin origin(r.origin_name);
    pg::in_transaction(target, "while recording the pipeline", [&] {
        state::insert_pipeline(target, r);
        origin.create_if_missing(target);
        origin.advance(target, from);
        state::record_state_version(target, r.name, "pipeline created; streaming", keep_versions);
    });
}

PipelineStart fresh_copy(const config::Config& config, pg::Connection& target, const std::string& name,
                         idp::ProgressDisplay display, std::stop_token stop) {
    PipelineStart start;
    auto repl = stream::ReplicationConnection::connect(config.source.conninfo);
    auto slot = create_slot(repl, config.source.slot, {stream::SlotSnapshot::export_snapshot, false}, name);
    start.record = new_pipeline(config, name, PipelinePhase::copying, slot.consistent_point, true);
    PipelineRecord& r = start.record;
    record_or_drop(repl, r.slot_name, [&] {
        pg::in_transaction(target, "while recording the pipeline", [&] {
            state::insert_pipeline(target, r);
            state::record_state_version(target, r.name, "pipeline created; copying", config.state.keep_versions);
        });
    });
    log::info("created the replication slot with an exported snapshot; copying the tables",
              {{"pipeline", name}, {"slot", r.slot_name}, {"consistent_point", slot.consistent_point.to_string()}});

    idp::Snapshot snapshot{slot.snapshot_name, slot.consistent_point};
    start.copy = idp::run_initial_copy(config, name, snapshot, {}, display, stop);
    idp::copy_sequences(config, snapshot);
    finish_copy(target, r, config.state.keep_versions);
    r.phase = PipelinePhase::streaming;
    start.fallback_start = slot.consistent_point;
    if (config.sync.startup_mode == config::StartupMode::initial_only) {
        // The exporting connection must end before its slot can be dropped.
        repl.connection().close();
        finish_initial_only(config, target, r);
        start.finished = true;
    }
    return start;
}

PipelineStart fresh_latest(const config::Config& config, pg::Connection& target, const std::string& name) {
    PipelineStart start;
    auto repl = stream::ReplicationConnection::connect(config.source.conninfo);
    auto slot = create_slot(repl, config.source.slot, {stream::SlotSnapshot::noexport, false}, name);
    start.record = new_pipeline(config, name, PipelinePhase::streaming, slot.consistent_point, true);
    const PipelineRecord& r = start.record;
    record_or_drop(repl, r.slot_name,
                   [&] { record_streaming_pipeline(target, r, slot.consistent_point, config.state.keep_versions); });
    log::info("created the replication slot; streaming from its creation point (latest: nothing is copied)",
              {{"pipeline", name}, {"slot", r.slot_name}, {"lsn", slot.consistent_point.to_string()}});
    start.fallback_start = slot.consistent_point;
    return start;
}

PipelineStart fresh_specific(const config::Config& config, pg::Connection& target, const std::string& name) {
    const std::string& slot = config.source.slot;
    if (!config.sync.start_lsn) throw SyncError("startup_mode = \"specific\" needs [sync] start_lsn");
    pg::Lsn lsn = *config.sync.start_lsn;
    {
        pg::Connection source = connect_source(config);
        auto info = stream::slot_info(source, slot);
        if (!info)
            throw SyncError("replication slot " + slot +
                            " does not exist on the source; startup_mode = \"specific\" "
                            "streams from an existing slot: create it (SELECT pg_create_logical_replication_slot(" +
                            sql_literal(slot) + ", 'tidemark')) or use startup_mode = \"latest\"");
        if (info->slot_type != "logical" || info->plugin != "tidemark")
            throw SyncError("replication slot " + slot + " uses output plugin \"" + info->plugin +
                            "\", not tidemark; create a slot with plugin tidemark");
        if (info->wal_status == "lost")
            throw SyncError("replication slot " + slot +
                            " has lost the WAL it needs (wal_status = lost): its changes cannot be streamed any "
                            "more; drop it (tidemark slot drop --yes) and start over with startup_mode = \"initial\", "
                            "which copies the tables again");
        if (info->confirmed_flush_lsn && *info->confirmed_flush_lsn > lsn)
            throw SyncError("start_lsn " + lsn.to_string() + " is behind replication slot " + slot +
                            ", whose confirmed_flush_lsn is " + info->confirmed_flush_lsn->to_string() +
                            ": changes before that were confirmed and are gone; use a start_lsn at or after it");
    }
    PipelineStart start;
    start.record = new_pipeline(config, name, PipelinePhase::streaming, lsn, false);
    record_streaming_pipeline(target, start.record, lsn, config.state.keep_versions);
    log::info("streaming from the existing slot at the given start_lsn",
              {{"pipeline", name}, {"slot", slot}, {"start_lsn", lsn.to_string()}});
    start.fallback_start = lsn;
    return start;
}

PipelineStart resume(const config::Config& config, pg::Connection& target, PipelineRecord record,
                     idp::ProgressDisplay display, std::stop_token stop) {
    checkpoint::ReplicationOrigin origin(record.origin_name);
    auto progress = origin.progress(target);
    pg::Lsn from = progress ? *progress : record.consistent_point.value_or(pg::Lsn());
    log::info("resuming pipeline " + record.name + " from " + from.to_string() +
                  " (state found on the target; --reset starts over)",
              {{"phase", std::string(state::to_string(record.phase))}, {"slot", record.slot_name}});
    PipelineStart start;
    start.resumed = true;
    const auto mode = config.sync.startup_mode;
    if (record.startup_mode != config::to_string(mode))
        start.notes.push_back("pipeline " + record.name + " was started with startup_mode = \"" + record.startup_mode +
                              "\"; it resumes where it is");

    if (record.phase == PipelinePhase::done) {
        if (mode != config::StartupMode::initial_only)
            throw SyncError("pipeline " + record.name +
                            " finished an initial_only copy and its slot was dropped; "
                            "run with --reset to start over");
        log::info("pipeline already finished its initial_only copy; nothing to do", {{"pipeline", record.name}});
        start.record = std::move(record);
        start.finished = true;
        return start;
    }

    if (record.slot_name != config.source.slot)
        throw SyncError("pipeline " + record.name + " streams from slot " + record.slot_name +
                        " but the configuration names slot " + config.source.slot + "; run with --reset to switch");
    {
        pg::Connection source = connect_source(config);
        if (!stream::slot_info(source, record.slot_name))
            throw SyncError("replication slot " + record.slot_name + " of pipeline " + record.name +
                            " no longer exists on the source; changes since " + from.to_string() +
                            " are lost to this pipeline; run with --reset to copy again");
    }

    if (record.phase == PipelinePhase::copying) {
        // The exported snapshot died with the agent: the unfinished tables
        // are copied again from a temporary slot's snapshot (its
        // consistent point becomes their high-water mark).
        auto repl = stream::ReplicationConnection::connect(config.source.conninfo);
        auto tmp = repl.create_slot(temporary_slot_name(), {stream::SlotSnapshot::export_snapshot, true});
        idp::Snapshot snapshot{tmp.snapshot_name, tmp.consistent_point};
        auto unfinished = tables_to_copy(config, target, record.name, snapshot);
        if (!unfinished.empty()) {
            log::info(
                "copying the tables the interrupted copy had not finished",
                {{"tables", std::to_string(unfinished.size())}, {"snapshot_lsn", tmp.consistent_point.to_string()}});
            start.copy = idp::run_initial_copy(config, record.name, snapshot, unfinished, display, stop);
        }
        idp::copy_sequences(config, snapshot);
        finish_copy(target, record, config.state.keep_versions);
        record.phase = PipelinePhase::streaming;
    }
    start.fallback_start = record.consistent_point.value_or(pg::Lsn());
    if (mode == config::StartupMode::initial_only) {
        finish_initial_only(config, target, record);
        start.finished = true;
    }
    start.record = std::move(record);
    return start;
}

}  // namespace

std::string pipeline_name(const config::Config& config) {
    return config.source.name.empty() ? config.source.slot : config.source.name;
}

std::vector<std::string> reset_pipeline(const config::Config& config, bool keep_slot) {
    const std::string name = pipeline_name(config);
    pg::Connection target = connect_target(config);
    state::ensure_state_schema(target);
    auto record = state::load_pipeline(target, name);
    checkpoint::ReplicationOrigin origin(record ? record->origin_name : checkpoint::origin_name_for(name));
    if (!record) {
        bool dropped = origin.drop_if_exists(target);
        int copy_origins = checkpoint::drop_copy_origins(target, origin.name());
        log::info("--reset: no state found for pipeline " + name + " on the target; nothing to reset",
                  {{"origin_dropped", dropped ? "yes" : "no"}, {"copy_origins_dropped", std::to_string(copy_origins)}});
        return {};
    }
    std::string slot_note = "kept (not created by tidemark)";
    if (keep_slot) {
        slot_note = "kept (as asked)";
    } else if (record->slot_created_by_agent) {
        drop_slot_if_exists(config, record->slot_name);
        slot_note = "dropped";
    }
    bool dropped = origin.drop_if_exists(target);
    int copy_origins = checkpoint::drop_copy_origins(target, origin.name());
    state::DeletedState deleted;
    pg::in_transaction(target, "while deleting the pipeline's state",
                       [&] { deleted = state::delete_pipeline_state(target, name); });
    log::info("--reset: the state of pipeline " + name + " was deleted; it starts over as configured",
              {{"slot", record->slot_name + " " + slot_note},
               {"origin", record->origin_name + (dropped ? " dropped" : " absent")},
               {"copy_origins_dropped", std::to_string(copy_origins)},
               {"deleted_tables", std::to_string(deleted.tables)},
               {"deleted_stats", std::to_string(deleted.stats)}});
    return {"--reset: the state of pipeline " + name + " was deleted (slot " + slot_note + ") and it started over"};
}

namespace {

PipelineStart start_or_resume(const config::Config& config, idp::ProgressDisplay display, std::stop_token stop) {
    const std::string name = pipeline_name(config);
    pg::Connection target = connect_target(config);
    state::ensure_state_schema(target);
    auto record = state::load_pipeline(target, name);
    if (record) {
        // A state that does not hold together stops the start here, or is
        // repaired when [state] auto_repair allows it.
        auto repaired = state::enforce_valid_state(config, target, *record);
        if (!repaired.empty()) record = state::load_pipeline(target, name);
        if (!record) throw SyncError("pipeline " + name + " disappeared from tidemark.pipelines while it was repaired");
        PipelineStart start = resume(config, target, std::move(*record), display, stop);
        start.notes.insert(start.notes.begin(), repaired.begin(), repaired.end());
        return start;
    }
    switch (config.sync.startup_mode) {
        case config::StartupMode::initial:
        case config::StartupMode::initial_only:
            return fresh_copy(config, target, name, display, stop);
        case config::StartupMode::latest:
            return fresh_latest(config, target, name);
        case config::StartupMode::specific:
            return fresh_specific(config, target, name);
    }
    throw SyncError("unknown startup_mode");
}

}  // namespace

PipelineStart start_pipeline(const config::Config& config, idp::ProgressDisplay display, std::stop_token stop) {
    auto unmatched = unmatched_include_warning(config);
    PipelineStart start = start_or_resume(config, display, stop);
    if (unmatched) start.notes.push_back(*unmatched);
    return start;
}

}  // namespace tidemark::sync
