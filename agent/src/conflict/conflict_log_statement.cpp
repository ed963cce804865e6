// See conflict_log_statement.hpp.
#include "conflict/conflict_log_statement.hpp"

#include "apply/array_param.hpp"
#include "apply/json_text.hpp"
#include "apply/statement_builder.hpp"
#include "conflict/record_key.hpp"
#include "pg/lsn.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::conflict {
namespace {

// jsonb_build_object takes at most 100 arguments: 50 columns per call.
constexpr std::size_t kPairsPerCall = 50;

std::string param(apply::Statement& s, std::string_view text) {
    return "$" + std::to_string(s.own(std::string(text), true, apply::kTextOid)) + "::text";
}

// Only the pairs of `json` whose key is in the JSON array `names` (all of
// them when `names` is NULL).
std::string pick(const std::string& json, const std::string& names) {
    return "(SELECT pg_catalog.jsonb_object_agg(e.key, e.value) FROM pg_catalog.jsonb_each(" + json + ") AS e WHERE " +
           names + " IS NULL OR e.key IN (SELECT pg_catalog.jsonb_array_elements_text(" + names + "::jsonb)))";
}

bool is_key(const apply::RelationInfo& rel, std::size_t col) {
    for (std::size_t k : rel.key)
        if (k == col) return true;
    return false;
}

}  // namespace

std::string column_names_json(const apply::RelationInfo& rel, const std::vector<std::size_t>& columns) {
    std::vector<std::string> names;
    for (std::size_t c : columns) names.push_back(apply::json_string(rel.columns[c].name));
    return apply::json_array(names);
}

apply::Statement conflict_log_statement(const std::string& pipeline, const Policy& policy,
                                        const apply::RelationInfo& rel, const std::vector<LoggedConflict>& rows) {
    apply::Statement s;
    s.reusable = true;
    s.context =
        "while logging " + std::to_string(rows.size()) + " conflicts on " + rel.target_table + " in tidemark.conflicts";
    std::vector<const wire::Tuple*> tuples;
    std::vector<std::optional<std::string>> kinds, cols, shown, target_values, source_times, target_times,
        target_origins, lsns, xids, strategies, resolutions;
    for (const auto& r : rows) {
        tuples.push_back(r.tuple);
        const ConflictRecord& rec = *r.record;
        kinds.emplace_back(rec.kind);
        std::vector<std::size_t> show;
        if (rec.columns.empty()) {
            cols.emplace_back(std::nullopt);
            for (std::size_t i = 0; i < r.tuple->size() && i < rel.columns.size(); ++i)
                if ((*r.tuple)[i].kind != wire::ValueKind::unchanged_toast) show.push_back(i);
        } else {
            cols.emplace_back(column_names_json(rel, rec.columns));
            for (std::size_t i = 0; i < rel.columns.size(); ++i)
                if (is_key(rel, i)) show.push_back(i);
            show.insert(show.end(), rec.columns.begin(), rec.columns.end());
        }
        shown.emplace_back(column_names_json(rel, show));
        target_values.emplace_back(r.target->row_json);
        source_times.emplace_back(pg::format_timestamp(r.change->txn.commit_time));
        target_times.emplace_back(r.target->commit_time
                                      ? std::optional<std::string>(pg::format_timestamp(*r.target->commit_time))
                                      : std::nullopt);
        if (!r.target->exists)
            target_origins.emplace_back(std::nullopt);
        else if (r.target->ours || !r.target->commit_time)
            target_origins.emplace_back(r.target->ours ? policy.source_name() : std::string());
        else
            target_origins.emplace_back(writer_label(source_of_origin(r.target->origin)));
        if (target_origins.back() && target_origins.back()->empty()) target_origins.back() = std::nullopt;
        lsns.emplace_back(pg::Lsn(r.change->txn.final_lsn).to_string());
        xids.emplace_back(std::to_string(r.change->txn.xid));
        strategies.emplace_back(std::string(config::to_string(rec.strategy)));
        resolutions.emplace_back(rec.resolution);
    }
    std::vector<std::size_t> all(rel.columns.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    apply::ArrayColumns values = apply::add_arrays(s, rel, all, tuples, "c");
    std::vector<std::string> args = values.args, aliases = values.aliases;
    auto extra = [&](const std::vector<std::optional<std::string>>& v, const std::string& alias) {
        args.push_back(text_array_param(s, v));
        aliases.push_back(alias);
    };
    extra(kinds, "kind");
    extra(cols, "cols");
    extra(shown, "shown");
    extra(target_values, "tv");
    extra(source_times, "sct");
    extra(target_times, "tct");
    extra(target_origins, "tor");
    extra(lsns, "lsn");
    extra(xids, "xid");
    extra(strategies, "strategy");
    extra(resolutions, "resolution");

    std::string source_json;
    for (std::size_t start = 0; start < all.size(); start += kPairsPerCall) {
        if (!source_json.empty()) source_json += " || ";
        source_json += "pg_catalog.jsonb_build_object(";
        for (std::size_t i = start; i < all.size() && i < start + kPairsPerCall; ++i) {
            if (i > start) source_json += ", ";
            source_json += param(s, rel.columns[i].name) + ", " + values.exprs[i];
        }
        source_json += ")";
    }
    if (source_json.empty()) source_json = "'{}'::jsonb";
    std::vector<std::string> key_exprs, preds;
    for (std::size_t j = 0; j < rel.key.size(); ++j) {
        key_exprs.push_back(values.exprs[rel.key[j]]);
        preds.push_back("t." + rel.columns[rel.key[j]].quoted + " = " + values.exprs[rel.key[j]]);
    }
    std::string key_json = record_key_sql(s, rel, key_exprs);
    // The target's and the resolved values show the involved columns and
    // the key, or the whole row.
    std::string target_pick = "CASE WHEN u.cols IS NULL THEN NULL ELSE u.shown END";

    std::string from;
    for (std::size_t i = 0; i < args.size(); ++i) from += (i ? ", " : "") + args[i];
    std::string names;
    for (std::size_t i = 0; i < aliases.size(); ++i) names += (i ? ", " : "") + aliases[i];
    std::string where;
    for (std::size_t i = 0; i < preds.size(); ++i) where += (i ? " AND " : "") + preds[i];

    s.sql =
        "INSERT INTO tidemark.conflicts (pipeline, source_name, source_table, target_table, record_key, kind, "
        "columns, source_values, target_values, source_commit_time, target_commit_time, source_origin, "
        "target_origin, commit_lsn, xid, strategy, resolution, resolved_values, status, resolved_at, resolved_by) "
        "SELECT " +
        param(s, pipeline) + ", " + param(s, policy.source_name()) + ", " + param(s, rel.source_table) + ", " +
        param(s, rel.target_table) + ", " + key_json +
        ", u.kind, CASE WHEN u.cols IS NULL THEN NULL ELSE ARRAY(SELECT "
        "pg_catalog.jsonb_array_elements_text(u.cols::jsonb)) END, " +
        pick(source_json, "u.shown") + ", " + pick("u.tv::jsonb", target_pick) +
        ", u.sct::timestamptz, u.tct::timestamptz, " + param(s, policy.source_name()) +
        ", u.tor, u.lsn::pg_lsn, u.xid::bigint, u.strategy, u.resolution, " +
        "CASE WHEN t.ctid IS NULL THEN NULL ELSE " + pick("pg_catalog.to_jsonb(t)", target_pick) +
        " END, CASE WHEN u.resolution = 'pending' THEN 'pending' ELSE 'resolved' END, "
        "CASE WHEN u.resolution = 'pending' THEN NULL ELSE now() END, "
        "CASE WHEN u.resolution = 'pending' THEN NULL ELSE 'tidemark' END "
        "FROM unnest(" +
        from + ") AS u(" + names + ") LEFT JOIN " + rel.target_table + " AS t ON " + where;
    return s;
}

}  // namespace tidemark::conflict
