// See state_command.hpp.
#include "cli/state_command.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "apply/json_text.hpp"
#include "checkpoint/replication_origin.hpp"
#include "cli/exit_codes.hpp"
#include "cli/text_table.hpp"
#include "pg/connection.hpp"
#include "pg/database_error.hpp"
#include "state/pipeline_record.hpp"
#include "state/state_export.hpp"
#include "state/state_rollback.hpp"
#include "state/state_schema.hpp"
#include "state/state_validation.hpp"
#include "state/state_version.hpp"
#include "state/table_record.hpp"
#include "stream/slot_info.hpp"
#include "sync/pipeline_lock.hpp"
#include "sync/pipeline_startup.hpp"
#include "sync/sync_report.hpp"

namespace tidemark::cli {
namespace {

using apply::json_string;
using apply::JsonObject;

pg::Connection connect(const std::string& conninfo) {
    pg::ConnectOptions options;
    options.application_name = "tidemark state";
    return pg::Connection::connect(conninfo, options);
}

std::string lsn_text(const std::optional<pg::Lsn>& lsn) { return lsn ? lsn->to_string() : std::string(); }
std::string json_lsn(const std::optional<pg::Lsn>& lsn) { return lsn ? json_string(lsn->to_string()) : "null"; }

std::string config_file(const config::Config& config) {
    return config.path.empty() ? std::string("FILE") : config.path.string();
}

// What the state command needs to know about the slot, when the source
// answers.
struct SlotView {
    std::optional<stream::SlotInfo> info;
    std::string error;  // the source could not be asked
};

SlotView read_slot(const config::Config& config, const std::string& slot) {
    SlotView view;
    try {
        pg::Connection source = connect(config.source.conninfo);
        view.info = stream::slot_info(source, slot);
    } catch (const pg::DatabaseError& e) {
        view.error = e.what();
    }
    return view;
}

// A version a rollback may go to: it was streaming, and the slot still
// has every change after its origin LSN.
bool rollback_possible(const state::StateVersion& v, const std::optional<stream::SlotInfo>& slot) {
    return v.phase == "streaming" && v.origin_lsn && slot && slot->wal_status != "lost" &&
           (!slot->confirmed_flush_lsn || *v.origin_lsn >= *slot->confirmed_flush_lsn);
}

// Takes the pipeline's lock for the life of `target` and checks that no
// agent streams from the slot; the refusal's text otherwise.
std::optional<std::string> refuse_if_driven(pg::Connection& target, const config::Config& config,
                                            const std::string& pipeline, const std::string& slot) {
    if (!sync::try_lock_pipeline(target, pipeline)) {
        auto holder = sync::lock_holder(target, pipeline);
        return "an agent is driving pipeline " + pipeline + (holder ? " (" + sync::describe(*holder) + ")" : "") +
               "; stop it first (the state must not change under it)";
    }
    SlotView view = read_slot(config, slot);
    if (view.info && view.info->active)
        return "replication slot " + slot + " is in use" +
               (view.info->active_pid ? " by process " + std::to_string(*view.info->active_pid) : std::string()) +
               " on the source (a running tidemark sync?); stop it first";
    return std::nullopt;
}

std::optional<state::PipelineRecord> load_or_say(pg::Connection& target, const std::string& pipeline,
                                                 std::ostream& err) {
    auto record = state::load_pipeline(target, pipeline);
    if (!record)
        err << "tidemark: the target holds no state for pipeline " << pipeline
            << " (no sync has run, or it was reset)\n";
    return record;
}

int show(const config::Config& config, const StateOptions& options, std::ostream& out, std::ostream& err) {
    const std::string name = sync::pipeline_name(config);
    pg::Connection target = connect(config.target.conninfo);
    state::ensure_state_schema(target);
    auto record = load_or_say(target, name, err);
    if (!record) return kExitFailure;
    const auto& p = *record;
    auto progress = checkpoint::ReplicationOrigin(p.origin_name).progress(target);
    auto versions = state::load_state_versions(target, name);
    auto tables = state::load_tables(target, name);
    SlotView slot = read_slot(config, p.slot_name);
    std::map<std::string, int> by_phase;
    for (const auto& t : tables) ++by_phase[t.phase];
    std::vector<long long> window;
    for (const auto& v : versions)
        if (rollback_possible(v, slot.info)) window.push_back(v.version);

    if (options.json) {
        JsonObject o;
        o.str("pipeline", p.name).str("phase", state::to_string(p.phase)).str("startup_mode", p.startup_mode);
        o.num("state_version", p.state_version);
        o.raw("consistent_point", json_lsn(p.consistent_point));
        o.raw("origin", JsonObject().str("name", p.origin_name).raw("progress", json_lsn(progress)).text());
        JsonObject s;
        s.str("name", p.slot_name).boolean("created_by_agent", p.slot_created_by_agent);
        if (slot.info) {
            s.boolean("exists", true)
                .raw("confirmed_flush_lsn", json_lsn(slot.info->confirmed_flush_lsn))
                .raw("restart_lsn", json_lsn(slot.info->restart_lsn))
                .str("wal_status", slot.info->wal_status)
                .boolean("active", slot.info->active);
        } else if (slot.error.empty()) {
            s.boolean("exists", false);
        } else {
            s.null("exists").str("error", slot.error);
        }
        o.raw("slot", s.text());
        JsonObject t;
        for (const auto& [phase, n] : by_phase) t.num(phase, static_cast<long long>(n));
        o.num("tables", static_cast<long long>(tables.size())).raw("tables_by_phase", t.text());
        if (!versions.empty())
            o.raw("latest_version", JsonObject()
                                        .num("version", versions.front().version)
                                        .str("taken_at", versions.front().taken_at)
                                        .str("reason", versions.front().reason)
                                        .raw("origin_lsn", json_lsn(versions.front().origin_lsn))
                                        .text());
        std::vector<std::string> w;
        for (long long v : window) w.push_back(std::to_string(v));
        o.num("versions_kept", static_cast<long long>(versions.size())).raw("rollback_versions", apply::json_array(w));
        out << sync::indent_json(o.text()) << "\n";
        return kExitDone;
    }
    out << "pipeline        " << p.name << "\n"
        << "phase           " << state::to_string(p.phase) << "\n"
        << "startup_mode    " << p.startup_mode << "\n"
        << "state_version   " << p.state_version << "\n"
        << "consistent      " << lsn_text(p.consistent_point) << "\n"
        << "origin          " << p.origin_name << ", progress " << (progress ? progress->to_string() : "none") << "\n"
        << "slot            " << p.slot_name
        << (p.slot_created_by_agent ? " (created by tidemark)" : " (not created by tidemark)") << "\n";
    if (slot.info)
        out << "  on the source confirmed_flush_lsn " << lsn_text(slot.info->confirmed_flush_lsn) << ", restart_lsn "
            << lsn_text(slot.info->restart_lsn) << ", wal_status " << slot.info->wal_status
            << (slot.info->active ? ", in use" : ", not in use") << "\n";
    else if (slot.error.empty())
        out << "  on the source MISSING (see docs/runbooks/lost-slot.md)\n";
    else
        out << "  on the source unknown: " << slot.error << "\n";
    out << "tables          " << tables.size();
    std::string sep = " (";
    for (const auto& [phase, n] : by_phase) {
        out << sep << n << " " << phase;
        sep = ", ";
    }
    out << (by_phase.empty() ? "" : ")") << "\n";
    if (!versions.empty()) {
        const auto& v = versions.front();
        out << "latest version  " << v.version << " taken " << v.taken_at << " (" << v.reason << "), origin "
            << (v.origin_lsn ? v.origin_lsn->to_string() : "none") << "\n";
    }
    out << "versions kept   " << versions.size() << " (keep_versions = " << config.state.keep_versions << ")\n";
    out << "rollback to     ";
    if (window.empty())
        out << "no version (the slot retains none of their positions)\n";
    else
        out << "version " << window.back() << " to " << window.front() << "\n";
    return kExitDone;
}

int history(const config::Config& config, const StateOptions& options, std::ostream& out, std::ostream& err) {
    const std::string name = sync::pipeline_name(config);
    pg::Connection target = connect(config.target.conninfo);
    state::ensure_state_schema(target);
    auto record = load_or_say(target, name, err);
    if (!record) return kExitFailure;
    auto versions = state::load_state_versions(target, name);
    SlotView slot = read_slot(config, record->slot_name);
    if (options.json) {
        std::vector<std::string> items;
        for (const auto& v : versions)
            items.push_back(JsonObject()
                                .num("version", v.version)
                                .str("taken_at", v.taken_at)
                                .str("reason", v.reason)
                                .str("phase", v.phase)
                                .raw("origin_lsn", json_lsn(v.origin_lsn))
                                .boolean("rollback_possible", rollback_possible(v, slot.info))
                                .text());
        out << sync::indent_json(apply::json_array(items)) << "\n";
        return kExitDone;
    }
    std::vector<std::vector<std::string>> rows{{"version", "taken_at", "phase", "origin_lsn", "rollback", "reason"}};
    for (const auto& v : versions)
        rows.push_back({std::to_string(v.version), v.taken_at, v.phase, lsn_text(v.origin_lsn),
                        rollback_possible(v, slot.info) ? "yes" : "no", v.reason});
    print_text_table(out, rows);
    if (!slot.error.empty()) out << "(the source could not be asked about the slot: " << slot.error << ")\n";
    return kExitDone;
}

void print_validation(const state::StateValidation& v, const std::vector<std::string>& repaired, bool json,
                      std::ostream& out) {
    if (json) {
        std::vector<std::string> checked, problems, done;
        for (const auto& c : v.checked) checked.push_back(json_string(c));
        for (const auto& p : v.problems)
            problems.push_back(JsonObject()
                                   .str("check", p.check)
                                   .str("problem", p.problem)
                                   .str("fix", p.fix)
                                   .boolean("repairable", p.fixable())
                                   .text());
        for (const auto& r : repaired) done.push_back(json_string(r));
        out << sync::indent_json(JsonObject()
                                     .str("pipeline", v.pipeline)
                                     .boolean("has_state", v.has_state)
                                     .boolean("valid", v.ok())
                                     .raw("checked", apply::json_array(checked))
                                     .raw("problems", apply::json_array(problems))
                                     .raw("repaired", apply::json_array(done))
                                     .text())
            << "\n";
        return;
    }
    for (const auto& r : repaired) out << r << "\n";
    if (!v.has_state && v.ok()) {
        out << "pipeline " << v.pipeline << ": no state on the target; the next sync starts it as startup_mode says\n";
        return;
    }
    std::string checks;
    for (const auto& c : v.checked) checks += (checks.empty() ? "" : ", ") + c;
    if (v.ok()) {
        out << "pipeline " << v.pipeline << ": the state is valid (checked " << checks << ")\n";
        return;
    }
    out << "pipeline " << v.pipeline << ": " << v.problems.size() << " problem" << (v.problems.size() == 1 ? "" : "s")
        << " (checked " << checks << ")\n"
        << state::describe_problems(v);
}

int validate(const config::Config& config, const StateOptions& options, std::ostream& out, std::ostream& err) {
    const std::string name = sync::pipeline_name(config);
    pg::Connection target = connect(config.target.conninfo);
    pg::Connection source = connect(config.source.conninfo);
    state::StateValidation v = state::validate_state(target, source, name);
    std::vector<std::string> repaired;
    if (options.repair && !v.ok()) {
        if (!v.all_fixable()) {
            print_validation(v, {}, options.json, out);
            err << "tidemark: nothing was repaired: some problems cannot be repaired by tidemark (see each fix)\n";
            return kExitFailure;
        }
        auto record = state::load_pipeline(target, name);
        if (auto refusal = refuse_if_driven(target, config, name, record ? record->slot_name : config.source.slot)) {
            err << "tidemark: not repairing: " << *refusal << "\n";
            return kExitFailure;
        }
        repaired = state::repair_state(target, v, config.state.keep_versions);
        v = state::validate_state(target, source, name);
    }
    print_validation(v, repaired, options.json, out);
    if (!v.ok() && !options.repair && v.all_fixable())
        err << "tidemark: `tidemark state validate --repair -c " << config_file(config)
            << "` repairs these (or set [state] auto_repair = true)\n";
    return v.ok() ? kExitDone : kExitFailure;
}

int rollback(const config::Config& config, const StateOptions& options, std::ostream& out, std::ostream& err) {
    const std::string name = sync::pipeline_name(config);
    const long long wanted = *options.version;
    pg::Connection target = connect(config.target.conninfo);
    state::ensure_state_schema(target);
    auto record = load_or_say(target, name, err);
    if (!record) return kExitFailure;
    if (auto refusal = refuse_if_driven(target, config, name, record->slot_name)) {
        err << "tidemark: not rolling back: " << *refusal << "\n";
        return kExitFailure;
    }
    auto version = state::load_state_version(target, name, wanted);
    if (!version) {
        std::string kept;
        for (const auto& v : state::load_state_versions(target, name))
            kept += (kept.empty() ? "" : ", ") + std::to_string(v.version);
        err << "tidemark: pipeline " << name << " has no version " << wanted
            << " (kept: " << (kept.empty() ? "none" : kept) << "; `tidemark state history` lists them)\n";
        return kExitFailure;
    }
    if (version->phase != "streaming" || !version->origin_lsn) {
        err << "tidemark: version " << wanted << " was taken while the pipeline was " << version->phase
            << "; a rollback goes back to a streaming version only (to copy again: `tidemark state reset --yes`)\n";
        return kExitFailure;
    }
    pg::Connection source = connect(config.source.conninfo);
    auto slot = stream::slot_info(source, record->slot_name);
    if (!slot) {
        err << "tidemark: not rolling back: replication slot " << record->slot_name
            << " does not exist on the source, so no change can be streamed again (docs/runbooks/lost-slot.md)\n";
        return kExitFailure;
    }
    if (!rollback_possible(*version, slot)) {
        err << "tidemark: not rolling back to version " << wanted << ": replication slot " << record->slot_name
            << " no longer retains the WAL from the version's LSN " << version->origin_lsn->to_string()
            << " (its confirmed_flush_lsn is " << lsn_text(slot->confirmed_flush_lsn) << ", its restart_lsn "
            << lsn_text(slot->restart_lsn) << ", wal_status " << slot->wal_status
            << "); a logical slot cannot stream from before its confirmed_flush_lsn. Versions the slot still "
               "retains are marked in `tidemark state history`\n";
        return kExitFailure;
    }
    auto result = state::rollback_to_version(target, name, *version, config.state.keep_versions);
    out << "rolled pipeline " << name << " back to version " << wanted << ": origin " << record->origin_name
        << " set to " << version->origin_lsn->to_string() << ", recorded as version " << result.recorded.version
        << "\nthe next `tidemark sync` streams again from " << version->origin_lsn->to_string()
        << " and re-applies what followed (harmless for tables with a key)\n";
    if (!result.keyless_tables.empty()) {
        out << "warning: these target tables have no primary key or replica identity index: rows inserted after "
               "the version will be inserted again:";
        for (const auto& t : result.keyless_tables) out << " " << t;
        out << "\n";
    }
    return kExitDone;
}

int reset(const config::Config& config, const StateOptions& options, std::ostream& out, std::ostream& err) {
    const std::string name = sync::pipeline_name(config);
    if (!options.yes) {
        err << "tidemark: not resetting pipeline " << name
            << " without --yes: its state on the target is deleted, its origin dropped and, when tidemark created "
               "it, its replication slot dropped (--keep-slot keeps it); the next sync starts over as "
               "startup_mode says; add --yes to reset\n";
        return kExitBadConfig;
    }
    pg::Connection target = connect(config.target.conninfo);
    state::ensure_state_schema(target);
    auto record = state::load_pipeline(target, name);
    if (auto refusal = refuse_if_driven(target, config, name, record ? record->slot_name : config.source.slot)) {
        err << "tidemark: not resetting: " << *refusal << "\n";
        return kExitFailure;
    }
    auto notes = sync::reset_pipeline(config, options.keep_slot);
    if (notes.empty()) {
        out << "the target holds no state for pipeline " << name << "; nothing to reset\n";
        return kExitDone;
    }
    out << "reset pipeline " << name << ": its state on the target was deleted, origin "
        << (record ? record->origin_name : std::string()) << " dropped; replication slot "
        << (record ? record->slot_name : std::string()) << " "
        << (options.keep_slot || !record || !record->slot_created_by_agent ? "kept" : "dropped")
        << "; the next sync starts over as startup_mode says\n";
    return kExitDone;
}

int export_to_file(const config::Config& config, const StateOptions& options, std::ostream& out, std::ostream& err) {
    const std::string name = sync::pipeline_name(config);
    pg::Connection target = connect(config.target.conninfo);
    state::ensure_state_schema(target);
    auto document = state::export_state(target, name);
    if (!document) {
        err << "tidemark: the target holds no state for pipeline " << name << "; nothing to export\n";
        return kExitFailure;
    }
    const auto& path = *options.file;
    if (path == "-") {
        out << *document;
        return kExitDone;
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << *document;
    file.close();
    if (!file) {
        err << "tidemark: could not write " << path.string() << "\n";
        return kExitFailure;
    }
    out << "exported the state of pipeline " << name << " to " << path.string() << "\n";
    return kExitDone;
}

int import_from_file(const config::Config& config, const StateOptions& options, std::ostream& out, std::ostream& err) {
    const std::string name = sync::pipeline_name(config);
    const auto& path = *options.file;
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        err << "tidemark: cannot read " << path.string() << "\n";
        return kExitFailure;
    }
    std::ostringstream text;
    text << file.rdbuf();
    const std::string document = text.str();

    pg::Connection target = connect(config.target.conninfo);
    state::ensure_state_schema(target);
    state::ExportHeader h;
    try {
        h = state::read_export_header(target, document);
    } catch (const std::runtime_error& e) {
        err << "tidemark: not importing " << path.string() << ": " << e.what() << "\n";
        return kExitFailure;
    }
    if (h.pipeline != name) {
        err << "tidemark: not importing: " << path.string() << " holds the state of pipeline " << h.pipeline
            << ", but this configuration drives pipeline " << name << " ([source] name)\n";
        return kExitFailure;
    }
    if (h.slot_name != config.source.slot) {
        err << "tidemark: not importing: the state streams from slot " << h.slot_name
            << ", but this configuration names slot " << config.source.slot << "\n";
        return kExitFailure;
    }
    auto existing = state::load_pipeline(target, name);
    if (existing && !options.force) {
        err << "tidemark: not importing: the target already holds state for pipeline " << name << " (phase "
            << state::to_string(existing->phase) << ", state_version " << existing->state_version
            << "); --force replaces it\n";
        return kExitFailure;
    }
    if (auto refusal = refuse_if_driven(target, config, name, h.slot_name)) {
        err << "tidemark: not importing: " << *refusal << "\n";
        return kExitFailure;
    }
    if (h.phase != "done") {
        pg::Connection source = connect(config.source.conninfo);
        auto slot = stream::slot_info(source, h.slot_name);
        if (!slot) {
            err << "tidemark: not importing: replication slot " << h.slot_name
                << " does not exist on the source, so the imported state could not continue "
                   "(docs/runbooks/lost-slot.md)\n";
            return kExitFailure;
        }
        if (h.phase == "streaming" && h.origin_lsn && slot->confirmed_flush_lsn &&
            *slot->confirmed_flush_lsn > *h.origin_lsn) {
            err << "tidemark: not importing: the state's origin position " << h.origin_lsn->to_string()
                << " is behind replication slot " << h.slot_name << "'s confirmed_flush_lsn "
                << slot->confirmed_flush_lsn->to_string() << " (restart_lsn " << lsn_text(slot->restart_lsn)
                << "): the changes in between can no longer be streamed\n";
            return kExitFailure;
        }
    }
    auto recorded = state::import_state(target, document, existing.has_value(), path.filename().string(),
                                        config.state.keep_versions);
    out << "imported the state of pipeline " << name << " from " << path.string() << " (phase " << h.phase
        << ", origin " << (h.origin_lsn ? h.origin_lsn->to_string() : std::string("none")) << ", " << h.tables
        << " tables, " << h.versions << " versions), recorded as version " << recorded.version << "\n";
    return kExitDone;
}

}  // namespace

int run_state(const config::Config& config, const StateOptions& options, std::ostream& out, std::ostream& err) {
    switch (options.action) {
        case StateAction::show:
            return show(config, options, out, err);
        case StateAction::history:
            return history(config, options, out, err);
        case StateAction::validate:
            return validate(config, options, out, err);
        case StateAction::rollback:
            return rollback(config, options, out, err);
        case StateAction::reset:
            return reset(config, options, out, err);
        case StateAction::export_state:
            return export_to_file(config, options, out, err);
        case StateAction::import_state:
            return import_from_file(config, options, out, err);
    }
    return kExitBadConfig;
}

}  // namespace tidemark::cli
