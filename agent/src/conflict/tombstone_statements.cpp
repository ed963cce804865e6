// See tombstone_statements.hpp.
#include "conflict/tombstone_statements.hpp"

#include "apply/array_param.hpp"
#include "apply/statement_builder.hpp"
#include "conflict/record_key.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::conflict {

apply::Statement tombstone_upsert(const std::string& source_name, const apply::RelationInfo& rel,
                                  const std::vector<Tombstone>& rows) {
    apply::Statement s;
    s.reusable = true;
    s.context = "while recording " + std::to_string(rows.size()) + " deletes of " + rel.target_table +
                " in tidemark.tombstones";
    std::vector<const wire::Tuple*> tuples;
    std::vector<std::optional<std::string>> times;
    for (const auto& r : rows) {
        tuples.push_back(r.tuple);
        times.emplace_back(pg::format_timestamp(r.commit_time));
    }
    apply::ArrayColumns keys = apply::add_arrays(s, rel, rel.key, tuples, "c");
    std::string from, names;
    for (std::size_t i = 0; i < keys.args.size(); ++i) {
        from += keys.args[i] + ", ";
        names += keys.aliases[i] + ", ";
    }
    from += text_array_param(s, times);
    names += "ct";
    std::string key_json = record_key_sql(s, rel, keys.exprs);
    int p_table = s.own(rel.target_table, true, apply::kTextOid);
    int p_source = s.own(source_name, true, apply::kTextOid);
    s.sql = "INSERT INTO tidemark.tombstones AS b (target_table, record_key, source_name, commit_time) SELECT $" +
            std::to_string(p_table) + "::text, " + key_json + ", $" + std::to_string(p_source) +
            "::text, u.ct::timestamptz FROM unnest(" + from + ") AS u(" + names +
            ") ON CONFLICT (target_table, record_key) DO UPDATE SET source_name = EXCLUDED.source_name, "
            "commit_time = EXCLUDED.commit_time, created_at = now() WHERE b.commit_time <= EXCLUDED.commit_time";
    return s;
}

apply::Statement tombstone_clear(const apply::RelationInfo& rel, const std::vector<const wire::Tuple*>& rows) {
    apply::Statement s;
    s.reusable = true;
    s.context =
        "while removing the tombstones of " + std::to_string(rows.size()) + " re-inserted rows of " + rel.target_table;
    apply::ArrayColumns keys = apply::add_arrays(s, rel, rel.key, rows, "c");
    std::string key_json = record_key_sql(s, rel, keys.exprs);
    int p_table = s.own(rel.target_table, true, apply::kTextOid);
    s.sql = "DELETE FROM tidemark.tombstones AS b USING " + keys.from + " WHERE b.target_table = $" +
            std::to_string(p_table) + "::text AND b.record_key = " + key_json;
    return s;
}

apply::Statement tombstone_purge(std::chrono::milliseconds retention) {
    apply::Statement s(
        "DELETE FROM tidemark.tombstones WHERE commit_time < now() - $1::bigint * interval '1 millisecond'",
        "while purging tombstones older than tombstone_retention");
    s.own_text(std::to_string(retention.count()));
    return s;
}

apply::Statement source_watermark_upsert(const std::string& source_name, std::int64_t commit_time) {
    apply::Statement s(
        "INSERT INTO tidemark.source_watermarks AS w (source_name, newest_commit_time) VALUES ($1, $2::timestamptz) "
        "ON CONFLICT (source_name) DO UPDATE SET newest_commit_time = "
        "greatest(w.newest_commit_time, EXCLUDED.newest_commit_time), updated_at = now()",
        "while recording the source's watermark in tidemark.source_watermarks");
    s.own_text(source_name);
    s.own_text(pg::format_timestamp(commit_time));
    return s;
}

}  // namespace tidemark::conflict
