// See applier.hpp.
#include "apply/applier.hpp"

#include <thread>

#include <variant>

#include "apply/apply_error.hpp"
#include "apply/idp_gate.hpp"
#include "log/event.hpp"
#include "tidemark_protocol.h"

namespace tidemark::apply {

Applier::Applier(ApplySession& session, RelationRegistry& registry, BatchWriter& writer, ApplierSettings settings,
                 pg::Lsn start)
    : session_(session), registry_(registry), writer_(writer), settings_(settings), durable_(start), last_end_(start) {
    if (settings_.batch_size == 0) settings_.batch_size = 1;
}

std::shared_ptr<const RelationInfo> Applier::relation(std::uint32_t relid) const {
    auto rel = registry_.find(relid);
    if (!rel)
        throw ApplyError("the stream sent a change for relation " + std::to_string(relid) +
                         " before its RELATION message");
    return rel;
}

void Applier::process(const std::shared_ptr<Payload>& payload) {
    for (wire::Message& message : payload->messages) {
        std::visit(
            [&](auto& m) {
                using T = std::decay_t<decltype(m)>;
                if constexpr (std::is_same_v<T, wire::Begin>) {
                    on_begin(m);
                } else if constexpr (std::is_same_v<T, wire::Commit>) {
                    on_commit(m);
                } else if constexpr (std::is_same_v<T, wire::Relation>) {
                    on_relation(m);
                } else if constexpr (std::is_same_v<T, wire::Insert>) {
                    Change c;
                    c.kind = ChangeKind::insert;
                    c.relation = relation(m.relid);
                    c.new_tuple = std::move(m.new_tuple);
                    add_change(std::move(c), payload);
                } else if constexpr (std::is_same_v<T, wire::Update>) {
                    Change c;
                    c.kind = ChangeKind::update;
                    c.relation = relation(m.relid);
                    c.old_kind = m.old_kind;
                    c.old_tuple = std::move(m.old_tuple);
                    c.new_tuple = std::move(m.new_tuple);
                    add_change(std::move(c), payload);
                } else if constexpr (std::is_same_v<T, wire::Delete>) {
                    Change c;
                    c.kind = ChangeKind::remove;
                    c.relation = relation(m.relid);
                    c.old_kind = m.old_kind;
                    c.old_tuple = std::move(m.old_tuple);
                    add_change(std::move(c), payload);
                } else if constexpr (std::is_same_v<T, wire::Truncate>) {
                    on_truncate(m, payload);
                } else if constexpr (std::is_same_v<T, wire::LogicalMessage>) {
                    if (m.prefix == TM_WATERMARK_PREFIX) {
                        ++counters_.watermarks;
                        log::debug("watermark received", {{"lsn", pg::Lsn(m.lsn).to_string()},
                                                          {"content", std::string(m.content.substr(0, 200))}});
                    }
                } else if constexpr (std::is_same_v<T, wire::Unknown>) {
                    log::debug("skipped a message of unknown type", {{"type", std::to_string(m.code)}});
                } else {
                    // StreamStart/Stop/Commit/Abort: the agent never asks for
                    // in-progress transactions.
                    throw ApplyError(std::string("the stream sent a ") + std::string(wire::type_name(message)) +
                                     " message, but tidemark does not request streamed transactions");
                }
            },
            message);
    }
}

void merge(ApplyCounters& into, const ApplyCounters& from) {
    state::merge(into.tables, from.tables);
    into.transactions += from.transactions;
    into.skipped_by_gate += from.skipped_by_gate;
    into.watermarks += from.watermarks;
    if (from.last_commit_time) into.last_commit_time = from.last_commit_time;
    for (const auto& [kind, by_strategy] : from.conflicts)
        for (const auto& [strategy, n] : by_strategy) into.conflicts[kind][strategy] += n;
    for (const auto& [reason, n] : from.late) into.late[reason] += n;
}

std::int64_t Applier::step_of(std::int64_t commit_time) const noexcept {
    std::int64_t step = settings_.commit_time_step;
    std::int64_t q = commit_time / step;
    return commit_time % step < 0 ? q - 1 : q;
}

void Applier::on_begin(const wire::Begin& m) {
    if (in_txn_) throw ApplyError("the stream sent BEGIN inside a transaction");
    if (settings_.commit_time_step > 0 && group_txns_ > 0 &&
        step_of(m.commit_time) != step_of(group_commit_time_))
        close_group();
    in_txn_ = true;
    txn_ = SourceTxn{m.final_lsn, m.commit_time, m.xid};
    if (!group_started_) group_started_ = Clock::now();
}

void Applier::on_commit(const wire::Commit& m) {
    if (!in_txn_) throw ApplyError("the stream sent COMMIT outside a transaction");
    in_txn_ = false;
    group_end_ = pg::Lsn(m.end_lsn);
    group_commit_time_ = m.commit_time;
    last_end_ = pg::Lsn(m.end_lsn);
    ++group_txns_;
    if (group_changes_ >= settings_.batch_size ||
        (group_started_ && Clock::now() - *group_started_ >= settings_.max_batch_latency))
        close_group();
}

void Applier::on_relation(const wire::Relation& m) {
    if (!registry_.is_new(m)) return;
    // Rows pending for the old definition are written under it first.
    flush_pending();
    registry_.define(session_, m);
}

void Applier::add_change(Change change, const std::shared_ptr<Payload>& payload) {
    if (!in_txn_) throw ApplyError("the stream sent a change outside a transaction");
    if (IdpGate::already_copied(change.relation->high_water_mark, txn_.final_lsn)) {
        ++counters_.skipped_by_gate;
        return;
    }
    change.txn = txn_;
    pending_.push_back(std::move(change));
    if (pins_.empty() || pins_.back() != payload) pins_.push_back(payload);
    ++group_changes_;
    if (pending_.size() >= settings_.batch_size) flush_pending();
}

void Applier::on_truncate(const wire::Truncate& m, const std::shared_ptr<Payload>& payload) {
    if (!in_txn_) throw ApplyError("the stream sent TRUNCATE outside a transaction");
    auto truncate = [&] {
        Change c;
        c.kind = ChangeKind::truncate;
        c.cascade = m.cascade;
        c.restart_identity = m.restart_identity;
        c.txn = txn_;
        return c;
    };
    // Partitions truncated alone each become a DELETE from their root's
    // table; the other tables share one TRUNCATE.
    std::vector<Change> changes(1, truncate());
    for (std::uint32_t relid : m.relids) {
        auto rel = relation(relid);
        if (IdpGate::already_copied(rel->high_water_mark, txn_.final_lsn)) {
            ++counters_.skipped_by_gate;
        } else if (rel->partition_root) {
            changes.push_back(truncate());
            changes.back().truncated.push_back(std::move(rel));
        } else {
            changes.front().truncated.push_back(std::move(rel));
        }
    }
    for (auto& c : changes) {
        if (c.truncated.empty()) continue;
        pending_.push_back(std::move(c));
        if (pins_.empty() || pins_.back() != payload) pins_.push_back(payload);
        ++group_changes_;
    }
}

void Applier::flush_pending() {
    if (pending_.empty()) return;
    writer_.write(pending_, std::nullopt, group_stats_);
    pending_.clear();
    pins_.clear();
}

void Applier::close_group(bool synchronous) {
    if (group_txns_ == 0) return;
    writer_.write(pending_, CommitPoint{group_end_, group_commit_time_, synchronous}, group_stats_);
    pending_.clear();
    pins_.clear();
    state::merge(counters_.tables, group_stats_);
    conflict::DetectionCounts detected = writer_.take_committed();
    for (const auto& [kind, by_strategy] : detected.conflicts)
        for (const auto& [strategy, n] : by_strategy) counters_.conflicts[kind][strategy] += n;
    for (const auto& [reason, n] : detected.late) counters_.late[reason] += n;
    counters_.transactions += group_txns_;
    counters_.last_commit_time = group_commit_time_;
    const auto& local = writer_.last_commit();
    // A group that committed nothing on the target (every change filtered)
    // is safe as soon as what came before it is.
    pg::Lsn commit_end = local ? local->commit_end : (unflushed_.empty() ? pg::Lsn() : unflushed_.back().first);
    unflushed_.emplace_back(commit_end, group_end_);
    note_flushed(local ? local->flushed : pg::Lsn());
    group_stats_.clear();
    group_changes_ = 0;
    group_txns_ = 0;
    group_started_.reset();
}

std::optional<Applier::Clock::time_point> Applier::deadline() const noexcept {
    if (in_txn_ || group_txns_ == 0 || !group_started_) return std::nullopt;
    return *group_started_ + settings_.max_batch_latency;
}

void Applier::note_flushed(pg::Lsn flushed) noexcept {
    while (!unflushed_.empty() && unflushed_.front().first <= flushed) {
        durable_ = unflushed_.front().second;
        unflushed_.pop_front();
    }
    if (!in_txn_ && group_txns_ == 0 && pending_.empty() && unflushed_.empty())
        durable_ = std::max(durable_, keepalive_end_);
}

void Applier::poll_flushed() {
    if (unflushed_.empty()) return;
    pg::Result r = session_.connection().exec("SELECT pg_catalog.pg_current_wal_flush_lsn()::text",
                                              "while reading how much of the target's WAL is flushed");
    if (auto flushed = pg::Lsn::try_parse(r.value(0, 0))) note_flushed(*flushed);
}

void Applier::on_keepalive(pg::Lsn wal_end) noexcept {
    keepalive_end_ = std::max(keepalive_end_, wal_end);
    note_flushed(pg::Lsn());
}

void Applier::on_tick(Clock::time_point now) {
    auto d = deadline();
    if (d && now >= *d) close_group();
    poll_flushed();
}

bool Applier::commit_now() {
    if (in_txn_) return false;
    // A synchronous commit flushes the WAL of the asynchronous ones before
    // it too.  Without a group to close, the WAL writer flushes them within
    // three wal_writer_delay (200 ms by default); what is still not
    // flushed after the wait is confirmed next time.
    close_group(true);
    auto until = Clock::now() + std::chrono::seconds(5);
    for (poll_flushed(); !unflushed_.empty() && Clock::now() < until; poll_flushed())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return true;
}

void Applier::abandon() noexcept {
    session_.rollback();
    writer_.discard();
    pending_.clear();
    pins_.clear();
    group_stats_.clear();
    group_changes_ = 0;
    group_txns_ = 0;
    group_started_.reset();
    in_txn_ = false;
}

}  // namespace tidemark::apply
