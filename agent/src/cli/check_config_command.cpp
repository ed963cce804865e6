// See check_config_command.hpp.
#include "cli/check_config_command.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "catalog/row_identity.hpp"
#include "catalog/table_discovery.hpp"
#include "catalog/unmatched_patterns.hpp"
#include "checkpoint/replication_origin.hpp"
#include "cli/exit_codes.hpp"
#include "pg/connection.hpp"
#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "stream/decoder_probe.hpp"
#include "stream/plugin_allowance.hpp"
#include "stream/slot_info.hpp"
#include "sync/commit_timestamp_check.hpp"
#include "sync/pipeline_startup.hpp"

namespace tidemark::cli {
namespace {

constexpr std::chrono::milliseconds kProbeTimeout{10000};

class Checklist {
public:
    explicit Checklist(std::ostream& out) : out_(out) {}

    void ok(std::string_view what, std::string_view note = {}) { line("ok     ", what, note); }
    void failed(std::string_view what, std::string_view reason) {
        failures_++;
        line("FAILED ", what, reason);
    }
    // Worth fixing, but a sync would run: not a failure.
    void warned(std::string_view what, std::string_view reason) { line("warning", what, reason); }
    void skipped(std::string_view what, std::string_view reason) {
        failures_++;
        line("skipped", what, reason);
    }
    bool all_passed() const { return failures_ == 0; }

private:
    void line(std::string_view mark, std::string_view what, std::string_view note) {
        out_ << mark << " " << what;
        if (!note.empty()) out_ << ": " << note;
        out_ << "\n";
        out_.flush();
    }

    std::ostream& out_;
    int failures_ = 0;
};

// Runs one check; a database error fails that check alone.
template <typename F>
bool guarded(Checklist& checks, const std::string& what, F check) {
    try {
        return check();
    } catch (const pg::DatabaseError& e) {
        checks.failed(what, e.what());
        return false;
    }
}

std::optional<pg::Connection> connect(Checklist& checks, std::string_view side, const std::string& conninfo) {
    std::string what = std::string(side) + ": connect";
    try {
        pg::ConnectOptions options;
        options.application_name = "tidemark check-config";
        pg::Connection conn = pg::Connection::connect(conninfo, options);
        pg::Result r = conn.exec("SELECT current_database(), current_user, current_setting('server_version')",
                                 "while identifying the " + std::string(side));
        checks.ok(what, "database " + std::string(r.value(0, 0)) + " as user " + std::string(r.value(0, 1)) +
                            ", PostgreSQL " + std::string(r.value(0, 2)) + ", " + conn.encryption());
        return conn;
    } catch (const pg::DatabaseError& e) {
        checks.failed(what, e.what());
        return std::nullopt;
    }
}

bool check_wal_level(Checklist& checks, pg::Connection& conn) {
    pg::Result r = conn.exec("SELECT current_setting('wal_level')", "while reading wal_level");
    std::string level(r.value(0, 0));
    if (level == "logical") {
        checks.ok("source: wal_level = logical");
        return true;
    }
    checks.failed("source: wal_level = " + level,
                  "logical decoding needs wal_level = logical; set it in postgresql.conf and restart the server");
    return false;
}

bool check_role(Checklist& checks, pg::Connection& conn) {
    pg::Result r = conn.exec(
        "SELECT rolsuper, rolreplication, current_user FROM pg_catalog.pg_roles "
        "WHERE rolname = current_user",
        "while reading the source role's attributes");
    if (r.rows() != 1) {
        checks.failed("source: role can replicate", "the current role is not in pg_roles");
        return false;
    }
    std::string role(r.value(0, 2));
    if (r.value(0, 0) == "t") {
        checks.ok("source: role " + role + " can replicate", "superuser");
        return true;
    }
    if (r.value(0, 1) == "t") {
        checks.ok("source: role " + role + " can replicate", "REPLICATION");
        return true;
    }
    checks.failed("source: role " + role + " can replicate", "the role needs the REPLICATION attribute: ALTER ROLE " +
                                                                 pg::quote_identifier(role) + " REPLICATION");
    return false;
}

constexpr std::string_view kPluginCheck = "source: output plugin tidemark allowed";

// Prints the allowance line when the setting could be read; otherwise the
// decoder probe settles it (see check_decoder).
stream::PluginAllowance check_plugin_allowed(Checklist& checks, pg::Connection& conn) {
    stream::PluginAllowance a = stream::check_plugin_allowed(conn);
    if (!a.readable) return a;
    if (!a.current)
        checks.ok(kPluginCheck, "this server does not restrict output plugins");
    else if (a.allowed)
        checks.ok(kPluginCheck, "output_plugin_libraries = '" + *a.current + "'");
    else
        checks.failed(kPluginCheck, "add this line to postgresql.conf and reload the server: " + a.suggested_line);
    return a;
}

void check_decoder(Checklist& checks, const std::string& conninfo, bool ready,
                   const std::optional<stream::PluginAllowance>& allowance) {
    const std::string what = "source: tidemark decoder loads";
    bool allowance_pending = allowance && !allowance->readable;
    if (!ready) {
        if (allowance_pending)
            checks.skipped(kPluginCheck,
                           "this role cannot read output_plugin_libraries (superuser or "
                           "pg_read_all_settings can)");
        checks.skipped(what, "fix the source checks above first");
        return;
    }
    try {
        stream::DecoderProbe probe = stream::probe_decoder(conninfo, kProbeTimeout);
        if (allowance_pending) {
            if (probe.not_allowed)
                checks.failed(kPluginCheck, probe.detail);
            else if (probe.loaded)
                checks.ok(kPluginCheck, "this role cannot read output_plugin_libraries, but the decoder loaded");
            else
                checks.skipped(kPluginCheck,
                               "this role cannot read output_plugin_libraries (superuser or "
                               "pg_read_all_settings can)");
        }
        if (probe.loaded)
            checks.ok(what, probe.detail);
        else if (probe.not_allowed)
            checks.skipped(what, "the server does not allow the plugin (see above)");
        else
            checks.failed(what, probe.detail + " (is the tidemark package installed on the source server?)");
    } catch (const pg::DatabaseError& e) {
        checks.failed(what, e.what());
    }
}

void check_slot(Checklist& checks, pg::Connection& conn, const std::string& slot_name) {
    const std::string what = "source: slot " + slot_name;
    std::optional<stream::SlotInfo> slot = stream::slot_info(conn, slot_name);
    if (!slot) {
        checks.ok(what, "does not exist yet; sync creates it");
        return;
    }
    if (slot->slot_type != "logical" || slot->plugin != stream::kPluginName) {
        checks.failed(what, "exists but is a " + slot->slot_type + " slot" +
                                (slot->plugin.empty() ? std::string() : " of plugin " + slot->plugin) +
                                "; choose another [source] slot name or drop it");
        return;
    }
    if (slot->wal_status == "lost") {
        checks.failed(what, "has lost WAL it needs; run tidemark sync --reset to start over");
        return;
    }
    std::string note = "exists";
    if (slot->confirmed_flush_lsn) note += ", confirmed up to " + slot->confirmed_flush_lsn->to_string();
    if (!slot->wal_status.empty()) note += ", wal_status " + slot->wal_status;
    if (slot->active) note += ", in use by process " + std::to_string(slot->active_pid.value_or(0));
    checks.ok(what, note);
}

void check_target_schema(Checklist& checks, pg::Connection& conn) {
    const std::string what = "target: schema tidemark";
    pg::Result r = conn.exec(
        "SELECT n.oid IS NOT NULL, "
        "       CASE WHEN n.oid IS NULL THEN false "
        "            ELSE has_schema_privilege(n.oid, 'CREATE') AND has_schema_privilege(n.oid, 'USAGE') END, "
        "       has_database_privilege(current_database(), 'CREATE') "
        "FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = 'tidemark'",
        "while checking schema tidemark on the target");
    bool exists = r.value(0, 0) == "t";
    if (exists) {
        if (r.value(0, 1) == "t")
            checks.ok(what, "exists and is usable");
        else
            checks.failed(what,
                          "exists but the role lacks CREATE and USAGE on it: GRANT CREATE, USAGE ON SCHEMA "
                          "tidemark TO the role in [target] conninfo");
        return;
    }
    if (r.value(0, 2) == "t")
        checks.ok(what, "does not exist yet; the role may create it");
    else
        checks.failed(what,
                      "does not exist and the role may not create schemas: GRANT CREATE ON DATABASE to it, "
                      "or create schema tidemark owned by it");
}

// Only with conflict handling configured: a target without commit
// timestamps hides some conflicts, which fails the check.
void check_commit_timestamps(Checklist& checks, pg::Connection& conn) {
    const std::string what = "target: track_commit_timestamp (conflict detection)";
    if (auto warning = sync::commit_timestamp_warning(conn))
        checks.failed(what, *warning);
    else
        checks.ok(what, "on: each target row's last writer and commit time are known");
}

// A pipeline writes under its own replication origin and one per copy job;
// each needs a replication state on the target, of which there are
// max_replication_slots.
void check_origin_capacity(Checklist& checks, pg::Connection& conn, const config::Config& config) {
    const std::string what = "target: replication origin states";
    std::vector<std::string> names;
    for (const auto& p : config.pipelines) names.push_back(p.name);
    if (names.empty()) names.push_back(sync::pipeline_name(config));
    long long max = 0, used = 0, ours = 0;
    try {
        pg::Result r = conn.exec(
            "SELECT current_setting('max_replication_slots')::int, count(*) "
            "FROM pg_catalog.pg_replication_origin_status",
            "while counting the replication origin states in use on the target");
        max = std::stoll(std::string(r.value(0, 0)));
        used = std::stoll(std::string(r.value(0, 1)));
        for (const auto& name : names) {
            pg::Result mine = conn.exec_params(
                "SELECT count(*) FROM pg_catalog.pg_replication_origin_status WHERE external_id = $1 OR "
                "(left(external_id, length($1)) = $1 AND substr(external_id, length($1) + 1) ~ '^_copy[0-9]+$')",
                pg::TextParams{checkpoint::origin_name_for(name)},
                "while counting the replication origin states of pipeline " + name);
            ours += std::stoll(std::string(mine.value(0, 0)));
        }
    } catch (const pg::DatabaseError& e) {
        if (e.sqlstate() != "42501") throw;
        checks.ok(what, "not checked: this role cannot read pg_replication_origin_status (a superuser can)");
        return;
    }
    long long needed = static_cast<long long>(names.size()) * (1 + config.sync.copy_jobs);
    long long more = std::max(0LL, needed - ours);
    std::string counts = std::to_string(used) + " of max_replication_slots = " + std::to_string(max) + " in use; " +
                         (names.size() == 1 ? "this pipeline needs " : "these pipelines need ") +
                         std::to_string(needed) + " (one for each pipeline's origin and one per copy job)";
    if (used + more <= max)
        checks.ok(what, counts);
    else
        checks.failed(what, counts + ", " + std::to_string(more) + " of them still to take, but only " +
                                std::to_string(std::max(0LL, max - used)) +
                                " free: raise max_replication_slots on the target and restart it, or lower "
                                "[sync] copy_jobs");
}

// How many tables the patterns select, and the include patterns that
// select none (a typo, or capitals without quotes).
void check_selection(Checklist& checks, pg::Connection& conn, const config::PipelineConfig& pipeline, bool several) {
    const std::string what = "source: tables" + (several ? " of pipeline " + pipeline.name : std::string());
    auto names = catalog::list_table_names(conn);
    catalog::TableFilter filter(pipeline.include, pipeline.exclude);
    auto selected = std::count_if(names.begin(), names.end(),
                                  [&](const catalog::TableName& t) { return filter.selects(t.schema, t.name); });
    std::string count = std::to_string(selected) + (selected == 1 ? " table" : " tables") + " selected";
    auto unmatched = catalog::unmatched_patterns(pipeline.include, names);
    if (unmatched.empty()) {
        checks.ok(what, count);
        return;
    }
    checks.warned(what, count + "; " + catalog::describe(unmatched));
}

// Tables whose updates and deletes would all end as dead letters, named
// with the statement that fixes each (at most a screenful).
void check_row_identity(Checklist& checks, pg::Connection& conn, const config::PipelineConfig& pipeline, bool several) {
    const std::string what =
        "source: replica identity of the tables" + (several ? " of pipeline " + pipeline.name : std::string());
    auto tables = catalog::tables_without_row_identity(conn, catalog::TableFilter(pipeline.include, pipeline.exclude));
    if (tables.empty()) {
        checks.ok(what, "every selected table's UPDATEs and DELETEs identify their row");
        return;
    }
    constexpr std::size_t kListed = 10;
    std::string list;
    for (std::size_t i = 0; i < tables.size() && i < kListed; ++i) {
        const auto& t = tables[i];
        list +=
            "\n          " + t.table + (t.partition.empty() ? "" : " (partition " + t.partition + ")") + ": " + t.fix;
    }
    if (tables.size() > kListed) list += "\n          and " + std::to_string(tables.size() - kListed) + " more";
    checks.warned(what, std::to_string(tables.size()) + (tables.size() > 1 ? " tables log" : " table logs") +
                            " UPDATEs and DELETEs that do not identify the row (REPLICA IDENTITY NOTHING, or "
                            "no primary key): the target cannot apply them, and each would become a dead letter" +
                            list);
}

// With origin = "none" the source must be able to tell where a
// transaction came from; it always can, but say what the setting does.
void note_origin_filter(Checklist& checks, const config::Config& config) {
    if (config.source.origin == config::OriginFilter::none)
        checks.ok("source: origin = \"none\"",
                  "transactions the source applied from a replication origin (another tidemark, a subscription) "
                  "are not streamed");
}

}  // namespace

int run_check_config(const config::Config& config, std::ostream& out) {
    Checklist checks(out);
    const auto pipelines = config::pipelines_by_priority(config);
    std::string slots;
    for (const auto& p : pipelines)
        slots += (slots.empty() ? ", slot " : ", ") + p.slot + (config.pipelines.empty() ? "" : " (" + p.name + ")");
    checks.ok("config: " + (config.path.empty() ? std::string("configuration") : config.path.string()),
              "startup_mode " + std::string(config::to_string(config.sync.startup_mode)) + slots);

    if (auto source = connect(checks, "source", config.source.conninfo)) {
        bool wal = guarded(checks, "source: wal_level", [&] { return check_wal_level(checks, *source); });
        bool role = guarded(checks, "source: role can replicate", [&] { return check_role(checks, *source); });
        std::optional<stream::PluginAllowance> allowance;
        guarded(checks, std::string(kPluginCheck), [&] {
            allowance = check_plugin_allowed(checks, *source);
            return true;
        });
        check_decoder(checks, config.source.conninfo, wal && role && allowance && allowance->allowed, allowance);
        for (const auto& p : pipelines)
            guarded(checks, "source: slot " + p.slot, [&] {
                check_slot(checks, *source, p.slot);
                return true;
            });
        for (const auto& p : pipelines)
            guarded(checks, "source: tables", [&] {
                check_selection(checks, *source, p, pipelines.size() > 1);
                return true;
            });
        for (const auto& p : pipelines)
            guarded(checks, "source: replica identity", [&] {
                check_row_identity(checks, *source, p, pipelines.size() > 1);
                return true;
            });
        note_origin_filter(checks, config);
    }
    if (auto target = connect(checks, "target", config.target.conninfo)) {
        guarded(checks, "target: schema tidemark", [&] {
            check_target_schema(checks, *target);
            return true;
        });
        guarded(checks, "target: replication origin states", [&] {
            check_origin_capacity(checks, *target, config);
            return true;
        });
        if (config.conflicts || config.late_data)
            guarded(checks, "target: track_commit_timestamp", [&] {
                check_commit_timestamps(checks, *target);
                return true;
            });
    }
    return checks.all_passed() ? kExitDone : kExitFailure;
}

}  // namespace tidemark::cli
