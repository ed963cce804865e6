// See batch_writer.hpp.
#include "apply/batch_writer.hpp"

#include <map>
#include <memory>
#include <set>

#include "apply/apply_error.hpp"
#include "apply/conflation.hpp"
#include "apply/dead_letter_statement.hpp"
#include "apply/statement_builder.hpp"
#include "checkpoint/replication_origin.hpp"
#include "log/event.hpp"
#include "pg/database_error.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::apply {
namespace {

constexpr std::string_view kBatchSavepoint = "tidemark_batch";
constexpr std::string_view kChangeSavepoint = "tidemark_change";
constexpr std::string_view kLetterSavepoint = "tidemark_dead_letter";
// What enum_in says of a label its type lacks.
constexpr std::string_view kInvalidTextRepresentation = "22P02";

Statement control(std::string_view sql) { return Statement(std::string(sql), "while running " + std::string(sql)); }

std::string savepoint(std::string_view name) { return "SAVEPOINT " + std::string(name); }
std::string release(std::string_view name) { return "RELEASE SAVEPOINT " + std::string(name); }
std::string rollback_to(std::string_view name) { return "ROLLBACK TO SAVEPOINT " + std::string(name); }

std::string describe(const Change& ch) {
    std::string what = std::string(to_string(ch.kind));
    if (ch.relation) what += " on " + ch.relation->source_table;
    return what + " (source transaction " + std::to_string(ch.txn.xid) + ", commit " +
           pg::Lsn(ch.txn.final_lsn).to_string() + ")";
}

}  // namespace

bool is_data_error(std::string_view sqlstate) noexcept {
    if (sqlstate.size() != 5) return false;
    std::string_view cls = sqlstate.substr(0, 2);
    return cls == "22" || cls == "23" || cls == "42" || cls == "44" || cls == "54" || cls == "0A" || cls == "P0";
}

void count_change(const Change& ch, state::StatsDeltas& stats) {
    pg::Lsn lsn(ch.txn.final_lsn);
    if (ch.kind == ChangeKind::truncate) {
        for (const auto& rel : ch.truncated) {
            auto& d = stats[rel->partition_root.value_or(rel->source_table)];
            ++d.truncated;
            d.note_commit(ch.txn.commit_time, lsn);
        }
        return;
    }
    auto& d = stats[ch.relation->source_table];
    switch (ch.kind) {
        case ChangeKind::insert:
            ++d.inserted;
            break;
        case ChangeKind::update:
            ++d.updated;
            break;
        case ChangeKind::remove:
            ++d.deleted;
            break;
        case ChangeKind::truncate:
            break;
    }
    d.note_commit(ch.txn.commit_time, lsn);
}

BatchWriter::BatchWriter(ApplySession& session, WriterSettings settings, std::optional<conflict::Detector> detector)
    : session_(session), settings_(std::move(settings)), detector_(std::move(detector)) {}

void BatchWriter::fail(const pg::DatabaseError& error) {
    session_.rollback();
    discard();
    throw error;
}

conflict::DetectionCounts BatchWriter::take_committed() {
    conflict::DetectionCounts out = std::move(committed_counts_);
    committed_counts_.clear();
    return out;
}

std::vector<Statement> BatchWriter::commit_statements(const CommitPoint& commit, const state::StatsDeltas& stats) {
    std::vector<Statement> out;
    if (!stats.empty()) {
        state::StatsUpsert up = state::stats_upsert(settings_.pipeline, stats);
        out.push_back(Statement::with_text_params(std::move(up.sql), up.params, "while updating tidemark.table_stats"));
    }
    if (detector_)
        for (auto& s : detector_->commit_statements(commit.commit_time)) out.push_back(std::move(s));
    auto origin = checkpoint::ReplicationOrigin::xact_setup(commit.end_lsn, commit.commit_time);
    out.push_back(Statement::with_text_params(std::move(origin.sql), origin.params,
                                              "while recording the stream's progress in the replication origin"));
    if (commit.synchronous)
        out.push_back(Statement("SET LOCAL synchronous_commit = on", "while asking for a flushed commit"));
    out.push_back(Statement("COMMIT", "while committing a target transaction"));
    Statement where("SELECT pg_catalog.pg_current_wal_insert_lsn()::text, pg_catalog.pg_current_wal_flush_lsn()::text",
                    "while reading where the target transaction's commit landed in the target's WAL");
    where.result = &commit_position_;
    out.push_back(std::move(where));
    return out;
}

void BatchWriter::note_commit_position() {
    last_commit_.reset();
    if (commit_position_.rows() != 1) return;
    auto commit_end = pg::Lsn::try_parse(commit_position_.value(0, 0));
    auto flushed = pg::Lsn::try_parse(commit_position_.value(0, 1));
    if (commit_end && flushed) last_commit_ = LocalCommit{*commit_end, *flushed};
}

void BatchWriter::refuse(const Change& change, const std::optional<std::string>& sqlstate, const std::string& error,
                         state::StatsDeltas& stats, std::vector<Statement>* queue) {
    if (settings_.on_error == config::OnError::stop) {
        session_.rollback();
        discard();
        throw ApplyError("the target refused " + describe(change) + ": " + error +
                         "; on_error = \"stop\", so nothing of this transaction was applied and the slot keeps it "
                         "(fix the target, or set [sync] on_error = \"dead_letter\", and run again)");
    }
    ++dead_letters_;
    auto& d = stats[change.relation ? change.relation->source_table : std::string()];
    ++d.dead_lettered;
    log::warn("the target refused a change; it is kept in tidemark.dead_letters",
              {{"change", describe(change)}, {"sqlstate", sqlstate.value_or("")}, {"error", error}});
    if (queue) {
        // Inside the set-wise pipeline nothing has failed yet: the plain
        // form is enough and cannot fail on a value.
        queue->push_back(dead_letter_statement(settings_.pipeline, change, sqlstate, error, false));
        return;
    }
    std::vector<Statement> attempt;
    attempt.push_back(control(savepoint(kLetterSavepoint)));
    attempt.push_back(dead_letter_statement(settings_.pipeline, change, sqlstate, error, true));
    attempt.push_back(control(release(kLetterSavepoint)));
    PipelineOutcome o = session_.run(attempt);
    if (o.ok()) return;
    if (o.failed_index != 1) fail(*o.error);
    // The target could not read a value back: keep the wire form instead.
    std::vector<Statement> plain;
    plain.push_back(control(rollback_to(kLetterSavepoint)));
    plain.push_back(control(release(kLetterSavepoint)));
    plain.push_back(dead_letter_statement(settings_.pipeline, change, sqlstate, error, false));
    PipelineOutcome p = session_.run(plain);
    if (!p.ok()) fail(*p.error);
}

void BatchWriter::plan_units(const std::vector<Change>& changes, state::StatsDeltas& stats,
                             const std::function<void(std::unique_ptr<TableConflation>)>& on_table,
                             const std::function<void(const Change&)>& on_row) {
    // Tables with pending conflated rows, by relation object (a new schema
    // version is a new object and never shares a conflation).
    std::map<const RelationInfo*, std::unique_ptr<TableConflation>> tables;
    std::vector<const RelationInfo*> order;

    auto write_table = [&](const RelationInfo* rel) {
        auto it = tables.find(rel);
        if (it == tables.end()) return;
        on_table(std::move(it->second));
        tables.erase(it);
    };
    auto write_all = [&] {
        for (const RelationInfo* rel : order) write_table(rel);
        order.clear();
    };

    for (const Change& ch : changes) {
        if (ch.kind == ChangeKind::truncate) {
            // TRUNCATE ... CASCADE reaches tables it does not name: every
            // pending row goes first.
            write_all();
            on_row(ch);
            continue;
        }
        const RelationInfo* rel = ch.relation.get();
        auto it = tables.find(rel);
        if (it == tables.end()) {
            it = tables.emplace(rel, std::make_unique<TableConflation>(ch.relation)).first;
            order.push_back(rel);
        }
        if (it->second->absorb(ch)) {
            count_change(ch, stats);
            continue;
        }
        // Its place among this table's changes matters: the table's
        // pending rows first, then the change on its own.
        write_table(rel);
        on_row(ch);
    }
    write_all();
}

std::vector<Statement> BatchWriter::plan(const std::vector<Change>& changes, state::StatsDeltas& stats) {
    std::vector<Statement> out;
    plan_units(
        changes, stats,
        [&](std::unique_ptr<TableConflation> table) {
            for (auto& s : setwise_statements(*table)) out.push_back(std::move(s));
        },
        [&](const Change& ch) {
            RowPlan rp = row_statement(ch);
            if (!rp.refusal.empty()) {
                refuse(ch, std::string("55000"), rp.refusal, stats, &out);
                return;
            }
            if (rp.statement) out.push_back(std::move(*rp.statement));
            count_change(ch, stats);
        });
    return out;
}

std::optional<pg::DatabaseError> BatchWriter::plan_detected(const std::vector<Change>& changes,
                                                            std::vector<Statement>& stmts, std::size_t& plan_begin,
                                                            state::StatsDeltas& stats,
                                                            conflict::DetectionCounts& counts) {
    conflict::Detector& detector = *detector_;
    const std::int64_t now = pg::pg_now();
    // Conflations waiting for their probes: the probes of consecutive
    // tables share one round trip; a change written on its own comes after
    // them, so they are probed and resolved first.
    std::vector<std::unique_ptr<TableConflation>> segment;
    std::optional<pg::DatabaseError> refused;

    auto flush_segment = [&] {
        if (segment.empty() || refused) return;
        std::vector<conflict::Detector::ProbeResults> results(segment.size());
        std::vector<bool> probed(segment.size(), false);
        bool any = false;
        for (std::size_t i = 0; i < segment.size(); ++i) {
            if (!detector.probes(*segment[i])) continue;
            for (auto& p : detector.probe(*segment[i], results[i])) stmts.push_back(std::move(p));
            probed[i] = any = true;
        }
        if (any) {
            PipelineOutcome o = session_.run(stmts);
            if (!o.ok()) {
                if (*o.failed_index < plan_begin || !is_data_error(o.error->sqlstate())) fail(*o.error);
                refused = *o.error;
                segment.clear();
                return;
            }
            stmts.clear();
            plan_begin = 0;
        }
        for (std::size_t i = 0; i < segment.size(); ++i) {
            auto out = probed[i] ? detector.resolve(*segment[i], results[i], counts, now, session_)
                                 : setwise_statements(*segment[i]);
            for (auto& s : out) stmts.push_back(std::move(s));
        }
        segment.clear();
    };

    plan_units(
        changes, stats, [&](std::unique_ptr<TableConflation> table) { segment.push_back(std::move(table)); },
        [&](const Change& ch) {
            flush_segment();
            if (refused) return;
            RowPlan rp = row_statement(ch);
            if (!rp.refusal.empty()) {
                refuse(ch, std::string("55000"), rp.refusal, stats, &stmts);
                return;
            }
            if (rp.statement) stmts.push_back(std::move(*rp.statement));
            count_change(ch, stats);
        });
    flush_segment();
    return refused;
}

bool BatchWriter::replay_detected(const Change& ch, state::StatsDeltas& stats, conflict::DetectionCounts& counts) {
    if (ch.kind == ChangeKind::truncate || !ch.relation || !ch.relation->keyed()) return false;
    TableConflation one(ch.relation);
    if (!one.absorb(ch)) return false;
    conflict::Detector::ProbeResults result;
    std::vector<Statement> attempt;
    attempt.push_back(control(savepoint(kChangeSavepoint)));
    for (auto& p : detector_->probe(one, result)) attempt.push_back(std::move(p));
    PipelineOutcome o = session_.run(attempt);
    std::vector<Statement> writes;
    conflict::DetectionCounts change_counts;
    if (o.ok()) {
        for (auto& s : detector_->resolve(one, result, change_counts, pg::pg_now(), session_))
            writes.push_back(std::move(s));
        writes.push_back(control(release(kChangeSavepoint)));
        o = session_.run(writes);
        if (o.ok()) {
            count_change(ch, stats);
            counts.merge(change_counts);
            return true;
        }
        if (*o.failed_index + 1 == writes.size()) fail(*o.error);
    } else if (*o.failed_index == 0) {
        fail(*o.error);
    }
    if (!is_data_error(o.error->sqlstate())) fail(*o.error);
    std::vector<Statement> undo;
    undo.push_back(control(rollback_to(kChangeSavepoint)));
    undo.push_back(control(release(kChangeSavepoint)));
    PipelineOutcome u = session_.run(undo);
    if (!u.ok()) fail(*u.error);
    refuse(ch, o.error->sqlstate(), o.error->primary().empty() ? o.error->what() : o.error->primary(), stats, nullptr);
    return true;
}

void BatchWriter::replay(const std::vector<Change>& changes, state::StatsDeltas& stats,
                         conflict::DetectionCounts& counts) {
    for (const Change& ch : changes) {
        if (detector_ && replay_detected(ch, stats, counts)) continue;
        RowPlan rp = row_statement(ch);
        if (!rp.refusal.empty()) {
            refuse(ch, std::string("55000"), rp.refusal, stats, nullptr);
            continue;
        }
        if (!rp.statement) {
            count_change(ch, stats);
            continue;
        }
        std::vector<Statement> attempt;
        attempt.push_back(control(savepoint(kChangeSavepoint)));
        attempt.push_back(std::move(*rp.statement));
        attempt.push_back(control(release(kChangeSavepoint)));
        PipelineOutcome o = session_.run(attempt);
        if (o.ok()) {
            count_change(ch, stats);
            continue;
        }
        if (o.failed_index != 1 || !is_data_error(o.error->sqlstate())) fail(*o.error);
        std::vector<Statement> undo;
        undo.push_back(control(rollback_to(kChangeSavepoint)));
        undo.push_back(control(release(kChangeSavepoint)));
        PipelineOutcome u = session_.run(undo);
        if (!u.ok()) fail(*u.error);
        refuse(ch, o.error->sqlstate(), o.error->primary().empty() ? o.error->what() : o.error->primary(), stats,
               nullptr);
    }
}

bool BatchWriter::provide_types(const std::vector<Change>& changes) {
    std::set<const RelationInfo*> relations;
    std::vector<std::uint32_t> oids;
    for (const auto& ch : changes)
        if (ch.relation && relations.insert(ch.relation.get()).second)
            for (const auto& c : ch.relation->columns) oids.push_back(c.source_type);
    try {
        return settings_.types->provide(oids);
    } catch (const pg::DatabaseError& e) {
        if (e.is_connection_error()) throw;
        log::warn("could not bring the source's user-defined types to the target; the batch is applied as it is",
                  {{"sqlstate", e.sqlstate()}, {"error", e.what()}});
        return false;
    }
}

void BatchWriter::write(const std::vector<Change>& changes, const std::optional<CommitPoint>& commit,
                        state::StatsDeltas& txn_stats) {
    const bool open = session_.in_transaction();
    last_commit_.reset();
    if (changes.empty() && (!commit || !open)) return;
    if (detector_ && !detector_->prepared()) detector_->prepare(session_.connection());

    std::vector<Statement> stmts;
    // Earlier batches of this transaction must survive a failure of this
    // one; the first batch needs no savepoint, a ROLLBACK undoes it alone.
    const bool use_savepoint = open && !changes.empty();
    if (!open)
        stmts.push_back(control("BEGIN"));
    else if (use_savepoint)
        stmts.push_back(control(savepoint(kBatchSavepoint)));
    std::size_t plan_begin = stmts.size();
    state::StatsDeltas batch_stats;
    conflict::DetectionCounts batch_counts;
    auto finish = [&] {
        state::merge(txn_stats, batch_stats);
        txn_counts_.merge(batch_counts);
        if (commit) {
            committed_counts_.merge(txn_counts_);
            txn_counts_.clear();
            note_commit_position();
        }
    };
    // The "error" strategy stops before anything of the group commits.
    auto stop_on_conflict = [&](const ApplyError&) {
        session_.rollback();
        discard();
    };

    std::optional<pg::DatabaseError> refused;
    if (detector_) {
        try {
            refused = plan_detected(changes, stmts, plan_begin, batch_stats, batch_counts);
        } catch (const ApplyError& e) {
            stop_on_conflict(e);
            throw;
        }
    } else {
        for (auto& s : plan(changes, batch_stats)) stmts.push_back(std::move(s));
    }
    if (!refused) {
        const std::size_t plan_end = stmts.size();
        if (use_savepoint) stmts.push_back(control(release(kBatchSavepoint)));
        if (commit) {
            state::StatsDeltas total = txn_stats;
            state::merge(total, batch_stats);
            for (auto& s : commit_statements(*commit, total)) stmts.push_back(std::move(s));
        }
        PipelineOutcome outcome = session_.run(stmts);
        if (outcome.ok()) {
            finish();
            return;
        }
        std::size_t failed = *outcome.failed_index;
        if (failed < plan_begin || failed >= plan_end || !is_data_error(outcome.error->sqlstate()))
            fail(*outcome.error);
        refused = *outcome.error;
    }

    log::warn(
        "the target refused a batch; applying it change by change",
        {{"changes", std::to_string(changes.size())}, {"sqlstate", refused->sqlstate()}, {"error", refused->what()}});
    if (use_savepoint) {
        std::vector<Statement> undo;
        undo.push_back(control(rollback_to(kBatchSavepoint)));
        undo.push_back(control(release(kBatchSavepoint)));
        PipelineOutcome u = session_.run(undo);
        if (!u.ok()) fail(*u.error);
    } else {
        session_.rollback();
        session_.begin();
    }
    if (settings_.types && refused->sqlstate() == kInvalidTextRepresentation && provide_types(changes))
        log::info("the batch is applied again with the labels the target lacked");
    // Changes the plan parked already are parked again by the replay.
    for (const auto& [table, d] : batch_stats) dead_letters_ -= d.dead_lettered;
    batch_stats.clear();
    batch_counts.clear();
    try {
        replay(changes, batch_stats, batch_counts);
    } catch (const ApplyError& e) {
        stop_on_conflict(e);
        throw;
    }
    if (commit) {
        state::StatsDeltas total = txn_stats;
        state::merge(total, batch_stats);
        auto tail = commit_statements(*commit, total);
        PipelineOutcome c = session_.run(tail);
        if (!c.ok()) fail(*c.error);
    }
    finish();
}

}  // namespace tidemark::apply
