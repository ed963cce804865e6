// Applier: applies the stream's messages to the target in source commit
// order.  Several source transactions share one target transaction, which
// is closed at a source COMMIT once batch_size changes or
// max_batch_latency is reached; a source transaction bigger than
// batch_size is written in sub-batches inside one target transaction and
// committed at its own COMMIT, so the agent holds at most one sub-batch.
// The IDP gate drops changes the copy already holds.  RELATION (a new
// schema) and TRUNCATE keep their place in the order.  After each target
// commit, durable() is the source position that may be confirmed.
// Must not: commit part of a source transaction, or confirm anything that
// is not committed on the target.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apply/apply_session.hpp"
#include "apply/batch_writer.hpp"
#include "apply/change.hpp"
#include "apply/payload.hpp"
#include "apply/relation_registry.hpp"
#include "pg/lsn.hpp"
#include "state/table_stats.hpp"

namespace tidemark::apply {

struct ApplierSettings {
    std::size_t batch_size = 5000;
    std::chrono::milliseconds max_batch_latency{200};
    // With conflict detection: a target transaction holds only source
    // transactions whose commit times fall in one step of this many
    // microseconds, so that the commit time it records on the target is
    // right for every row at that resolution (0: no such bound).
    std::int64_t commit_time_step = 0;
};

// What this run applied (committed on the target), for the sync report.
struct ApplyCounters {
    state::StatsDeltas tables;
    long long transactions = 0;
    long long skipped_by_gate = 0;
    long long watermarks = 0;
    std::optional<std::int64_t> last_commit_time;
    // Conflicts detected (committed with their resolution), by kind
    // ("insert_exists", ...) then strategy ("last_write_wins", ...).
    std::map<std::string, std::map<std::string, long long>> conflicts;
    // Late or suspicious changes, by reason ("late", "future", ...).
    std::map<std::string, long long> late;
};

// Adds `from` to `into` (the newer last_commit_time wins).
void merge(ApplyCounters& into, const ApplyCounters& from);

class Applier {
public:
    using Clock = std::chrono::steady_clock;

    // `start` is where the stream starts: durable() until something commits.
    Applier(ApplySession& session, RelationRegistry& registry, BatchWriter& writer, ApplierSettings settings,
            pg::Lsn start);

    // Applies the messages of one payload (taking their tuples).
    void process(const std::shared_ptr<Payload>& payload);

    // A keepalive: the source has sent everything before `wal_end`.  Once
    // everything received before it is applied and flushed, so is
    // everything before `wal_end`, and durable() moves there (as
    // PostgreSQL's apply worker does): the slot need not keep WAL for an
    // idle or filtered stream, and a shutting-down walsender sees its last
    // position confirmed.
    void on_keepalive(pg::Lsn wal_end) noexcept;
    // Commits the target transaction when it holds only whole source
    // transactions and its latency is up, and learns how much of the
    // target's WAL is flushed.  Call it when no message arrived, and at
    // least every few hundred milliseconds however many arrive: a
    // shutting-down walsender asks for a reply again as soon as it gets
    // one, and its keepalives never leave the queue empty.
    void on_tick(Clock::time_point now);
    // Commits what is complete now, whatever the batch size.  Returns
    // false (and changes nothing) inside a source transaction.
    bool commit_now();
    // Gives up the target transaction in flight (rolled back; the source
    // sends it again from the origin's position next time).
    void abandon() noexcept;

    bool in_source_transaction() const noexcept { return in_txn_; }
    // When the open target transaction must be committed at the latest,
    // if one is waiting for its latency.
    std::optional<Clock::time_point> deadline() const noexcept;
    // The end LSN of the last source transaction committed on the target
    // and flushed there: the apply session commits asynchronously, as
    // PostgreSQL's apply worker does, and a position the target could
    // still lose in a crash is never confirmed to the source.
    pg::Lsn durable() const noexcept { return durable_; }
    // The end LSN of the last source COMMIT seen (applied or not yet).
    pg::Lsn last_seen_end() const noexcept { return last_end_; }
    const ApplyCounters& counters() const noexcept { return counters_; }

private:
    std::int64_t step_of(std::int64_t commit_time) const noexcept;
    // Moves durable() over the commits the target has flushed, and on to
    // the latest keepalive's position when nothing received is pending.
    void note_flushed(pg::Lsn flushed) noexcept;
    void poll_flushed();
    void on_begin(const wire::Begin& m);
    void on_commit(const wire::Commit& m);
    void on_relation(const wire::Relation& m);
    void add_change(Change change, const std::shared_ptr<Payload>& payload);
    void on_truncate(const wire::Truncate& m, const std::shared_ptr<Payload>& payload);
    std::shared_ptr<const RelationInfo> relation(std::uint32_t relid) const;
    void flush_pending();
    void close_group(bool synchronous = false);

    ApplySession& session_;
    RelationRegistry& registry_;
    BatchWriter& writer_;
    ApplierSettings settings_;

    bool in_txn_ = false;
    SourceTxn txn_;
    // The target transaction being built ("group").
    std::vector<Change> pending_;
    std::vector<std::shared_ptr<Payload>> pins_;
    state::StatsDeltas group_stats_;
    std::size_t group_changes_ = 0;
    long long group_txns_ = 0;
    std::optional<Clock::time_point> group_started_;
    pg::Lsn group_end_;
    std::int64_t group_commit_time_ = 0;

    pg::Lsn durable_;
    // The latest keepalive's position, for durable() once what came
    // before it is flushed.
    pg::Lsn keepalive_end_;
    // Committed groups not known to be flushed yet: where each commit
    // landed in the target's WAL, and the source position it applied.
    std::deque<std::pair<pg::Lsn, pg::Lsn>> unflushed_;
    pg::Lsn last_end_;
    ApplyCounters counters_;
};

}  // namespace tidemark::apply
