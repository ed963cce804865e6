// See pipeline_observer.hpp.
#include "sync/pipeline_observer.hpp"

#include "config/config_error.hpp"
#include "metrics/families.hpp"
#include "pg/database_error.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::sync {
namespace {

namespace f = metrics::family;


}  // namespace

std::string error_class(const std::exception& e, std::string_view fallback) {
    if (const auto* db = dynamic_cast<const pg::DatabaseError*>(&e)) {
        if (db->is_connection_error()) return "connection";
        if (db->sqlstate().size() >= 2) return db->sqlstate().substr(0, 2);
    }
    if (dynamic_cast<const config::ConfigError*>(&e)) return "config";
    return std::string(fallback);
}

PipelineObserver::PipelineObserver(metrics::Observability& observability, const std::string& pipeline,
                                   const std::string& slot)
    : pipeline_(pipeline),
      registry_(observability.registry()),
      status_(observability.pipeline(pipeline, slot)),
      transactions_(metrics::counter(registry_, f::kTransactions, {pipeline})),
      checkpoints_(metrics::counter(registry_, f::kCheckpoints, {pipeline})),
      last_checkpoint_(metrics::gauge(registry_, f::kLastCheckpoint, {pipeline})),
      latency_(metrics::histogram(registry_, f::kApplyLatency, {pipeline}, metrics::latency_buckets())),
      queue_items_(metrics::gauge(registry_, f::kQueueItems, {pipeline})),
      queue_bytes_(metrics::gauge(registry_, f::kQueueBytes, {pipeline})),
      queue_capacity_(metrics::gauge(registry_, f::kQueueCapacity, {pipeline})),
      reader_blocked_(metrics::counter(registry_, f::kReaderBlocked, {pipeline})),
      slot_retained_(metrics::gauge(registry_, f::kSlotRetained, {pipeline, slot})) {
    // Series that exist from the start, so a dashboard sees zeros rather
    // than nothing before the first event.
    metrics::counter(registry_, f::kErrors, {pipeline, "connection"});
    metrics::gauge(registry_, f::kCheckpointAge, {pipeline});
    metrics::gauge(registry_, f::kPendingReviews, {pipeline});
    metrics::gauge(registry_, f::kDeadLetters, {pipeline});
    metrics::gauge(registry_, f::kStateSize, {pipeline});
    metrics::gauge(registry_, f::kLagBytes, {pipeline});
    metrics::gauge(registry_, f::kLagSeconds, {pipeline});
    status_->set_stage(metrics::Stage::starting);
}

PipelineObserver::TableSeries& PipelineObserver::table(const std::string& name) {
    auto it = tables_.find(name);
    if (it != tables_.end()) return it->second;
    auto op = [&](std::string_view operation) {
        return &metrics::counter(registry_, f::kChangesApplied, {pipeline_, name, operation});
    };
    TableSeries s{op("insert"), op("update"), op("delete"), op("truncate"),
                  &metrics::counter(registry_, f::kDeadLettered, {pipeline_, name})};
    return tables_.emplace(name, s).first->second;
}

void PipelineObserver::session_started(pg::Lsn start) {
    {
        std::lock_guard lock(mutex_);
        apply::merge(finished_sessions_, session_);
        session_ = {};
    }
    last_ = {};
    blocked_seen_ = 0;  // a new session has a new queue
    status_->note_durable(start.value());
    status_->note_server_end(start.value());
    status_->set_stage(metrics::Stage::streaming);
}

void PipelineObserver::after_apply(const apply::ApplyCounters& c, pg::Lsn durable) {
    status_->touch();
    status_->note_durable(durable.value());
    if (c.transactions == last_.transactions) return;

    for (const auto& [name, now] : c.tables) {
        const state::TableStatsDelta* before = nullptr;
        if (auto it = last_.tables.find(name); it != last_.tables.end()) before = &it->second;
        TableSeries& s = table(name);
        auto grow = [&](metrics::Counter* counter, long long after, long long prior) {
            if (after > prior) counter->add(static_cast<double>(after - prior));
        };
        grow(s.inserted, now.inserted, before ? before->inserted : 0);
        grow(s.updated, now.updated, before ? before->updated : 0);
        grow(s.deleted, now.deleted, before ? before->deleted : 0);
        grow(s.truncated, now.truncated, before ? before->truncated : 0);
        grow(s.dead_lettered, now.dead_lettered, before ? before->dead_lettered : 0);
    }
    for (const auto& [kind, by_strategy] : c.conflicts)
        for (const auto& [strategy, n] : by_strategy) {
            long long prior = 0;
            if (auto k = last_.conflicts.find(kind); k != last_.conflicts.end())
                if (auto s = k->second.find(strategy); s != k->second.end()) prior = s->second;
            if (n > prior)
                metrics::counter(registry_, f::kConflicts, {pipeline_, kind, strategy})
                    .add(static_cast<double>(n - prior));
        }
    for (const auto& [reason, n] : c.late) {
        long long prior = 0;
        if (auto it = last_.late.find(reason); it != last_.late.end()) prior = it->second;
        if (n > prior) metrics::counter(registry_, f::kLate, {pipeline_, reason}).add(static_cast<double>(n - prior));
    }
    transactions_.add(static_cast<double>(c.transactions - last_.transactions));
    checkpoints_.add();
    auto now_us = pg::pg_now();
    last_checkpoint_.set(static_cast<double>(now_us + pg::kPgEpochOffsetMicros) / 1e6);
    if (c.last_commit_time) {
        double latency = static_cast<double>(now_us - *c.last_commit_time) / 1e6;
        latency_.observe(latency > 0 ? latency : 0);
        status_->note_checkpoint(*c.last_commit_time);
    }
    last_ = c;
    std::lock_guard lock(mutex_);
    session_ = c;
}

void PipelineObserver::queue(const QueueStats& stats) noexcept {
    queue_items_.set(static_cast<double>(stats.items));
    queue_bytes_.set(static_cast<double>(stats.bytes));
    queue_capacity_.set(static_cast<double>(stats.max_bytes));
    double blocked = std::chrono::duration<double>(stats.blocked).count();
    if (blocked > blocked_seen_) reader_blocked_.add(blocked - blocked_seen_);
    blocked_seen_ = blocked;
}

void PipelineObserver::error(std::string_view error_class) {
    metrics::counter(registry_, f::kErrors, {pipeline_, error_class}).add();
}

apply::ApplyCounters PipelineObserver::applied_so_far() const {
    std::lock_guard lock(mutex_);
    apply::ApplyCounters out = finished_sessions_;
    apply::merge(out, session_);
    return out;
}

}  // namespace tidemark::sync
