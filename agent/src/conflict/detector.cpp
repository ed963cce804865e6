// See detector.hpp.
#include "conflict/detector.hpp"

#include "pg/quoting.hpp"

#include "apply/apply_error.hpp"
#include "apply/statement_builder.hpp"
#include "conflict/classifier.hpp"
#include "conflict/conflict_log_statement.hpp"
#include "conflict/late_arrival_statement.hpp"
#include "conflict/tombstone_statements.hpp"
#include "log/event.hpp"
#include "pg/quoting.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::conflict {
namespace {

constexpr std::chrono::hours kPurgeInterval{1};

std::string operation_of(const apply::ConflatedEntry& e) {
    if (!e.last) return "update";
    return std::string(apply::to_string(e.last->kind));
}

}  // namespace

Detector::Detector(std::string pipeline, Policy policy) : pipeline_(std::move(pipeline)), policy_(std::move(policy)) {}

void Detector::prepare(pg::Connection& conn) {
    pg::Result show = conn.exec("SHOW track_commit_timestamp", "while checking track_commit_timestamp on the target");
    probe_settings_.commit_timestamps = show.value(0, 0) == "on";
    load_origins(conn);
    if (!probe_settings_.commit_timestamps)
        log::warn(
            "track_commit_timestamp is off on the target: who last wrote a row cannot be seen, so insert_exists, "
            "update_differs and delete_differs are detected only on tables with REPLICA IDENTITY FULL (by "
            "comparing the old row) and not at all elsewhere; update_missing and delete_missing are always "
            "detected (set track_commit_timestamp = on on the target and restart it to see every kind)");
    prepared_ = true;
}

void Detector::load_origins(pg::Connection& conn) {
    pg::Result r = conn.exec("SELECT roident, roname FROM pg_catalog.pg_replication_origin",
                             "while reading the target's replication origins");
    origins_.clear();
    probe_settings_.our_origins.clear();
    for (int i = 0; i < r.rows(); ++i) {
        auto id = static_cast<std::uint32_t>(std::stoul(std::string(r.value(i, 0))));
        origins_[id] = std::string(r.value(i, 1));
        if (policy_.is_ours(origins_[id])) probe_settings_.our_origins.push_back(id);
    }
}

void Detector::name_writers(std::vector<TargetRow>& rows, pg::Connection& conn) {
    bool reloaded = false;
    for (TargetRow& t : rows) {
        if (!t.origin_id || *t.origin_id == 0) continue;
        auto it = origins_.find(*t.origin_id);
        if (it == origins_.end() && !reloaded) {
            // An origin created since the session started.
            load_origins(conn);
            reloaded = true;
            it = origins_.find(*t.origin_id);
        }
        // A dropped origin: some other writer whose name is gone.
        t.origin = it != origins_.end() ? it->second : "origin " + std::to_string(*t.origin_id);
        t.ours = policy_.is_ours(t.origin);
    }
}

const TablePolicy& Detector::table_policy(const apply::RelationInfo& rel) {
    auto key = std::make_pair(rel.relid, rel.schema_version);
    auto it = tables_.find(key);
    if (it == tables_.end()) it = tables_.emplace(key, policy_.for_relation(rel)).first;
    return it->second;
}

namespace {

void create_local_delete_trigger(pg::Connection& conn, const std::string& table, const std::string& local_source) {
    conn.exec("CREATE OR REPLACE TRIGGER tidemark_local_delete AFTER DELETE ON " + table +
                  " FOR EACH ROW EXECUTE FUNCTION tidemark.record_local_delete(" + pg::quote_literal(local_source) +
                  ")",
              "while making " + table +
                  " record its local deletes as tombstones ([conflicts] local_source; needs ownership of the "
                  "table or the TRIGGER privilege)");
}

}  // namespace

void Detector::arm_existing_tables(pg::Connection& conn, const catalog::TableFilter& filter) {
    if (policy_.local_source().empty()) return;
    pg::Result r = conn.exec(
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
        "c.relnamespace WHERE c.relkind = 'r' AND NOT c.relispartition AND n.nspname <> 'tidemark' AND n.nspname "
        "<> 'information_schema' AND n.nspname !~ '^pg_' AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE "
        "i.indrelid = c.oid AND i.indisprimary) ORDER BY 1, 2",
        "while listing the target's tables that record local deletes");
    int armed = 0;
    for (int i = 0; i < r.rows(); ++i) {
        std::string schema(r.value(i, 0)), name(r.value(i, 1));
        if (!filter.selects(schema, name)) continue;
        create_local_delete_trigger(conn, pg::quote_qualified(schema, name), policy_.local_source());
        ++armed;
    }
    log::info("tables on the target record their own deletes as tombstones of the local source",
              {{"local_source", policy_.local_source()}, {"tables", std::to_string(armed)}});
}

void Detector::arm_local_deletes(const apply::RelationInfo& rel, pg::Connection& conn) {
    if (policy_.local_source().empty()) return;
    if (!local_deletes_armed_.insert({rel.relid, rel.schema_version}).second) return;
    // Inside the target transaction being applied: it commits with it, and
    // cannot wait on a lock this session holds on the table.
    create_local_delete_trigger(conn, rel.target_table, policy_.local_source());
}

bool Detector::probes(const apply::TableConflation& table) {
    const apply::RelationInfo& rel = table.relation();
    if (!rel.keyed()) {
        if (keyless_logged_.insert(rel.relid).second)
            log::warn("conflicts are not detected on a table without a key; its rows are applied as they come",
                      {{"table", rel.source_table}, {"target_table", rel.target_table}});
        return false;
    }
    return !table.entries().empty();
}

std::vector<apply::Statement> Detector::probe(const apply::TableConflation& table, ProbeResults& results) {
    std::vector<const apply::ConflatedEntry*> entries;
    entries.reserve(table.entries().size());
    for (const auto& e : table.entries()) entries.push_back(&e);
    const TablePolicy& tp = table_policy(table.relation());
    std::vector<apply::Statement> out;
    // Tombstones matter for rows that may be absent: every row when every
    // row is probed, else the inserts (the missing rows the source
    // expected are looked up when the lean probe finds some).
    std::vector<const apply::ConflatedEntry*> keyed;
    std::vector<std::size_t> ordinals;
    const bool every = probes_every_row(tp, probe_settings_);
    for (std::size_t i = 0; i < entries.size(); ++i)
        if (every || !expects_row(*entries[i])) {
            keyed.push_back(entries[i]);
            ordinals.push_back(i + 1);
        }
    if (every)
        out.push_back(row_probe(table.relation(), tp, entries, probe_settings_));
    else
        out.push_back(xmin_probe(table.relation(), entries));
    out.back().result = &results.rows;
    if (!keyed.empty()) {
        out.push_back(key_probe(table.relation(), tp, keyed, ordinals));
        out.back().result = &results.keys;
    }
    return out;
}

std::vector<apply::Statement> Detector::resolve(const apply::TableConflation& table, const ProbeResults& results,
                                                DetectionCounts& counts, std::int64_t now,
                                                apply::ApplySession& session) {
    const apply::RelationInfo& rel = table.relation();
    const TablePolicy& tp = table_policy(rel);
    arm_local_deletes(rel, session.connection());
    const auto& entries = table.entries();
    std::vector<const apply::ConflatedEntry*> probed;
    probed.reserve(entries.size());
    for (const auto& e : entries) probed.push_back(&e);
    const bool every = probes_every_row(tp, probe_settings_);
    std::vector<TargetRow> rows = unanswered_rows(probed);
    std::optional<apply::RowGuard> guard;
    if (every) {
        read_row_probe(results.rows, rows);
        name_writers(rows, session.connection());
    } else {
        guard = read_xmin_groups(rel, probed, results.rows, rows, session);
    }
    read_key_probe(results.keys, rows);
    std::vector<Decision> decisions;
    decisions.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const apply::ConflatedEntry& e = entries[i];
        decisions.push_back(classify(rel, tp, policy_, e, rows[i], now));
        const Decision& d = decisions.back();
        if (d.error)
            throw apply::ApplyError(
                "conflict on " + rel.source_table + " (target " + rel.target_table + "), key " +
                describe_key(rel, e.tuple()) + ": " + *d.error + ", and its strategy is \"error\"" +
                (e.last ? " (source transaction " + std::to_string(e.last->txn.xid) + ")" : std::string()) +
                "; nothing of this target transaction was applied and the slot keeps it. Settle the row on the "
                "target, or give the table another strategy in [conflicts] default or [[conflicts.rules]], and "
                "run again");
    }

    // The target's side of each logged conflict, read while the rows are
    // locked and before this batch writes them.
    std::vector<const wire::Tuple*> wanted;
    std::vector<std::size_t> entry_of;
    for (std::size_t i = 0; i < entries.size(); ++i)
        if (!decisions[i].conflicts.empty() && rows[i].exists) {
            wanted.push_back(&entries[i].tuple());
            entry_of.push_back(i);
        }
    if (!wanted.empty()) {
        pg::Result json;
        apply::Statement s = row_json_probe(rel, wanted);
        s.result = &json;
        apply::PipelineOutcome o = session.run(std::move(s));
        if (!o.ok()) throw *o.error;
        read_row_json(json, entry_of, rows);
    }

    apply::KeyedRows writes;
    std::vector<LoggedConflict> conflicts;
    std::vector<LoggedLate> late;
    std::vector<Tombstone> tombstones;
    std::vector<const wire::Tuple*> cleared;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const apply::ConflatedEntry& e = entries[i];
        const Decision& d = decisions[i];
        const wire::Tuple& tuple = e.tuple();
        if (d.write) {
            switch (d.op) {
                case apply::EntryOp::remove:
                    writes.removes.push_back(&tuple);
                    break;
                case apply::EntryOp::upsert:
                    // A row the probe found is updated: cheaper than an
                    // upsert, and a row gone since fails the guard's count.
                    if (rows[i].exists)
                        writes.partial.push_back(&tuple);
                    else
                        writes.upserts.push_back(&tuple);
                    break;
                case apply::EntryOp::partial_update:
                    writes.partial.push_back(d.columns_only ? &*d.columns_only : &tuple);
                    break;
            }
        }
        for (const auto& rec : d.conflicts) {
            conflicts.push_back(LoggedConflict{&tuple, e.last, &rec, &rows[i]});
            ++counts.conflicts[rec.kind][std::string(config::to_string(rec.strategy))];
        }
        for (const auto& l : d.late) {
            late.push_back(LoggedLate{&tuple, e.last, operation_of(e), &l});
            ++counts.late[l.reason];
        }
        if (d.invalid_version) ++counts.late["invalid_version"];
        if (d.tombstone && e.last) tombstones.push_back(Tombstone{&tuple, e.last->txn.commit_time});
        if (d.clear_tombstone) cleared.push_back(&tuple);
    }
    std::vector<apply::Statement> out = apply::keyed_statements(rel, writes, guard ? &*guard : nullptr);
    if (!cleared.empty()) out.push_back(tombstone_clear(rel, cleared));
    if (!tombstones.empty()) out.push_back(tombstone_upsert(policy_.source_name(), rel, tombstones));
    if (!conflicts.empty()) {
        out.push_back(conflict_log_statement(pipeline_, policy_, rel, conflicts));
        log::info("conflicts resolved by policy",
                  {{"table", rel.source_table}, {"conflicts", std::to_string(conflicts.size())}});
    }
    if (!late.empty()) out.push_back(late_arrival_statement(pipeline_, policy_, rel, late));
    return out;
}

apply::RowGuard Detector::read_xmin_groups(const apply::RelationInfo& rel,
                                           const std::vector<const apply::ConflatedEntry*>& entries,
                                           const pg::Result& groups, std::vector<TargetRow>& rows,
                                           apply::ApplySession& session) {
    struct Writer {
        std::optional<std::int64_t> commit_time;
        std::optional<std::uint32_t> origin_id;
    };
    apply::RowGuard guard;
    std::map<std::string, Writer> foreign;
    long long expected_found = 0;
    std::vector<TargetRow> writers(static_cast<std::size_t>(groups.rows()));
    for (int i = 0; i < groups.rows(); ++i) {
        TargetRow& w = writers[static_cast<std::size_t>(i)];
        if (auto v = groups.optional_value(i, 3)) w.commit_time = pg::parse_timestamp(*v);
        if (auto v = groups.optional_value(i, 4)) w.origin_id = static_cast<std::uint32_t>(std::stoul(std::string(*v)));
    }
    name_writers(writers, session.connection());
    for (int i = 0; i < groups.rows(); ++i) {
        const TargetRow& w = writers[static_cast<std::size_t>(i)];
        std::string xmin(groups.value(i, 0));
        guard.xmins.push_back(xmin);
        expected_found += std::stoll(std::string(groups.value(i, 2)));
        // No commit timestamp: no evidence of another writer.
        if (w.commit_time && !w.ours) foreign.emplace(xmin, Writer{w.commit_time, w.origin_id});
    }
    long long expecting = 0;
    for (const auto* e : entries) expecting += expects_row(*e) ? 1 : 0;
    if (foreign.empty() && expected_found == expecting) return guard;

    // Someone else wrote some rows, or rows are missing: which ones (and
    // the tombstones of the rows the source expected).
    pg::Result with_xmins, missing, tombstones;
    std::vector<apply::Statement> follow;
    if (!foreign.empty()) {
        std::vector<std::string> xmins;
        for (const auto& [x, w] : foreign) xmins.push_back(x);
        follow.push_back(rows_with_xmins(rel, entries, xmins));
        follow.back().result = &with_xmins;
    }
    if (expected_found != expecting) {
        follow.push_back(missing_rows(rel, entries));
        follow.back().result = &missing;
        std::vector<const apply::ConflatedEntry*> expected;
        std::vector<std::size_t> ordinals;
        for (std::size_t i = 0; i < entries.size(); ++i)
            if (expects_row(*entries[i])) {
                expected.push_back(entries[i]);
                ordinals.push_back(i + 1);
            }
        follow.push_back(key_probe(rel, table_policy(rel), expected, ordinals));
        follow.back().result = &tombstones;
    }
    apply::PipelineOutcome o = session.run(follow);
    if (!o.ok()) throw *o.error;
    for (int i = 0; i < with_xmins.rows(); ++i) {
        std::size_t o_index = std::stoul(std::string(with_xmins.value(i, 0)));
        if (o_index < 1 || o_index > rows.size()) continue;
        const Writer& w = foreign.at(std::string(with_xmins.value(i, 1)));
        TargetRow& t = rows[o_index - 1];
        t = TargetRow{};
        t.exists = true;
        t.commit_time = w.commit_time;
        t.origin_id = w.origin_id;
    }
    for (int i = 0; i < missing.rows(); ++i) {
        std::size_t o_index = std::stoul(std::string(missing.value(i, 0)));
        if (o_index < 1 || o_index > rows.size()) continue;
        rows[o_index - 1] = TargetRow{};
    }
    read_key_probe(tombstones, rows);
    name_writers(rows, session.connection());
    return guard;
}

std::vector<apply::Statement> Detector::commit_statements(std::int64_t commit_time) {
    std::vector<apply::Statement> out;
    out.push_back(source_watermark_upsert(policy_.source_name(), commit_time));
    auto now = std::chrono::steady_clock::now();
    if (!last_purge_ || now - *last_purge_ >= kPurgeInterval) {
        out.push_back(tombstone_purge(policy_.tombstone_retention()));
        last_purge_ = now;
    }
    return out;
}

}  // namespace tidemark::conflict
