// See status_command.hpp.
#include "cli/status_command.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "apply/json_text.hpp"
#include "cli/exit_codes.hpp"
#include "idp/progress.hpp"
#include "pg/connection.hpp"
#include "pg/database_error.hpp"
#include "pg/timestamp.hpp"
#include "slot/slot_usage.hpp"
#include "state/pipeline_overview.hpp"
#include "sync/pipeline_startup.hpp"

namespace tidemark::cli {
namespace {

using apply::json_array;
using apply::json_string;
using apply::JsonObject;

struct SlotView {
    std::optional<slot::SlotUsage> usage;
    std::string error;  // the source could not be read
};

struct PipelineStatusView {
    std::string name;
    std::string slot_name;
    state::PipelineOverview overview;
    SlotView slot;
};

pg::Connection connect(const std::string& conninfo) {
    pg::ConnectOptions options;
    options.application_name = "tidemark status";
    options.connect_timeout = std::chrono::seconds(10);
    return pg::Connection::connect(conninfo, options);
}

std::optional<double> age_seconds(const std::optional<std::int64_t>& pg_time) {
    if (!pg_time) return std::nullopt;
    return static_cast<double>(pg::pg_now() - *pg_time) / 1e6;
}

std::string opt_num(const std::optional<long long>& v) { return v ? std::to_string(*v) : "null"; }

std::string table_json(const state::TableRecord& t) {
    JsonObject o;
    o.str("table", t.source_table).str("target_table", t.target_table).str("state", t.phase);
    o.num("rows_copied", t.rows_copied).raw("source_rows", opt_num(t.source_rows)).num("bytes_copied", t.bytes_copied);
    if (t.phase == "copied")
        o.num("progress", 1.0);
    else if (t.source_rows && *t.source_rows > 0)
        o.num("progress", std::min(1.0, static_cast<double>(t.rows_copied) / static_cast<double>(*t.source_rows)));
    else
        o.null("progress");
    return o.text();
}

std::string pipeline_json(const PipelineStatusView& p) {
    const auto& o = p.overview;
    JsonObject j;
    j.str("pipeline", p.name).str("slot", p.slot_name);
    j.raw("phase", o.pipeline ? json_string(state::to_string(o.pipeline->phase)) : "null");
    j.raw("state_version", o.pipeline ? std::to_string(o.pipeline->state_version) : "null");
    std::vector<std::string> tables;
    for (const auto& t : o.tables) tables.push_back(table_json(t));
    j.raw("tables", json_array(tables));
    JsonObject slot;
    if (!p.slot.error.empty()) {
        slot.boolean("exists", false).str("error", p.slot.error);
    } else if (!p.slot.usage) {
        slot.boolean("exists", false);
    } else {
        const auto& u = *p.slot.usage;
        slot.boolean("exists", true).boolean("active", u.active_pid.has_value());
        slot.raw("retained_bytes", u.retained_bytes ? std::to_string(*u.retained_bytes) : "null");
        slot.raw("confirmed_flush_lsn",
                 u.confirmed_flush_lsn ? json_string(u.confirmed_flush_lsn->to_string()) : "null");
    }
    j.raw("slot_status", slot.text());
    j.raw("lag_bytes",
          p.slot.usage && p.slot.usage->lag_bytes ? std::to_string(*p.slot.usage->lag_bytes) : std::string("null"));
    JsonObject checkpoint;
    checkpoint.raw("lsn", o.checkpoint_lsn ? json_string(o.checkpoint_lsn->to_string()) : "null");
    checkpoint.raw("last_applied_commit_time", o.last_applied_commit_time
                                                   ? json_string(pg::format_timestamp(*o.last_applied_commit_time))
                                                   : "null");
    auto age = age_seconds(o.last_applied_commit_time);
    checkpoint.raw("age_seconds", age ? fmt::format("{:.3f}", *age) : "null");
    j.raw("checkpoint", checkpoint.text());
    j.raw("conflicts_pending", opt_num(o.pending_reviews));
    j.num("dead_letters", o.dead_letters);
    j.raw("state_size_bytes", o.state_bytes ? std::to_string(*o.state_bytes) : "null");
    return j.text();
}

void print_text(const PipelineStatusView& p, std::ostream& out) {
    const auto& o = p.overview;
    out << "pipeline " << p.name << " (slot " << p.slot_name << ")\n";
    if (!o.schema_exists || !o.pipeline) {
        out << "  phase              not started (no state on the target yet)\n";
    } else {
        out << "  phase              " << state::to_string(o.pipeline->phase) << " (state version "
            << o.pipeline->state_version << ")\n";
    }
    if (!p.slot.error.empty())
        out << "  slot               could not read the source: " << p.slot.error << "\n";
    else if (!p.slot.usage)
        out << "  slot               missing on the source\n";
    else
        out << "  slot               " << (p.slot.usage->active_pid ? "active" : "inactive") << ", retains "
            << (p.slot.usage->retained_pretty.empty() ? "?" : p.slot.usage->retained_pretty) << " of WAL\n";
    if (p.slot.usage && p.slot.usage->lag_bytes)
        out << "  lag                " << idp::format_bytes(*p.slot.usage->lag_bytes) << " ("
            << *p.slot.usage->lag_bytes << " bytes) not yet confirmed\n";
    if (o.pipeline) {
        out << "  last checkpoint    " << (o.checkpoint_lsn ? o.checkpoint_lsn->to_string() : std::string("none yet"));
        if (auto age = age_seconds(o.last_applied_commit_time))
            out << ", last applied commit " << pg::format_timestamp(*o.last_applied_commit_time) << " ("
                << fmt::format("{:.0f}", *age) << " s ago)";
        out << "\n";
        out << "  conflicts pending  "
            << (o.pending_reviews ? std::to_string(*o.pending_reviews) : std::string("(no conflict log yet)")) << "\n";
        out << "  dead letters       " << o.dead_letters << "\n";
        if (o.state_bytes) out << "  state size         " << idp::format_bytes(*o.state_bytes) << "\n";
    }
    if (!o.tables.empty()) {
        std::size_t width = 5;
        for (const auto& t : o.tables) width = std::max(width, t.source_table.size());
        out << "  tables:\n";
        for (const auto& t : o.tables) {
            std::string progress = t.phase == "copied" ? "100%" : "";
            if (t.phase != "copied" && t.source_rows && *t.source_rows > 0)
                progress = fmt::format("{:.0f}%", 100.0 * std::min(1.0, static_cast<double>(t.rows_copied) /
                                                                            static_cast<double>(*t.source_rows)));
            out << fmt::format("    {:<{}}  {:<8}  {:>12} rows  {:>10}  {}\n", t.source_table, width, t.phase,
                               t.rows_copied, idp::format_bytes(t.bytes_copied), progress);
        }
    }
}

}  // namespace

int run_status(const config::Config& config, const ViewOptions& options, std::ostream& out) {
    std::vector<PipelineStatusView> views;
    pg::Connection target = connect(config.target.conninfo);
    std::optional<pg::Connection> source;
    std::string source_error;
    try {
        source = connect(config.source.conninfo);
    } catch (const pg::DatabaseError& e) {
        source_error = e.what();
    }
    auto pipelines = config::pipelines_by_priority(config);
    for (std::size_t i = 0; i < pipelines.size(); ++i) {
        config::Config cfg = config.pipelines.empty() ? config : config::config_for(config, pipelines[i]);
        PipelineStatusView v;
        v.name = sync::pipeline_name(cfg);
        v.overview = state::read_pipeline_overview(target, v.name, true);
        v.slot_name = v.overview.pipeline ? v.overview.pipeline->slot_name : cfg.source.slot;
        if (!source) {
            v.slot.error = source_error;
        } else {
            try {
                v.slot.usage = slot::slot_usage(*source, v.slot_name);
            } catch (const pg::DatabaseError& e) {
                v.slot.error = e.what();
            }
        }
        views.push_back(std::move(v));
    }
    if (options.json) {
        std::vector<std::string> items;
        for (const auto& v : views) items.push_back(pipeline_json(v));
        out << JsonObject()
                   .str("checked_at", pg::format_timestamp(pg::pg_now()))
                   .raw("pipelines", json_array(items))
                   .text()
            << "\n";
    } else {
        for (std::size_t i = 0; i < views.size(); ++i) {
            if (i) out << "\n";
            print_text(views[i], out);
        }
    }
    return kExitDone;
}

}  // namespace tidemark::cli
