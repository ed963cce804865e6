// See table_stats.hpp.
#include "state/table_stats.hpp"

#include <algorithm>

#include "pg/timestamp.hpp"

namespace tidemark::state {
namespace {

// An array literal for text[] input: every element double-quoted, so no
// element can be mistaken for NULL or split at a comma.
std::string array_literal(const std::vector<std::optional<std::string>>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        if (!items[i]) {
            out += "NULL";
            continue;
        }
        out += '"';
        for (char c : *items[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

}  // namespace

void TableStatsDelta::note_commit(std::int64_t commit_time, pg::Lsn commit_lsn) {
    if (!last_commit_lsn || commit_lsn >= *last_commit_lsn) {
        last_commit_lsn = commit_lsn;
        last_commit_time = commit_time;
    }
}

void TableStatsDelta::merge(const TableStatsDelta& other) {
    inserted += other.inserted;
    updated += other.updated;
    deleted += other.deleted;
    truncated += other.truncated;
    dead_lettered += other.dead_lettered;
    if (other.last_commit_lsn && other.last_commit_time) note_commit(*other.last_commit_time, *other.last_commit_lsn);
}

bool TableStatsDelta::empty() const noexcept {
    return inserted == 0 && updated == 0 && deleted == 0 && truncated == 0 && dead_lettered == 0 && !last_commit_lsn;
}

void merge(StatsDeltas& into, const StatsDeltas& from) {
    for (const auto& [table, delta] : from) into[table].merge(delta);
}

StatsUpsert stats_upsert(std::string_view pipeline, const StatsDeltas& deltas) {
    std::vector<std::optional<std::string>> tables, ins, upd, del, trunc, dead, times, lsns;
    for (const auto& [table, d] : deltas) {
        tables.emplace_back(table);
        ins.emplace_back(std::to_string(d.inserted));
        upd.emplace_back(std::to_string(d.updated));
        del.emplace_back(std::to_string(d.deleted));
        trunc.emplace_back(std::to_string(d.truncated));
        dead.emplace_back(std::to_string(d.dead_lettered));
        times.push_back(d.last_commit_time ? std::optional<std::string>(pg::format_timestamp(*d.last_commit_time))
                                           : std::nullopt);
        lsns.push_back(d.last_commit_lsn ? std::optional<std::string>(d.last_commit_lsn->to_string()) : std::nullopt);
    }
    StatsUpsert s;
    s.sql =
        "INSERT INTO tidemark.table_stats AS s (pipeline, source_table, inserted, updated, deleted, truncated, "
        "dead_lettered, last_commit_time, last_commit_lsn) "
        "SELECT $1, u.* FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], "
        "$7::bigint[], $8::timestamptz[], $9::pg_lsn[]) AS u "
        "ON CONFLICT (pipeline, source_table) DO UPDATE SET inserted = s.inserted + EXCLUDED.inserted, "
        "updated = s.updated + EXCLUDED.updated, deleted = s.deleted + EXCLUDED.deleted, "
        "truncated = s.truncated + EXCLUDED.truncated, dead_lettered = s.dead_lettered + EXCLUDED.dead_lettered, "
        "last_commit_time = coalesce(EXCLUDED.last_commit_time, s.last_commit_time), "
        "last_commit_lsn = greatest(EXCLUDED.last_commit_lsn, s.last_commit_lsn)";
    s.params = {std::string(pipeline), array_literal(tables), array_literal(ins),
                array_literal(upd),    array_literal(del),    array_literal(trunc),
                array_literal(dead),   array_literal(times),  array_literal(lsns)};
    return s;
}

std::vector<TableStatsRow> load_table_stats(pg::Connection& conn, std::string_view pipeline) {
    pg::Result r = conn.exec_params(
        "SELECT source_table, inserted, updated, deleted, truncated, dead_lettered, "
        "to_char(last_commit_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'), "
        "last_commit_lsn::text FROM tidemark.table_stats WHERE pipeline = $1 ORDER BY source_table",
        pg::TextParams{std::string(pipeline)}, "while reading the statistics of pipeline " + std::string(pipeline));
    std::vector<TableStatsRow> out;
    for (int i = 0; i < r.rows(); ++i) {
        TableStatsRow row;
        row.source_table = std::string(r.value(i, 0));
        row.inserted = std::stoll(std::string(r.value(i, 1)));
        row.updated = std::stoll(std::string(r.value(i, 2)));
        row.deleted = std::stoll(std::string(r.value(i, 3)));
        row.truncated = std::stoll(std::string(r.value(i, 4)));
        row.dead_lettered = std::stoll(std::string(r.value(i, 5)));
        if (auto v = r.optional_value(i, 6)) row.last_commit_time = std::string(*v);
        if (auto v = r.optional_value(i, 7)) row.last_commit_lsn = std::string(*v);
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace tidemark::state
