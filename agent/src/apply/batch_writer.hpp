// BatchWriter: writes a batch of changes into the target transaction.
// The fast path conflates the batch per table and key and sends one
// set-wise statement per table and operation, all in one pipeline, with
// the commit (statistics, origin progress, COMMIT) in the same round trip
// when the batch ends a target transaction.  When the target refuses the
// batch with a data error, the batch is rolled back (to a savepoint when
// the transaction already holds earlier batches) and applied again change
// by change, each under its own savepoint; a change the target still
// refuses goes to tidemark.dead_letters in the same transaction (on_error
// = dead_letter) or stops the sync before anything of the transaction is
// committed (on_error = stop).
// With a conflict::Detector (a [conflicts] or [late_data] section), each
// batch first sends one probe per keyed table (all in one pipeline), then
// writes what the policy decided with the conflict and late-data records
// in the same transaction; without one, nothing is probed.
// Must not: commit a transaction that holds part of a source transaction
// (the Applier decides when to commit), or hold changes after write()
// returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apply/apply_session.hpp"
#include "apply/change.hpp"
#include "config/config.hpp"
#include "conflict/detection_counts.hpp"
#include "conflict/detector.hpp"
#include "pg/lsn.hpp"
#include "schema/target_types.hpp"
#include "state/table_stats.hpp"

namespace tidemark::apply {

struct WriterSettings {
    std::string pipeline;
    config::OnError on_error = config::OnError::dead_letter;
    // auto_add_columns: a batch the target refuses as invalid input first
    // gets the enum labels the source added since the target's type was
    // made, then is applied change by change.  Owned by the caller.
    schema::TargetTypes* types = nullptr;
};

// The end of the last source transaction a target transaction applies.
struct CommitPoint {
    pg::Lsn end_lsn;
    std::int64_t commit_time = 0;
    // Wait for the flush: the last commit before the stream stops, so its
    // position can be confirmed without waiting for the WAL writer.
    bool synchronous = false;
};

// Where a target commit landed in the target's own WAL, and how much of
// that WAL was flushed when it was asked right after the commit.  The
// apply session commits without waiting for the flush (as PostgreSQL's
// apply worker does), so a source position may be confirmed only once
// the target has flushed the commit that applied it.
struct LocalCommit {
    pg::Lsn commit_end;
    pg::Lsn flushed;
};

// True for SQLSTATEs that say something about the data or the target's
// definitions (classes 22, 23, 42, 44, 54, 0A, P0), after which the
// batch is worth applying change by change; anything else ends the
// attempt.
bool is_data_error(std::string_view sqlstate) noexcept;

class BatchWriter {
public:
    BatchWriter(ApplySession& session, WriterSettings settings,
                std::optional<conflict::Detector> detector = std::nullopt);

    // Writes `changes` in the open target transaction (opening one when
    // needed).  With `commit`, the transaction is then committed with the
    // origin stamped at commit->end_lsn, adding `txn_stats` plus this
    // batch's counts to tidemark.table_stats.  On return `txn_stats`
    // includes this batch.  `changes` must not move until write returns.
    // Throws ApplyError (on_error = stop), pg::DatabaseError.
    void write(const std::vector<Change>& changes, const std::optional<CommitPoint>& commit,
               state::StatsDeltas& txn_stats);

    // Where the last commit of write() landed in the target's WAL.
    const std::optional<LocalCommit>& last_commit() const noexcept { return last_commit_; }

    // Dead letters written by committed and uncommitted batches alike.
    long long dead_letters() const noexcept { return dead_letters_; }

    // The conflicts and late changes of the transactions committed since
    // the last call.
    conflict::DetectionCounts take_committed();
    // The open target transaction was rolled back: forget its counts.
    void discard() noexcept { txn_counts_.clear(); }

private:
    // Splits a batch into what is written together: a table's conflated
    // rows (`on_table`), or one change on its own (`on_row`), in an order
    // that keeps each change's place where it matters.
    void plan_units(const std::vector<Change>& changes, state::StatsDeltas& stats,
                    const std::function<void(std::unique_ptr<TableConflation>)>& on_table,
                    const std::function<void(const Change&)>& on_row);
    std::vector<Statement> plan(const std::vector<Change>& changes, state::StatsDeltas& stats);
    // The plan with detection: probes are run (with `stmts`, which holds
    // the statements from `plan_begin` on not sent yet), and `stmts` ends
    // with what is still to send.  Returns the data error that refused
    // the batch, if one did.
    std::optional<pg::DatabaseError> plan_detected(const std::vector<Change>& changes, std::vector<Statement>& stmts,
                                                   std::size_t& plan_begin, state::StatsDeltas& stats,
                                                   conflict::DetectionCounts& counts);
    void replay(const std::vector<Change>& changes, state::StatsDeltas& stats, conflict::DetectionCounts& counts);
    // Creates on the target what the user types of the batch's relations
    // lack (settings_.types); true when it added anything.
    bool provide_types(const std::vector<Change>& changes);
    // One change with detection, under its own savepoint; false when it
    // cannot go through the detection path.
    bool replay_detected(const Change& change, state::StatsDeltas& stats, conflict::DetectionCounts& counts);
    // Parks a refused change (or stops).  `stats` gets the dead letter.
    void refuse(const Change& change, const std::optional<std::string>& sqlstate, const std::string& error,
                state::StatsDeltas& stats, std::vector<Statement>* queue);
    std::vector<Statement> commit_statements(const CommitPoint& commit, const state::StatsDeltas& stats);
    // Reads what the commit statements' last query answered.
    void note_commit_position();
    [[noreturn]] void fail(const pg::DatabaseError& error);

    ApplySession& session_;
    WriterSettings settings_;
    long long dead_letters_ = 0;
    std::optional<conflict::Detector> detector_;
    conflict::DetectionCounts txn_counts_;
    conflict::DetectionCounts committed_counts_;
    pg::Result commit_position_;
    std::optional<LocalCommit> last_commit_;
};

// Adds one applied change to the statistics of its table(s).
void count_change(const Change& change, state::StatsDeltas& stats);

}  // namespace tidemark::apply
