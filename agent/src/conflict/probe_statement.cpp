// See probe_statement.hpp.
#include "conflict/probe_statement.hpp"

#include <stdexcept>

#include "apply/apply_error.hpp"
#include "apply/array_param.hpp"
#include "apply/statement_builder.hpp"
#include "conflict/record_key.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::conflict {
namespace {

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += sep;
        out += items[i];
    }
    return out;
}

// Unix-epoch microseconds of a time value, NULL for infinities.
std::string epoch_micros(const std::string& expr) {
    return "CASE WHEN pg_catalog.isfinite(" + expr + ") THEN (extract(epoch FROM " + expr + ") * 1000000)::int8 END";
}

// What the source expected of the target's row: the inserted row, or the
// old row an update or delete carries under REPLICA IDENTITY FULL.
const wire::Tuple* expected_row(const apply::ConflatedEntry& e) {
    if (!e.first) return nullptr;
    if (e.first->kind == apply::ChangeKind::insert) return &e.first->new_tuple;
    if (e.first->old_kind == wire::OldKind::full) return &e.first->old_tuple;
    return nullptr;
}

std::int64_t unix_to_pg(std::string_view unix_micros) {
    return std::stoll(std::string(unix_micros)) - pg::kPgEpochOffsetMicros;
}

std::vector<const wire::Tuple*> tuples_of(const std::vector<const apply::ConflatedEntry*>& entries) {
    std::vector<const wire::Tuple*> rows;
    rows.reserve(entries.size());
    for (const auto* e : entries) rows.push_back(&e->tuple());
    return rows;
}

struct Unnest {
    apply::ArrayColumns keys;
    std::vector<std::string> args, aliases;
    std::string version;  // the change's version in the column's type, or empty
    std::string clause() const {
        return "unnest(" + join(args, ", ") + ") WITH ORDINALITY AS u(" + join(aliases, ", ") + ", o)";
    }
};

Unnest unnest_keys(apply::Statement& s, const apply::RelationInfo& rel, const TablePolicy& policy,
                   const std::vector<const wire::Tuple*>& rows, bool with_version) {
    Unnest u;
    u.keys = apply::add_arrays(s, rel, rel.key, rows, "c");
    u.args = u.keys.args;
    u.aliases = u.keys.aliases;
    if (with_version && policy.version_column) {
        apply::ArrayColumns v = apply::add_arrays(s, rel, {*policy.version_column}, rows, "v");
        u.args.push_back(v.args[0]);
        u.aliases.push_back(v.aliases[0]);
        u.version = "(" + v.exprs[0] + ")::" + rel.columns[*policy.version_column].target_type;
    }
    return u;
}

std::string key_match(const apply::RelationInfo& rel, const apply::ArrayColumns& keys) {
    std::vector<std::string> preds;
    for (std::size_t j = 0; j < rel.key.size(); ++j)
        preds.push_back("t." + rel.columns[rel.key[j]].quoted + " = " + keys.exprs[j]);
    return join(preds, " AND ");
}

std::string valid_version(const std::string& expr, bool time) {
    return "(" + expr + " IS NOT NULL" + (time ? " AND pg_catalog.isfinite(" + expr + ")" : std::string()) + ")";
}

}  // namespace

bool probes_every_row(const TablePolicy& policy, const ProbeSettings& settings) noexcept {
    return !settings.commit_timestamps || policy.version_column || policy.soft_delete_column;
}

bool expects_row(const apply::ConflatedEntry& entry) noexcept {
    return !entry.first || entry.first->kind != apply::ChangeKind::insert || entry.op == apply::EntryOp::remove;
}

apply::Statement row_probe(const apply::RelationInfo& rel, const TablePolicy& policy,
                           const std::vector<const apply::ConflatedEntry*>& entries, const ProbeSettings& settings) {
    apply::Statement s;
    s.reusable = true;
    s.context = "while checking " + std::to_string(entries.size()) + " rows of " + rel.target_table + " for conflicts";
    Unnest u = unnest_keys(s, rel, policy, tuples_of(entries), true);

    // Without commit timestamps, REPLICA IDENTITY FULL still tells whether
    // the row is what the source last saw.
    std::string match = "NULL::boolean";
    if (!settings.commit_timestamps && rel.full_identity()) {
        std::vector<const wire::Tuple*> expected;
        bool all = true;
        for (const auto* e : entries) {
            const wire::Tuple* x = expected_row(*e);
            all = all && x && x->size() == rel.columns.size();
            expected.push_back(x);
        }
        if (all) {
            std::vector<std::size_t> cols(rel.columns.size());
            for (std::size_t i = 0; i < cols.size(); ++i) cols[i] = i;
            apply::ArrayColumns x = apply::add_arrays(s, rel, cols, expected, "x");
            u.args.insert(u.args.end(), x.args.begin(), x.args.end());
            u.aliases.insert(u.aliases.end(), x.aliases.begin(), x.aliases.end());
            std::vector<std::string> same;
            for (std::size_t i = 0; i < cols.size(); ++i)
                same.push_back("t." + rel.columns[i].quoted + "::text IS NOT DISTINCT FROM (" + x.exprs[i] + ")::text");
            match = "(" + join(same, " AND ") + ")";
        }
    }

    std::string vcmp = "NULL::int", tv_time = "NULL::int8", tv_ok = "false";
    if (policy.version_column) {
        const std::string tv = "t." + rel.columns[*policy.version_column].quoted;
        tv_ok = valid_version(tv, policy.version_is_time);
        vcmp = "CASE WHEN NOT (" + tv_ok + " AND " + valid_version(u.version, policy.version_is_time) +
               ") THEN NULL WHEN " + tv + " < " + u.version + " THEN -1 WHEN " + tv + " > " + u.version +
               " THEN 1 ELSE 0 END";
        if (policy.version_is_time) tv_time = epoch_micros(tv);
    }
    std::string soft = "false";
    if (policy.soft_delete_column) {
        const std::string sd = "t." + rel.columns[*policy.soft_delete_column].quoted;
        soft = sd + " IS NOT NULL AND " + sd + "::text <> 'false'";
    }
    std::string r = "SELECT u.o, t.xmin AS x, " + vcmp + " AS vcmp, " + tv_time + " AS tvt, " + tv_ok + " AS tvok, " +
                    soft + " AS sd, " + match + " AS m FROM u JOIN " + rel.target_table + " AS t ON " +
                    key_match(rel, u.keys) + " FOR UPDATE OF t";
    std::string x = settings.commit_timestamps
                        ? ", x AS (SELECT d.x, c.timestamp AS ts, c.roident AS ro FROM (SELECT DISTINCT r.x FROM r) "
                          "AS d CROSS JOIN LATERAL pg_catalog.pg_xact_commit_timestamp_origin(d.x) AS c)"
                        : std::string(", x AS (SELECT NULL::xid AS x, NULL::timestamptz AS ts, NULL::oid AS ro)");
    std::string existing =
        "SELECT r.o, true, x.ts::text, x.ro, r.vcmp, r.tvt, r.tvok, r.sd, r.m FROM r LEFT JOIN x "
        "ON x.x = r.x";
    std::string missing =
        "SELECT u.o, false, NULL::text, NULL::oid, NULL::int, NULL::int8, false, false, "
        "NULL::boolean FROM u WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.o = u.o)";
    s.sql =
        "WITH u AS (SELECT * FROM " + u.clause() + "), r AS (" + r + ")" + x + " " + existing + " UNION ALL " + missing;
    return s;
}

apply::Statement key_probe(const apply::RelationInfo& rel, const TablePolicy& policy,
                           const std::vector<const apply::ConflatedEntry*>& entries,
                           const std::vector<std::size_t>& ordinals) {
    apply::Statement s;
    s.reusable = true;
    s.context = "while looking up tombstones of " + std::to_string(entries.size()) + " keys of " + rel.target_table;
    Unnest u = unnest_keys(s, rel, policy, tuples_of(entries), true);
    std::vector<std::optional<std::string>> numbers;
    numbers.reserve(ordinals.size());
    for (std::size_t o : ordinals) numbers.emplace_back(std::to_string(o));
    u.args.push_back(text_array_param(s, numbers) + "::int8[]");
    u.aliases.push_back("o");
    const std::string from = "unnest(" + join(u.args, ", ") + ") AS u(" + join(u.aliases, ", ") + ")";
    std::string key = record_key_sql(s, rel, u.keys.exprs);
    const std::string table = "$" + std::to_string(s.own(rel.target_table, true, apply::kTextOid)) + "::text";
    const std::string tombstone =
        "tidemark.tombstones AS b ON b.target_table = " + table + " AND b.record_key = " + key;
    if (!u.version.empty()) {
        // Every key: the change's version as a time is needed for all.
        const std::string svt = policy.version_is_time ? epoch_micros(u.version) : std::string("NULL::int8");
        s.sql = "SELECT u.o, " + valid_version(u.version, policy.version_is_time) + ", " + svt +
                ", b.commit_time::text, b.source_name FROM " + from + " LEFT JOIN " + tombstone;
        return s;
    }
    // Only the keys with a tombstone, and nothing at all (one check) while
    // the table has none.
    s.sql = "SELECT u.o, false, NULL::int8, b.commit_time::text, b.source_name FROM " + from + " JOIN " + tombstone +
            " WHERE EXISTS (SELECT 1 FROM tidemark.tombstones AS e WHERE e.target_table = " + table + ")";
    return s;
}

apply::Statement row_json_probe(const apply::RelationInfo& rel, const std::vector<const wire::Tuple*>& rows) {
    apply::Statement s;
    s.reusable = true;
    s.context = "while reading " + std::to_string(rows.size()) + " conflicting rows of " + rel.target_table;
    apply::ArrayColumns keys = apply::add_arrays(s, rel, rel.key, rows, "c");
    s.sql = "SELECT u.o, pg_catalog.to_jsonb(t)::text FROM unnest(" + join(keys.args, ", ") +
            ") WITH ORDINALITY AS u(" + join(keys.aliases, ", ") + ", o) JOIN " + rel.target_table + " AS t ON " +
            key_match(rel, keys);
    return s;
}

std::vector<TargetRow> unanswered_rows(const std::vector<const apply::ConflatedEntry*>& entries) {
    std::vector<TargetRow> out(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        // An insert writes its row whether it is absent or there and ours.
        out[i].exists = expects_row(*entries[i]);
        out[i].ours = out[i].exists;
    }
    return out;
}

namespace {

TargetRow& slot(std::vector<TargetRow>& rows, std::string_view ordinal) {
    std::size_t i = std::stoul(std::string(ordinal));
    if (i < 1 || i > rows.size())
        throw apply::ApplyError("the conflict probe returned ordinal " + std::string(ordinal) + " for " +
                                std::to_string(rows.size()) + " entries");
    return rows[i - 1];
}

}  // namespace

void read_row_probe(const pg::Result& result, std::vector<TargetRow>& rows) {
    for (int i = 0; i < result.rows(); ++i) {
        TargetRow& t = slot(rows, result.value(i, 0));
        t = TargetRow{};
        t.exists = result.value(i, 1) == "t";
        if (auto v = result.optional_value(i, 2)) t.commit_time = pg::parse_timestamp(*v);
        if (auto v = result.optional_value(i, 3)) t.origin_id = static_cast<std::uint32_t>(std::stoul(std::string(*v)));
        if (auto v = result.optional_value(i, 4)) t.version_cmp = std::stoi(std::string(*v));
        if (auto v = result.optional_value(i, 5)) t.target_version_time = unix_to_pg(*v);
        t.target_version_valid = result.value(i, 6) == "t";
        t.soft_deleted = result.value(i, 7) == "t";
        if (auto v = result.optional_value(i, 8)) t.matches_expected = *v == "t";
    }
}

void read_key_probe(const pg::Result& result, std::vector<TargetRow>& rows) {
    for (int i = 0; i < result.rows(); ++i) {
        TargetRow& t = slot(rows, result.value(i, 0));
        t.source_version_valid = result.value(i, 1) == "t";
        if (auto v = result.optional_value(i, 2)) t.source_version_time = unix_to_pg(*v);
        if (auto v = result.optional_value(i, 3)) t.tombstone_time = pg::parse_timestamp(*v);
        if (auto v = result.optional_value(i, 4)) t.tombstone_source = std::string(*v);
    }
}

apply::Statement xmin_probe(const apply::RelationInfo& rel, const std::vector<const apply::ConflatedEntry*>& entries) {
    apply::Statement s;
    s.reusable = true;
    s.context = "while checking " + std::to_string(entries.size()) + " rows of " + rel.target_table + " for conflicts";
    TablePolicy none;
    Unnest u = unnest_keys(s, rel, none, tuples_of(entries), false);
    std::vector<std::optional<std::string>> expects;
    for (const auto* e : entries) expects.emplace_back(expects_row(*e) ? "t" : "f");
    u.args.push_back(text_array_param(s, expects) + "::boolean[]");
    u.aliases.push_back("e");
    s.sql =
        "SELECT g.x::text, g.found, g.expected, c.timestamp::text, c.roident FROM (SELECT t.xmin AS x, "
        "count(*) AS found, count(*) FILTER (WHERE u.e) AS expected FROM unnest(" +
        join(u.args, ", ") + ") AS u(" + join(u.aliases, ", ") + ") JOIN " + rel.target_table + " AS t ON " +
        key_match(rel, u.keys) +
        " GROUP BY t.xmin) AS g CROSS JOIN LATERAL pg_catalog.pg_xact_commit_timestamp_origin(g.x) AS c";
    return s;
}

apply::Statement rows_with_xmins(const apply::RelationInfo& rel,
                                 const std::vector<const apply::ConflatedEntry*>& entries,
                                 const std::vector<std::string>& xmins) {
    apply::Statement s;
    s.reusable = true;
    s.context = "while finding the rows of " + rel.target_table + " someone else wrote";
    TablePolicy none;
    Unnest u = unnest_keys(s, rel, none, tuples_of(entries), false);
    std::vector<std::optional<std::string>> listed(xmins.begin(), xmins.end());
    s.sql = "SELECT u.o, t.xmin::text FROM " + u.clause() + " JOIN " + rel.target_table + " AS t ON " +
            key_match(rel, u.keys) + " WHERE t.xmin = ANY(" + text_array_param(s, listed) + "::xid[])";
    return s;
}

apply::Statement missing_rows(const apply::RelationInfo& rel,
                              const std::vector<const apply::ConflatedEntry*>& entries) {
    apply::Statement s;
    s.reusable = true;
    s.context = "while finding the rows of " + rel.target_table + " that are missing";
    TablePolicy none;
    Unnest u = unnest_keys(s, rel, none, tuples_of(entries), false);
    std::vector<std::optional<std::string>> expects;
    for (const auto* e : entries) expects.emplace_back(expects_row(*e) ? "t" : "f");
    u.args.push_back(text_array_param(s, expects) + "::boolean[]");
    u.aliases.push_back("e");
    s.sql = "SELECT u.o FROM " + u.clause() + " WHERE u.e AND NOT EXISTS (SELECT 1 FROM " + rel.target_table +
            " AS t WHERE " + key_match(rel, u.keys) + ")";
    return s;
}

void read_row_json(const pg::Result& result, const std::vector<std::size_t>& entry_of,
                   std::vector<TargetRow>& targets) {
    for (int i = 0; i < result.rows(); ++i) {
        std::size_t o = std::stoul(std::string(result.value(i, 0)));
        if (o < 1 || o > entry_of.size()) continue;
        targets[entry_of[o - 1]].row_json = std::string(result.value(i, 1));
    }
}

}  // namespace tidemark::conflict
