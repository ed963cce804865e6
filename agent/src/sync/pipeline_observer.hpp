// PipelineObserver: one pipeline run's publisher of metrics and status.
// The apply loop hands it the applier's counters after each step; only
// when a target commit happened since the last step does it work, and
// then once per commit: the deltas per table and operation, transactions,
// conflicts, late changes, dead letters, the apply latency and the
// checkpoint.  The reader thread reports the server's WAL end; the queue
// its fill and blocked time.  It also keeps this run's applied counters
// for the report written while streaming.
// Must not: format strings or take the registry's lock per change; look
// up a series once and keep it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "apply/applier.hpp"
#include "metrics/observability.hpp"
#include "metrics/pipeline_status.hpp"
#include "metrics/registry.hpp"
#include "pg/lsn.hpp"
#include "sync/payload_queue.hpp"

namespace tidemark::sync {

class PipelineObserver {
public:
    PipelineObserver(metrics::Observability& observability, const std::string& pipeline, const std::string& slot);

    metrics::PipelineStatus& status() noexcept { return *status_; }
    const std::shared_ptr<metrics::PipelineStatus>& status_ptr() const noexcept { return status_; }
    metrics::Registry& registry() noexcept { return registry_; }
    const std::string& pipeline() const noexcept { return pipeline_; }

    // A stream session starts: its applier counts from zero.
    void session_started(pg::Lsn start);
    // After each step of the apply loop (the apply thread only).
    void after_apply(const apply::ApplyCounters& counters, pg::Lsn durable);
    // The reader thread: the server's WAL end as of the last message.
    void server_end(pg::Lsn wal_end) noexcept { status_->note_server_end(wal_end.value()); }
    void queue(const QueueStats& stats) noexcept;
    // An attempt ended with an error of class `error_class`.
    void error(std::string_view error_class);
    // The slot watch's reading of the slot's retained WAL.
    void slot_retained(std::int64_t bytes) noexcept { slot_retained_.set(static_cast<double>(bytes)); }

    // Every session's counters of this run so far (for the running report).
    apply::ApplyCounters applied_so_far() const;

private:
    struct TableSeries {
        metrics::Counter* inserted;
        metrics::Counter* updated;
        metrics::Counter* deleted;
        metrics::Counter* truncated;
        metrics::Counter* dead_lettered;
    };
    TableSeries& table(const std::string& name);

    std::string pipeline_;
    metrics::Registry& registry_;
    std::shared_ptr<metrics::PipelineStatus> status_;
    metrics::Counter& transactions_;
    metrics::Counter& checkpoints_;
    metrics::Gauge& last_checkpoint_;
    metrics::Histogram& latency_;
    metrics::Gauge& queue_items_;
    metrics::Gauge& queue_bytes_;
    metrics::Gauge& queue_capacity_;
    metrics::Counter& reader_blocked_;
    metrics::Gauge& slot_retained_;
    double blocked_seen_ = 0;
    std::map<std::string, TableSeries> tables_;
    apply::ApplyCounters last_;  // the session's counters at the last commit seen

    mutable std::mutex mutex_;
    apply::ApplyCounters finished_sessions_;
    apply::ApplyCounters session_;
};

// The class an error counts under in tidemark_errors_total: "connection",
// the SQLSTATE's class ("23", "42", ...), or `fallback`.
std::string error_class(const std::exception& e, std::string_view fallback = "internal");

}  // namespace tidemark::sync
