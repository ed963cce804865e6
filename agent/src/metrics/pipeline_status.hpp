// PipelineStatus: what the process knows about one pipeline at this
// moment, for /healthz, /readyz, the status page and the alerts: its
// stage, when the apply loop last made progress, the stream's positions,
// the lag history, and the facts the state poller last read from the
// target.  Writers are the pipeline's threads; readers are the HTTP
// server and the monitor.  The apply loop only stores atomics here.
// Must not: run queries (the poller does) or decide HTTP status codes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "metrics/lag_history.hpp"

namespace tidemark::metrics {

enum class Stage {
    starting,      // connecting, creating the slot or the state
    copying,       // the Initial Data Package runs
    streaming,     // the stream is applied
    reconnecting,  // a connection was lost, or a transient error rolled back the work; waiting to retry
    stopped,       // a stop was requested, or the run ended
    failed,        // the run ended with an error
};

std::string_view to_string(Stage stage) noexcept;

struct TableStatus {
    std::string table;  // "schema"."name" on the source
    std::string phase;  // pending, copying, copied
    long long rows_copied = 0;
    long long bytes_copied = 0;
    std::optional<long long> source_rows;  // the copy's count, once known
};

// What the state poller last read from the target (and the source's slot).
struct StateFacts {
    bool known = false;
    std::string phase;  // tidemark.pipelines.phase
    std::vector<TableStatus> tables;
    long long pending_reviews = 0;
    long long dead_letters = 0;
    std::optional<std::string> checkpoint_lsn;  // the origin's progress
    std::optional<std::int64_t> state_bytes;
    std::chrono::system_clock::time_point read_at{};
    std::string error;  // the last read's failure, empty when it worked
};

struct Verdict {
    bool ok = true;
    std::string reason;
};

class PipelineStatus {
public:
    using SteadyClock = std::chrono::steady_clock;
    using SystemClock = std::chrono::system_clock;

    PipelineStatus(std::string name, std::string slot);

    const std::string& name() const noexcept { return name_; }
    const std::string& slot() const noexcept { return slot_; }

    void set_stage(Stage stage, std::string reason = {});
    Stage stage() const;
    std::string stage_reason() const;

    // The apply loop calls these; atomics only.
    void touch() noexcept;
    void note_server_end(std::uint64_t lsn) noexcept;
    void note_durable(std::uint64_t lsn) noexcept;
    // A target commit carrying source commits up to `source_commit_us`
    // (PostgreSQL microseconds).
    void note_checkpoint(std::int64_t source_commit_us) noexcept;

    // Lag as of `now`: bytes the server has sent past what the target has
    // committed, and the age of the last applied source commit while
    // anything is pending (0 when caught up).
    double lag_bytes() const noexcept;
    double lag_seconds(SystemClock::time_point now) const noexcept;
    // Seconds since the last target commit with origin progress.
    std::optional<double> checkpoint_age(SystemClock::time_point now) const noexcept;

    void set_state(StateFacts facts);
    StateFacts state() const;

    LagHistory& lag_history() noexcept { return lag_history_; }
    const LagHistory& lag_history() const noexcept { return lag_history_; }

    // /healthz: the pipeline's threads work.  While streaming the apply
    // loop must have made progress (or waited normally) within
    // `stalled_after`; a reconnection must not last longer than that.
    Verdict health(SteadyClock::time_point now, std::chrono::milliseconds stalled_after) const;
    // /readyz: streaming, connected, and lag_seconds under `max_lag`.
    Verdict readiness(SystemClock::time_point now, std::chrono::milliseconds max_lag) const;

private:
    std::string name_;
    std::string slot_;
    mutable std::mutex mutex_;
    Stage stage_ = Stage::starting;
    std::string reason_;
    SteadyClock::time_point stage_since_;
    std::optional<SystemClock::time_point> streaming_since_;
    StateFacts state_;

    std::atomic<std::int64_t> last_touch_ns_{0};
    std::atomic<std::uint64_t> server_end_{0};
    std::atomic<std::uint64_t> durable_{0};
    std::atomic<std::int64_t> last_commit_us_{0};      // 0: none yet
    std::atomic<std::int64_t> last_checkpoint_us_{0};  // unix microseconds, 0: none yet
    LagHistory lag_history_;
};

}  // namespace tidemark::metrics
