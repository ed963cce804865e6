// See sync_report.hpp.
#include "sync/sync_report.hpp"

#include <cstdio>
#include <map>
#include <random>

#include "apply/json_text.hpp"
#include "checkpoint/replication_origin.hpp"
#include "conflict/detection_report.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::sync {
namespace {

using apply::json_array;
using apply::json_string;
using apply::JsonObject;

// Dead letters listed in the report; the count covers them all.
constexpr int kMaxListedDeadLetters = 100;

std::string opt_string(const std::optional<std::string>& s) { return s ? json_string(*s) : "null"; }

struct TableLine {
    long long inserted = 0, updated = 0, deleted = 0, truncated = 0, dead = 0, copied = 0;
    std::optional<std::string> last_sync;
    std::string status;
};

}  // namespace

std::string new_sync_id() {
    std::random_device rd;
    std::mt19937_64 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
    std::uint64_t hi = rng(), lo = rng();
    hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
    return buf;
}

StateSnapshot read_state(pg::Connection& target, const std::string& pipeline, long long dead_letters_after,
                         std::optional<std::int64_t> since) {
    StateSnapshot s;
    if (since) {
        s.conflicts = conflict::load_reported_conflicts(target, pipeline, *since, kMaxListedDeadLetters);
        s.late_arrivals = conflict::load_reported_late_arrivals(target, pipeline, *since, kMaxListedDeadLetters);
    }
    s.pipeline = state::load_pipeline(target, pipeline);
    s.tables = state::load_tables(target, pipeline);
    s.stats = state::load_table_stats(target, pipeline);
    s.dead_letters = state::load_dead_letters(target, pipeline, dead_letters_after, kMaxListedDeadLetters);
    if (s.pipeline) s.origin_progress = checkpoint::ReplicationOrigin(s.pipeline->origin_name).progress(target);
    return s;
}

std::string indent_json(std::string_view compact) {
    std::string out;
    out.reserve(compact.size() * 2);
    int depth = 0;
    bool in_string = false, escaped = false;
    auto newline = [&] {
        out += '\n';
        out.append(static_cast<std::size_t>(depth) * 2, ' ');
    };
    for (std::size_t i = 0; i < compact.size(); ++i) {
        char c = compact[i];
        if (in_string) {
            out += c;
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                out += c;
                break;
            case '{':
            case '[': {
                // An empty object or array stays on one line.
                char close = c == '{' ? '}' : ']';
                if (i + 1 < compact.size() && compact[i + 1] == close) {
                    out += c;
                    out += close;
                    ++i;
                    break;
                }
                out += c;
                ++depth;
                newline();
                break;
            }
            case '}':
            case ']':
                --depth;
                newline();
                out += c;
                break;
            case ',':
                out += c;
                newline();
                // The compact form puts a space after the comma.
                if (i + 1 < compact.size() && compact[i + 1] == ' ') ++i;
                break;
            default:
                out += c;
        }
    }
    out += '\n';
    return out;
}

std::string render_report(const RunSummary& run, const std::optional<StateSnapshot>& state) {
    // Per table: this run's work, with the state's view of the table.
    std::map<std::string, TableLine> tables;
    std::string phase = state && state->pipeline ? std::string(state::to_string(state->pipeline->phase)) : "";
    if (state) {
        for (const auto& t : state->tables) {
            auto& line = tables[t.source_table];
            line.status = phase == "copying" ? t.phase : phase == "done" ? "copied" : "streaming";
        }
        for (const auto& st : state->stats) {
            auto& line = tables[st.source_table];
            line.last_sync = st.last_commit_time;
            if (line.status.empty()) line.status = phase == "done" ? "copied" : "streaming";
        }
    }
    for (const auto& c : run.copied) tables[c.source_table].copied += c.rows;
    for (const auto& [name, d] : run.applied.tables) {
        auto& line = tables[name];
        line.inserted += d.inserted;
        line.updated += d.updated;
        line.deleted += d.deleted;
        line.truncated += d.truncated;
        line.dead += d.dead_lettered;
        if (d.last_commit_time) line.last_sync = pg::format_timestamp(*d.last_commit_time);
        if (line.status.empty()) line.status = "streaming";
    }

    long long inserted = 0, updated = 0, deleted = 0, processed = 0, dead = 0, copied = 0;
    std::vector<std::string> table_items;
    for (const auto& [name, t] : tables) {
        long long p = t.copied + t.inserted + t.updated + t.deleted + t.truncated + t.dead;
        inserted += t.inserted;
        updated += t.updated;
        deleted += t.deleted;
        dead += t.dead;
        copied += t.copied;
        processed += p;
        table_items.push_back(JsonObject()
                                  .str("table", name)
                                  .num("records_processed", p)
                                  .num("records_inserted", t.inserted)
                                  .num("records_updated", t.updated)
                                  .num("records_deleted", t.deleted)
                                  .num("rows_copied", t.copied)
                                  .raw("last_sync_timestamp", opt_string(t.last_sync))
                                  .str("status", t.status.empty() ? "streaming" : t.status)
                                  .text());
    }

    // manual_review leaves its conflicts pending; every other strategy
    // settles them as they are applied.
    long long conflicts_detected = 0, conflicts_resolved = 0;
    for (const auto& [kind, by_strategy] : run.applied.conflicts)
        for (const auto& [strategy, n] : by_strategy) {
            conflicts_detected += n;
            if (strategy != "manual_review") conflicts_resolved += n;
        }
    double seconds = static_cast<double>(run.completed_at - run.started_at) / 1e6;
    std::string metadata = JsonObject()
                               .str("sync_id", run.sync_id)
                               .str("pipeline", run.pipeline)
                               .str("source", run.source)
                               .str("destination", run.destination)
                               .str("started_at", pg::format_timestamp(run.started_at))
                               .str("completed_at", pg::format_timestamp(run.completed_at))
                               .num("duration_seconds", seconds)
                               .str("status", run.status)
                               .text();
    std::string statistics = JsonObject()
                                 .num("records_processed", processed)
                                 .num("records_inserted", inserted)
                                 .num("records_updated", updated)
                                 .num("records_deleted", deleted)
                                 .num("rows_copied", copied)
                                 .num("transactions_applied", run.applied.transactions)
                                 .num("changes_already_copied", run.applied.skipped_by_gate)
                                 .num("conflicts_detected", conflicts_detected)
                                 .num("conflicts_resolved", conflicts_resolved)
                                 .num("errors", dead)
                                 .text();

    std::optional<pg::Lsn> applied = run.applied_lsn;
    if (state && state->origin_progress && (!applied || *state->origin_progress > *applied))
        applied = state->origin_progress;
    std::optional<std::string> last_sync;
    if (run.applied.last_commit_time) last_sync = pg::format_timestamp(*run.applied.last_commit_time);
    std::optional<std::string> hwm;
    long long state_version = 0;
    if (state && state->pipeline) {
        if (state->pipeline->consistent_point) hwm = state->pipeline->consistent_point->to_string();
        state_version = state->pipeline->state_version;
    }
    std::string checkpoint =
        JsonObject()
            .raw("last_sync_timestamp", opt_string(last_sync))
            .raw("high_water_mark", opt_string(hwm))
            .raw("applied_lsn", opt_string(applied ? std::optional<std::string>(applied->to_string()) : std::nullopt))
            .num("state_version", state_version)
            .text();

    std::vector<std::string> errors;
    if (state)
        for (const auto& d : state->dead_letters)
            errors.push_back(JsonObject()
                                 .num("dead_letter_id", d.id)
                                 .raw("table", opt_string(d.source_table))
                                 .str("operation", d.operation)
                                 .raw("commit_lsn", opt_string(d.commit_lsn))
                                 .raw("sqlstate", opt_string(d.sqlstate))
                                 .str("error", d.error)
                                 .str("created_at", d.created_at)
                                 .text());
    for (const auto& e : run.errors) errors.push_back(JsonObject().str("error", e).text());
    std::vector<std::string> warnings;
    for (const auto& w : run.warnings) warnings.push_back(json_string(w));
    for (const auto& [reason, n] : run.applied.late) {
        std::string what = std::to_string(n) + " change(s) ";
        if (reason == "late")
            what += "arrived older than the target's row beyond [late_data] tolerance and were not applied";
        else if (reason == "tombstone")
            what += "were older than the delete of their key and were not applied";
        else if (reason == "future")
            what += "carried a time further ahead than [late_data] max_clock_skew";
        else if (reason == "invalid_version")
            what += "had no valid version value; their commit time was compared instead";
        else
            what += "were flagged: " + reason;
        warnings.push_back(json_string(what));
    }

    return JsonObject()
               .raw("metadata", metadata)
               .raw("statistics", statistics)
               .raw("tables", json_array(table_items))
               .raw("conflicts", json_array(state ? state->conflicts : std::vector<std::string>{}))
               .raw("late_arriving_data", json_array(state ? state->late_arrivals : std::vector<std::string>{}))
               .raw("checkpoint", checkpoint)
               .raw("errors", json_array(errors))
               .raw("warnings", json_array(warnings))
               .text() +
           "\n";
}

}  // namespace tidemark::sync
