// See slot_command.hpp.
#include "cli/slot_command.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/exit_codes.hpp"
#include "cli/text_table.hpp"
#include "config/pipelines_config.hpp"
#include "pg/connection.hpp"
#include "pg/database_error.hpp"
#include "slot/slot_usage.hpp"

namespace tidemark::cli {
namespace {

pg::Connection connect_source(const config::Config& config) {
    pg::ConnectOptions options;
    options.application_name = "tidemark";
    return pg::Connection::connect(config.source.conninfo, options);
}

std::string lsn_text(const std::optional<pg::Lsn>& lsn) { return lsn ? lsn->to_string() : std::string(); }

template <typename T>
std::string number_text(const std::optional<T>& value) {
    return value ? std::to_string(*value) : std::string();
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

template <typename T>
std::string json_number(const std::optional<T>& value) {
    return value ? std::to_string(*value) : std::string("null");
}

std::string json_lsn(const std::optional<pg::Lsn>& lsn) { return lsn ? json_string(lsn->to_string()) : "null"; }

void print_json(const std::vector<slot::SlotUsage>& slots, std::ostream& out) {
    out << "[";
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const auto& s = slots[i];
        out << (i ? ",\n " : "\n ") << "{\"slot_name\": " << json_string(s.slot_name)
            << ", \"plugin\": " << json_string(s.plugin) << ", \"active_pid\": " << json_number(s.active_pid)
            << ", \"restart_lsn\": " << json_lsn(s.restart_lsn)
            << ", \"confirmed_flush_lsn\": " << json_lsn(s.confirmed_flush_lsn)
            << ", \"retained_wal_bytes\": " << json_number(s.retained_bytes)
            << ", \"retained_wal\": " << json_string(s.retained_pretty)
            << ", \"lag_bytes\": " << json_number(s.lag_bytes) << ", \"lag\": " << json_string(s.lag_pretty)
            << ", \"wal_status\": " << json_string(s.wal_status)
            << ", \"safe_wal_size\": " << json_number(s.safe_wal_size) << "}";
    }
    out << (slots.empty() ? "]\n" : "\n]\n");
}

void print_table(const std::vector<slot::SlotUsage>& slots, bool one_pipeline, std::ostream& out) {
    std::vector<std::vector<std::string>> rows{{"slot_name", "plugin", "active_pid", "restart_lsn",
                                                "confirmed_flush_lsn", "retained_wal_bytes", "retained_wal",
                                                "lag_bytes", "lag", "wal_status", "safe_wal_size"}};
    for (const auto& s : slots)
        rows.push_back({s.slot_name, s.plugin, number_text(s.active_pid), lsn_text(s.restart_lsn),
                        lsn_text(s.confirmed_flush_lsn), number_text(s.retained_bytes), s.retained_pretty,
                        number_text(s.lag_bytes), s.lag_pretty, s.wal_status, number_text(s.safe_wal_size)});
    print_text_table(out, rows);
    if (slots.empty() && !one_pipeline) out << "(no logical replication slot in this database)\n";
}

}  // namespace

int run_slot_list(const config::Config& config, const SlotOptions& options, std::ostream& out) {
    const auto pipelines = config::pipelines_by_priority(config);
    pg::Connection source = connect_source(config);
    auto slots = slot::logical_slots(source);
    if (options.pipeline)
        std::erase_if(slots, [&](const slot::SlotUsage& s) { return s.slot_name != pipelines.front().slot; });
    if (options.json) {
        print_json(slots, out);
        return kExitDone;
    }
    print_table(slots, options.pipeline.has_value(), out);
    // Which slot is whose, when the file names several pipelines or one was asked for.
    if (!config.pipelines.empty() || options.pipeline)
        for (const auto& p : pipelines) {
            bool present = std::any_of(slots.begin(), slots.end(),
                                       [&](const slot::SlotUsage& s) { return s.slot_name == p.slot; });
            out << "pipeline " << p.name << ": slot " << p.slot
                << (present ? "" : " (not on the source yet: the first sync creates it)") << "\n";
        }
    return kExitDone;
}

int run_slot_drop(const config::Config& config, const SlotOptions& options, std::ostream& out, std::ostream& err) {
    const std::string name = options.name.value_or(config.source.slot);
    if (!options.yes) {
        err << "tidemark: not dropping slot " << name
            << " without --yes: a dropped slot cannot be brought back, and a sync that used it has to copy "
               "everything again; add --yes to drop it\n";
        return kExitBadConfig;
    }
    pg::Connection source = connect_source(config);
    auto usage = slot::slot_usage(source, name);
    if (!usage) {
        err << "tidemark: the source database has no logical replication slot named " << name
            << "; `tidemark slot list` shows the ones it has\n";
        return kExitFailure;
    }
    if (usage->active_pid) {
        err << "tidemark: slot " << name << " is in use by process " << *usage->active_pid
            << "; stop that consumer first (a running tidemark sync, or SELECT pg_terminate_backend("
            << *usage->active_pid << ")), then drop it\n";
        return kExitFailure;
    }
    try {
        source.exec_params("SELECT pg_catalog.pg_drop_replication_slot($1)", pg::TextParams{name},
                           "while dropping replication slot " + name);
    } catch (const pg::DatabaseError& e) {
        // Something started using the slot since it was read.
        if (e.sqlstate() != "55006") throw;
        err << "tidemark: slot " << name << " became active just now; nothing was dropped (" << e.what() << ")\n";
        return kExitFailure;
    }
    out << "dropped replication slot " << name << " (plugin " << usage->plugin << ", it retained "
        << (usage->retained_pretty.empty() ? std::string("an unknown amount") : usage->retained_pretty) << " of WAL)\n";
    return kExitDone;
}

}  // namespace tidemark::cli
