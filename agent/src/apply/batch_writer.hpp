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
// Must not: commit a transaction that holds part of a source transaction
// (the Applier decides when to commit), or hold changes after write()
// returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apply/apply_session.hpp"
#include "apply/change.hpp"
#include "config/config.hpp"
#include "pg/lsn.hpp"
#include "state/table_stats.hpp"

namespace tidemark::apply {

struct WriterSettings {
    std::string pipeline;
    config::OnError on_error = config::OnError::dead_letter;
};

// The end of the last source transaction a target transaction applies.
struct CommitPoint {
    pg::Lsn end_lsn;
    std::int64_t commit_time = 0;
};

// True for SQLSTATEs that say something about the data or the target's
// definitions (classes 22, 23, 42, 44, 54, 0A, P0), after which the
// batch is worth applying change by change; anything else ends the
// attempt.
bool is_data_error(std::string_view sqlstate) noexcept;

class BatchWriter {
public:
    BatchWriter(ApplySession& session, WriterSettings settings);

    // Writes `changes` in the open target transaction (opening one when
    // needed).  With `commit`, the transaction is then committed with the
    // origin stamped at commit->end_lsn, adding `txn_stats` plus this
    // batch's counts to tidemark.table_stats.  On return `txn_stats`
    // includes this batch.  `changes` must not move until write returns.
    // Throws ApplyError (on_error = stop), pg::DatabaseError.
    void write(const std::vector<Change>& changes, const std::optional<CommitPoint>& commit,
               state::StatsDeltas& txn_stats);

    // Dead letters written by committed and uncommitted batches alike.
    long long dead_letters() const noexcept { return dead_letters_; }

private:
    std::vector<Statement> plan(const std::vector<Change>& changes, state::StatsDeltas& stats);
    void replay(const std::vector<Change>& changes, state::StatsDeltas& stats);
    // Parks a refused change (or stops).  `stats` gets the dead letter.
    void refuse(const Change& change, const std::optional<std::string>& sqlstate, const std::string& error,
                state::StatsDeltas& stats, std::vector<Statement>* queue);
    std::vector<Statement> commit_statements(const CommitPoint& commit, const state::StatsDeltas& stats) const;
    [[noreturn]] void fail(const pg::DatabaseError& error);

    ApplySession& session_;
    WriterSettings settings_;
    long long dead_letters_ = 0;
};

// Adds one applied change to the statistics of its table(s).
void count_change(const Change& change, state::StatsDeltas& stats);

}  // namespace tidemark::apply
