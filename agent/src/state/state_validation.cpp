// See state_validation.hpp.
#include "state/state_validation.hpp"

#include "checkpoint/replication_origin.hpp"
#include "log/event.hpp"
#include "pg/transaction.hpp"
#include "state/state_schema.hpp"
#include "state/state_version.hpp"
#include "stream/slot_info.hpp"

namespace tidemark::state {
namespace {

std::string lsn_text(const std::optional<pg::Lsn>& lsn) { return lsn ? lsn->to_string() : std::string("none"); }

void add(StateValidation& v, std::string check, std::string problem, std::string fix, Repair repair = Repair::none,
         std::optional<pg::Lsn> lsn = std::nullopt, std::string table = {}) {
    v.problems.push_back(
        StateProblem{std::move(check), std::move(problem), std::move(fix), repair, std::move(lsn), std::move(table)});
}

// The layout found on the target: 0 when there is no state schema.
int layout_version(pg::Connection& target) {
    pg::Result exists = target.exec("SELECT pg_catalog.to_regclass('tidemark.state_format') IS NOT NULL",
                                    "while looking for tidemark's state on the target");
    if (exists.value(0, 0) != "t") return 0;
    pg::Result r = target.exec("SELECT coalesce(max(version), 0) FROM tidemark.state_format",
                               "while reading the layout of tidemark's state");
    return std::stoi(std::string(r.value(0, 0)));
}

void check_slot(StateValidation& v, pg::Connection& source, const PipelineRecord& p,
                std::optional<stream::SlotInfo>& slot, const std::optional<pg::Lsn>& progress) {
    v.checked.push_back("slot");
    slot = stream::slot_info(source, p.slot_name);
    // initial_only drops the slot it created when the copy is done.
    if (p.phase == PipelinePhase::done) return;
    const std::string runbook = " (docs/runbooks/lost-slot.md)";
    if (!slot) {
        add(v, "slot",
            "replication slot " + p.slot_name + " of pipeline " + p.name +
                " does not exist on the source; the changes after " +
                lsn_text(progress ? progress : p.consistent_point) + " can no longer be streamed to this pipeline",
            "copy again: `tidemark state reset --yes` then `tidemark sync` with startup_mode = \"initial\"; or, "
            "when the target may keep a gap, startup_mode = \"latest\"" +
                runbook);
        return;
    }
    if (slot->slot_type != "logical" || slot->plugin != "tidemark")
        add(v, "slot", "replication slot " + p.slot_name + " uses output plugin \"" + slot->plugin + "\", not tidemark",
            "drop it and start over with `tidemark state reset --yes` (the slot was replaced by "
            "something else)" +
                runbook);
    if (slot->wal_status == "lost")
        add(v, "slot",
            "replication slot " + p.slot_name +
                " has lost the WAL it needs (wal_status = lost); its changes cannot be streamed",
            "drop it (`tidemark slot drop --yes`) and copy again with `tidemark state reset --yes` "
            "then `tidemark sync`" +
                runbook);
}

void check_origin(StateValidation& v, pg::Connection& target, const PipelineRecord& p,
                  const std::optional<stream::SlotInfo>& slot, const std::optional<pg::Lsn>& progress,
                  const std::optional<pg::Lsn>& latest) {
    if (p.phase != PipelinePhase::streaming) return;
    v.checked.push_back("origin");
    checkpoint::ReplicationOrigin origin(p.origin_name);
    const bool exists = origin.exists(target);
    std::optional<pg::Lsn> confirmed = slot ? slot->confirmed_flush_lsn : std::nullopt;
    // Where a repair moves the origin: the latest version's position was
    // committed on the target when the version was taken.
    std::optional<pg::Lsn> known = latest ? latest : p.consistent_point;
    auto streamable = [&](const std::optional<pg::Lsn>& lsn) { return lsn && (!confirmed || *lsn >= *confirmed); };
    const std::string reapply = "; changes after it are applied again (harmless for tables with a key)";

    if (!exists || !progress) {
        std::string what = "replication origin " + p.origin_name +
                           (exists ? " has no progress" : " does not exist on the target") + " while pipeline " +
                           p.name + " streams";
        if (streamable(known))
            add(v, "origin", what, "create it and set its progress to " + known->to_string() + reapply,
                Repair::advance_origin, known);
        else
            add(v, "origin",
                what + "; the slot's confirmed_flush_lsn " + lsn_text(confirmed) +
                    " is past every position the state knows (" + lsn_text(known) + ")",
                "copy again: `tidemark state reset --yes` then `tidemark sync`");
        return;
    }
    if (confirmed && *progress < *confirmed) {
        std::string what = "the checkpoint (origin " + p.origin_name + " progress " + progress->to_string() +
                           ") is behind replication slot " + p.slot_name + "'s confirmed_flush_lsn " +
                           confirmed->to_string() + ": the slot no longer has the changes in between";
        if (latest && *latest > *progress && *latest >= *confirmed)
            add(v, "origin", what + "; the latest version says the target had them (" + latest->to_string() + ")",
                "set the origin's progress to " + latest->to_string() + reapply, Repair::advance_origin, latest);
        else
            add(v, "origin", what + "; the target may miss them (was it restored from a backup?)",
                "copy again: `tidemark state reset --yes` then `tidemark sync` (or re-seed the "
                "affected tables)");
        return;
    }
    if (latest && *progress < *latest)
        add(v, "origin",
            "the checkpoint (origin " + p.origin_name + " progress " + progress->to_string() +
                ") is behind the latest version of the state (" + latest->to_string() +
                "): the origin was moved back outside `tidemark state rollback`",
            "set the origin's progress to " + latest->to_string() +
                " (use `tidemark state rollback` to go back on purpose)",
            Repair::advance_origin, latest);
}

void check_versions(StateValidation& v, pg::Connection& target, const PipelineRecord& p) {
    v.checked.push_back("versions");
    pg::Result r = target.exec_params(
        "SELECT max(version), count(*) FILTER (WHERE version = $2::bigint) FROM tidemark.state_versions "
        "WHERE pipeline = $1",
        pg::TextParams{p.name, std::to_string(p.state_version)}, "while checking the versions of " + p.name);
    auto newest = r.optional_value(0, 0);
    if (newest && std::stoll(std::string(*newest)) > p.state_version) {
        add(v, "versions",
            "tidemark.state_versions holds version " + std::string(*newest) +
                ", newer than the pipeline's state_version " + std::to_string(p.state_version),
            "raise state_version to " + std::string(*newest), Repair::raise_state_version);
        return;
    }
    if (r.value(0, 1) == "0")
        add(v, "versions",
            "version " + std::to_string(p.state_version) +
                " (the pipeline's state_version) is missing from tidemark.state_versions",
            "record the current state as version " + std::to_string(p.state_version), Repair::record_version);
}

void check_tables(StateValidation& v, pg::Connection& target, const PipelineRecord& p) {
    v.checked.push_back("tables");
    pg::Result r = target.exec_params(
        "SELECT t.source_table, t.phase, t.high_water_mark IS NOT NULL, "
        "(SELECT max(c.snapshot_lsn) FROM tidemark.copy_chunks c "
        "WHERE c.pipeline = t.pipeline AND c.source_table = t.source_table) "
        "FROM tidemark.tables t WHERE t.pipeline = $1 ORDER BY t.source_table",
        pg::TextParams{p.name}, "while checking the tables of " + p.name);
    for (int i = 0; i < r.rows(); ++i) {
        std::string table(r.value(i, 0));
        std::string phase(r.value(i, 1));
        bool has_mark = r.value(i, 2) == "t";
        auto chunk_lsn = r.optional_value(i, 3);
        if (phase != "copied" && p.phase != PipelinePhase::copying) {
            add(v, "tables",
                "table " + table + " is '" + phase + "' but pipeline " + p.name + " is '" +
                    std::string(to_string(p.phase)) + "': its copy never finished and the target table may miss rows",
                "copy it again: `tidemark state reset --yes` then `tidemark sync` (or re-seed the table)");
            continue;
        }
        if (phase == "copied" && !has_mark) {
            if (chunk_lsn)
                add(v, "tables", "table " + table + " is 'copied' without a high-water mark",
                    "set it to " + std::string(*chunk_lsn) + ", the snapshot its copy_chunks were read from",
                    Repair::set_high_water_mark, pg::Lsn::parse(*chunk_lsn), table);
            else
                add(v, "tables",
                    "table " + table +
                        " is 'copied' without a high-water mark, and no copy_chunks row says "
                        "which snapshot it was copied from",
                    "copy it again: `tidemark state reset --yes` then `tidemark sync` (or "
                    "re-seed the table)");
        }
    }
}

void check_orphans(StateValidation& v, pg::Connection& target, const PipelineRecord& p) {
    v.checked.push_back("chunks");
    pg::Result chunks = target.exec_params(
        "SELECT count(*) FROM tidemark.copy_chunks c WHERE c.pipeline = $1 AND NOT EXISTS "
        "(SELECT 1 FROM tidemark.tables t WHERE t.pipeline = c.pipeline AND t.source_table = c.source_table)",
        pg::TextParams{p.name}, "while checking the copy chunks of " + p.name);
    if (chunks.value(0, 0) != "0")
        add(v, "chunks",
            std::string(chunks.value(0, 0)) + " tidemark.copy_chunks rows belong to tables pipeline " + p.name +
                " does not have",
            "delete them", Repair::delete_orphan_chunks);
    v.checked.push_back("stats");
    // Not per table: the stream applies tables created on the source after
    // the copy, whose statistics are legitimate without a tables row.
    pg::Result stats = target.exec(
        "SELECT count(*), coalesce(string_agg(DISTINCT s.pipeline, ', '), '') FROM tidemark.table_stats s "
        "WHERE NOT EXISTS (SELECT 1 FROM tidemark.pipelines p WHERE p.name = s.pipeline)",
        "while checking tidemark.table_stats");
    if (stats.value(0, 0) != "0")
        add(v, "stats",
            std::string(stats.value(0, 0)) + " tidemark.table_stats rows belong to pipelines that do not exist (" +
                std::string(stats.value(0, 1)) + ")",
            "delete them", Repair::delete_orphan_stats);
}

}  // namespace

bool StateValidation::all_fixable() const noexcept {
    for (const auto& p : problems)
        if (!p.fixable()) return false;
    return true;
}

StateValidation validate_state(pg::Connection& target, pg::Connection& source, std::string_view pipeline) {
    StateValidation v;
    v.pipeline = std::string(pipeline);
    v.checked.push_back("layout");
    int layout = layout_version(target);
    if (layout == 0) return v;
    if (layout > kStateFormatVersion) {
        add(v, "layout",
            "tidemark's state on the target has layout " + std::to_string(layout) + ", newer than this agent's " +
                std::to_string(kStateFormatVersion),
            "run a newer tidemark");
        return v;
    }
    if (layout < kStateFormatVersion) {
        // The other checks read the current layout's tables.
        add(v, "layout",
            "tidemark's state on the target has layout " + std::to_string(layout) + "; this agent uses layout " +
                std::to_string(kStateFormatVersion),
            "migrate it (the next `tidemark sync` does, keeping every row)", Repair::migrate_layout);
        return v;
    }
    auto record = load_pipeline(target, pipeline);
    if (!record) return v;
    v.has_state = true;
    const PipelineRecord& p = *record;

    checkpoint::ReplicationOrigin origin(p.origin_name);
    std::optional<pg::Lsn> progress = origin.progress(target);
    std::optional<pg::Lsn> latest;
    for (const auto& version : load_state_versions(target, pipeline))
        if (version.origin_lsn) {
            latest = version.origin_lsn;
            break;
        }
    std::optional<stream::SlotInfo> slot;
    check_slot(v, source, p, slot, progress);
    check_origin(v, target, p, slot, progress, latest);
    check_versions(v, target, p);
    check_tables(v, target, p);
    check_orphans(v, target, p);
    return v;
}

std::vector<std::string> repair_state(pg::Connection& target, const StateValidation& validation, int keep_versions) {
    std::vector<std::string> done;
    for (const auto& p : validation.problems)
        if (p.repair == Repair::migrate_layout) {
            ensure_state_schema(target);
            done.push_back("migrated tidemark's state to layout " + std::to_string(kStateFormatVersion));
        }
    if (!validation.has_state) return done;
    const std::string& name = validation.pipeline;
    auto record = load_pipeline(target, name);
    if (!record) return done;
    pg::in_transaction(target, "while repairing the state of pipeline " + name, [&] {
        for (const auto& p : validation.problems) {
            switch (p.repair) {
                case Repair::none:
                case Repair::migrate_layout:
                case Repair::record_version:
                    continue;
                case Repair::advance_origin: {
                    checkpoint::ReplicationOrigin origin(record->origin_name);
                    origin.create_if_missing(target);
                    origin.advance(target, *p.lsn);
                    break;
                }
                case Repair::set_high_water_mark:
                    target.exec_params(
                        "UPDATE tidemark.tables SET high_water_mark = $3::pg_lsn WHERE pipeline = $1 AND "
                        "source_table = $2",
                        pg::TextParams{name, p.table, p.lsn->to_string()},
                        "while setting the high-water mark of " + p.table);
                    break;
                case Repair::delete_orphan_chunks:
                    target.exec_params(
                        "DELETE FROM tidemark.copy_chunks c WHERE c.pipeline = $1 AND NOT EXISTS "
                        "(SELECT 1 FROM tidemark.tables t WHERE t.pipeline = c.pipeline "
                        "AND t.source_table = c.source_table)",
                        pg::TextParams{name}, "while deleting copy chunks of unknown tables");
                    break;
                case Repair::delete_orphan_stats:
                    target.exec(
                        "DELETE FROM tidemark.table_stats s WHERE NOT EXISTS "
                        "(SELECT 1 FROM tidemark.pipelines p WHERE p.name = s.pipeline)",
                        "while deleting the statistics of unknown pipelines");
                    break;
                case Repair::raise_state_version:
                    target.exec_params(
                        "UPDATE tidemark.pipelines SET state_version = (SELECT max(version) FROM "
                        "tidemark.state_versions WHERE pipeline = $1), updated_at = now() WHERE name = $1",
                        pg::TextParams{name}, "while raising the state_version of " + name);
                    break;
            }
            done.push_back("repaired (" + p.check + "): " + p.problem + "; done: " + p.fix);
        }
        for (const auto& p : validation.problems)
            if (p.repair == Repair::record_version)
                done.push_back("repaired (" + p.check + "): " + p.problem + "; done: " + p.fix);
        auto v = record_state_version(target, name, "repaired", keep_versions);
        done.push_back("recorded the repaired state as version " + std::to_string(v.version));
    });
    return done;
}

std::string describe_problems(const StateValidation& validation) {
    std::string out;
    for (const auto& p : validation.problems)
        out += "  - " + p.check + ": " + p.problem + "\n    fix: " + p.fix +
               (p.fixable() ? " (repairable)" : " (not repairable by tidemark)") + "\n";
    return out;
}

std::vector<std::string> enforce_valid_state(const config::Config& config, pg::Connection& target,
                                             const PipelineRecord& record) {
    pg::ConnectOptions options;
    options.application_name = "tidemark";
    pg::Connection source = pg::Connection::connect(config.source.conninfo, options);
    StateValidation v = validate_state(target, source, record.name);
    if (v.ok()) return {};
    const std::string config_file = config.path.empty() ? std::string("FILE") : config.path.string();
    if (config.state.auto_repair && v.all_fixable()) {
        auto done = repair_state(target, v, config.state.keep_versions);
        for (const auto& line : done) log::warn("[state] auto_repair: " + line, {{"pipeline", record.name}});
        StateValidation again = validate_state(target, source, record.name);
        if (!again.ok())
            throw StateInvalid("the state of pipeline " + record.name + " is still inconsistent after its repair:\n" +
                               describe_problems(again) + "see `tidemark state validate -c " + config_file + "`");
        return done;
    }
    std::string message = "the state of pipeline " + record.name + " on the target is inconsistent (" +
                          std::to_string(v.problems.size()) + " problem" + (v.problems.size() == 1 ? "" : "s") +
                          "):\n" + describe_problems(v);
    if (v.all_fixable())
        message += "tidemark can repair " + std::string(v.problems.size() == 1 ? "it" : "them") +
                   ": run `tidemark state validate --repair -c " + config_file +
                   "`, or set [state] auto_repair = true to repair at start";
    else
        message +=
            "some of these cannot be repaired by tidemark (see each fix; [state] auto_repair does not apply); "
            "`tidemark state validate -c " +
            config_file + "` lists them again";
    throw StateInvalid(message);
}

}  // namespace tidemark::state
