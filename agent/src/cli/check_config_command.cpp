// See check_config_command.hpp.
#include "cli/check_config_command.hpp"

#include <chrono>
#include <optional>
#include <string>

#include "cli/exit_codes.hpp"
#include "pg/connection.hpp"
#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "stream/decoder_probe.hpp"
#include "stream/plugin_allowance.hpp"
#include "stream/slot_info.hpp"

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

std::optional<pg::Connection> connect(Checklist& checks, std::string_view side, const std::string& conninfo) {
    std::string what = std::string(side) + ": connect";
    try {
        pg::ConnectOptions options;
        options.application_name = "tidemark check-config";
        pg::Connection conn = pg::Connection::connect(conninfo, options);
        pg::Result r = conn.exec("SELECT current_database(), current_user, current_setting('server_version')",
                                 "while identifying the " + std::string(side));
        checks.ok(what, "database " + std::string(r.value(0, 0)) + " as user " + std::string(r.value(0, 1)) +
                            ", PostgreSQL " + std::string(r.value(0, 2)));
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

bool check_plugin_allowed(Checklist& checks, pg::Connection& conn) {
    stream::PluginAllowance a = stream::check_plugin_allowed(conn);
    if (!a.current) {
        checks.ok("source: output plugin tidemark allowed", "this server does not restrict output plugins");
        return true;
    }
    if (a.allowed) {
        checks.ok("source: output plugin tidemark allowed", "output_plugin_libraries = '" + *a.current + "'");
        return true;
    }
    checks.failed("source: output plugin tidemark allowed",
                  "add this line to postgresql.conf and reload the server: " + a.suggested_line);
    return false;
}

void check_decoder(Checklist& checks, const std::string& conninfo, bool ready) {
    const std::string what = "source: tidemark decoder loads";
    if (!ready) {
        checks.skipped(what, "fix the source checks above first");
        return;
    }
    try {
        stream::DecoderProbe probe = stream::probe_decoder(conninfo, kProbeTimeout);
        if (probe.loaded)
            checks.ok(what, probe.detail);
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

}  // namespace

int run_check_config(const config::Config& config, std::ostream& out) {
    Checklist checks(out);
    checks.ok(
        "config: " + (config.path.empty() ? std::string("configuration") : config.path.string()),
        "startup_mode " + std::string(config::to_string(config.sync.startup_mode)) + ", slot " + config.source.slot);

    if (auto source = connect(checks, "source", config.source.conninfo)) {
        try {
            bool wal = check_wal_level(checks, *source);
            bool role = check_role(checks, *source);
            bool plugin = check_plugin_allowed(checks, *source);
            check_decoder(checks, config.source.conninfo, wal && role && plugin);
            check_slot(checks, *source, config.source.slot);
        } catch (const pg::DatabaseError& e) {
            checks.failed("source: checks", e.what());
        }
    }
    if (auto target = connect(checks, "target", config.target.conninfo)) {
        try {
            check_target_schema(checks, *target);
        } catch (const pg::DatabaseError& e) {
            checks.failed("target: checks", e.what());
        }
    }
    return checks.all_passed() ? kExitDone : kExitFailure;
}

}  // namespace tidemark::cli
