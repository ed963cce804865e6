// See table_reseed.hpp.
#include "sync/table_reseed.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "catalog/table_discovery.hpp"
#include "catalog/table_pattern.hpp"
#include "log/event.hpp"
#include "pg/connection.hpp"
#include "state/pipeline_record.hpp"
#include "state/state_schema.hpp"
#include "state/table_record.hpp"
#include "stream/replication_connection.hpp"
#include "sync/pipeline_startup.hpp"
#include "sync/sync_error.hpp"

namespace tidemark::sync {
namespace {

// Unique per process and moment; a valid slot name.
std::string reseed_slot_name() {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return "tidemark_reseed_" + std::to_string(::getpid()) + "_" + std::to_string(now % 1000000000);
}

bool has_wildcard(const std::string& item) { return item.find('*') != std::string::npos; }

// The source tables of the pipeline that `requested` names, as
// tidemark.tables spells them; every item without a wildcard must name one.
std::vector<std::string> resolve(const config::Config& config, const idp::Snapshot& snapshot,
                                 const std::vector<std::string>& requested) {
    std::vector<std::string> out;
    if (requested.empty()) return out;
    pg::Connection source = idp::open_source_in_snapshot(config.source.conninfo, snapshot);
    auto tables = catalog::list_tables(source, config.source.include, config.source.exclude);
    source.exec("COMMIT", "while ending the snapshot transaction");
    for (const auto& item : requested) {
        bool found = false;
        for (const auto& pattern : catalog::TablePattern::parse_list(item))
            for (const auto& t : tables)
                if (pattern.matches(t.schema, t.name)) {
                    found = true;
                    if (std::find(out.begin(), out.end(), t.qualified()) == out.end()) out.push_back(t.qualified());
                }
        if (!found && !has_wildcard(item))
            throw SyncError("--reseed " + item + ": pipeline " + pipeline_name(config) +
                            " streams no such table (it does not exist on the source, or the pipeline's "
                            "include/exclude leave it out); name it as schema.table");
        if (!found) log::warn("--reseed " + item + " matches none of the pipeline's tables", {{"pattern", item}});
    }
    return out;
}

}  // namespace

std::vector<std::string> reseed_items_for(const config::PipelineConfig& pipeline,
                                          const std::vector<std::string>& requested) {
    std::vector<std::string> out;
    for (const auto& item : requested)
        if (catalog::shared_table({{item}, {}}, {pipeline.include, pipeline.exclude})) out.push_back(item);
    return out;
}

ReseedResult reseed_tables(const config::Config& config, const std::vector<std::string>& requested, int jobs,
                           idp::ProgressDisplay display, std::stop_token stop) {
    ReseedResult result;
    const std::string name = pipeline_name(config);
    pg::ConnectOptions o;
    o.application_name = "tidemark";
    pg::Connection target = pg::Connection::connect(config.target.conninfo, o);
    state::ensure_state_schema(target);
    auto record = state::load_pipeline(target, name);
    if (!record || record->phase == state::PipelinePhase::copying) {
        if (!requested.empty())
            result.notes.push_back("--reseed: pipeline " + name +
                                   " has not finished its first copy, which copies the tables asked for anyway");
        return result;
    }
    if (record->phase == state::PipelinePhase::done) {
        if (requested.empty()) return result;
        throw SyncError("--reseed: pipeline " + name +
                        " finished an initial_only copy and its slot was dropped; run with --reset to copy again");
    }
    std::vector<std::string> unfinished;
    for (const auto& t : state::load_tables(target, name))
        if (t.phase != "copied") unfinished.push_back(t.source_table);
    if (requested.empty() && unfinished.empty()) return result;

    // The exported snapshot lives as long as this connection stays open
    // and idle, which it does until the copy is over; the slot is
    // temporary and goes with it.
    auto repl = stream::ReplicationConnection::connect(config.source.conninfo);
    auto slot = repl.create_slot(reseed_slot_name(), {stream::SlotSnapshot::export_snapshot, true});
    idp::Snapshot snapshot{slot.snapshot_name, slot.consistent_point};
    std::vector<std::string> tables = resolve(config, snapshot, requested);
    for (const auto& t : unfinished) {
        if (std::find(tables.begin(), tables.end(), t) != tables.end()) continue;
        log::warn("a re-seed of this table did not finish; copying it again before streaming",
                  {{"pipeline", name}, {"table", t}});
        tables.push_back(t);
    }
    if (tables.empty()) return result;
    log::info("re-seeding: copying tables again from a new snapshot; the stream skips what the copy holds",
              {{"pipeline", name},
               {"tables", std::to_string(tables.size())},
               {"snapshot_lsn", slot.consistent_point.to_string()}});
    config::Config sized = config;
    sized.sync.copy_jobs = std::max(1, std::min(jobs, config.sync.copy_jobs));
    idp::CopyResult copy = idp::run_initial_copy(sized, name, snapshot, tables, display, stop);
    std::string list;
    for (const auto& t : copy.tables) list += (list.empty() ? "" : ", ") + t.source_table;
    result.notes.push_back("--reseed: pipeline " + name + " copied again " + list + " (high-water mark " +
                           slot.consistent_point.to_string() + ")");
    result.copied = std::move(copy.tables);
    return result;
}

}  // namespace tidemark::sync
