// See pipeline_status.hpp.
#include "metrics/pipeline_status.hpp"

#include <fmt/format.h>

#include "pg/timestamp.hpp"

namespace tidemark::metrics {
namespace {

std::int64_t unix_micros(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::string seconds_text(double s) { return s < 10 ? fmt::format("{:.1f}s", s) : fmt::format("{:.0f}s", s); }

}  // namespace

std::string_view to_string(Stage stage) noexcept {
    switch (stage) {
        case Stage::starting:
            return "starting";
        case Stage::copying:
            return "copying";
        case Stage::streaming:
            return "streaming";
        case Stage::reconnecting:
            return "reconnecting";
        case Stage::stopped:
            return "stopped";
        case Stage::failed:
            return "failed";
    }
    return "unknown";
}

PipelineStatus::PipelineStatus(std::string name, std::string slot)
    : name_(std::move(name)), slot_(std::move(slot)), stage_since_(SteadyClock::now()) {
    touch();
}

void PipelineStatus::set_stage(Stage stage, std::string reason) {
    std::lock_guard lock(mutex_);
    if (stage != stage_) {
        stage_since_ = SteadyClock::now();
        if (stage == Stage::streaming) streaming_since_ = SystemClock::now();
    }
    stage_ = stage;
    reason_ = std::move(reason);
    if (stage == Stage::streaming) last_touch_ns_.store(SteadyClock::now().time_since_epoch().count());
}

Stage PipelineStatus::stage() const {
    std::lock_guard lock(mutex_);
    return stage_;
}

std::string PipelineStatus::stage_reason() const {
    std::lock_guard lock(mutex_);
    return reason_;
}

void PipelineStatus::touch() noexcept {
    last_touch_ns_.store(SteadyClock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

void PipelineStatus::note_server_end(std::uint64_t lsn) noexcept {
    // Only forward: keepalives and data may report the end out of order.
    auto current = server_end_.load(std::memory_order_relaxed);
    while (lsn > current && !server_end_.compare_exchange_weak(current, lsn, std::memory_order_relaxed)) {
    }
}

void PipelineStatus::note_durable(std::uint64_t lsn) noexcept { durable_.store(lsn, std::memory_order_relaxed); }

void PipelineStatus::note_checkpoint(std::int64_t source_commit_us) noexcept {
    last_commit_us_.store(source_commit_us, std::memory_order_relaxed);
    last_checkpoint_us_.store(unix_micros(SystemClock::now()), std::memory_order_relaxed);
}

double PipelineStatus::lag_bytes() const noexcept {
    auto end = server_end_.load(std::memory_order_relaxed);
    auto durable = durable_.load(std::memory_order_relaxed);
    return end > durable ? static_cast<double>(end - durable) : 0.0;
}

double PipelineStatus::lag_seconds(SystemClock::time_point now) const noexcept {
    if (lag_bytes() <= 0) return 0;
    auto commit = last_commit_us_.load(std::memory_order_relaxed);
    std::int64_t since_us;
    if (commit != 0) {
        since_us = pg::to_system_time(commit).time_since_epoch().count();
    } else {
        // Nothing applied yet in this process: behind since streaming began.
        std::lock_guard lock(mutex_);
        if (!streaming_since_) return 0;
        since_us = unix_micros(*streaming_since_);
    }
    double s = static_cast<double>(unix_micros(now) - since_us) / 1e6;
    return s > 0 ? s : 0;
}

std::optional<double> PipelineStatus::checkpoint_age(SystemClock::time_point now) const noexcept {
    auto last = last_checkpoint_us_.load(std::memory_order_relaxed);
    if (last == 0) return std::nullopt;
    double s = static_cast<double>(unix_micros(now) - last) / 1e6;
    return s > 0 ? s : 0;
}

void PipelineStatus::set_state(StateFacts facts) {
    std::lock_guard lock(mutex_);
    state_ = std::move(facts);
}

StateFacts PipelineStatus::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

Verdict PipelineStatus::health(SteadyClock::time_point now, std::chrono::milliseconds stalled_after) const {
    std::lock_guard lock(mutex_);
    auto seconds_since = [&](SteadyClock::time_point t) { return std::chrono::duration<double>(now - t).count(); };
    switch (stage_) {
        case Stage::starting:
        case Stage::copying:
            return {true, std::string(to_string(stage_))};
        case Stage::streaming: {
            SteadyClock::time_point touched{SteadyClock::duration(last_touch_ns_.load(std::memory_order_relaxed))};
            if (now - touched > stalled_after)
                return {false, "pipeline " + name_ + ": the apply loop has made no progress for " +
                                   seconds_text(seconds_since(touched)) + " (stalled_after is " +
                                   seconds_text(std::chrono::duration<double>(stalled_after).count()) + ")"};
            return {true, "streaming"};
        }
        case Stage::reconnecting:
            if (now - stage_since_ > stalled_after)
                return {false, "pipeline " + name_ + ": reconnecting for " + seconds_text(seconds_since(stage_since_)) +
                                   (reason_.empty() ? std::string() : ": " + reason_)};
            return {true, "reconnecting"};
        case Stage::stopped:
            return {false, "pipeline " + name_ + " has stopped"};
        case Stage::failed:
            return {false, "pipeline " + name_ + " failed" + (reason_.empty() ? std::string() : ": " + reason_)};
    }
    return {false, "unknown stage"};
}

Verdict PipelineStatus::readiness(SystemClock::time_point now, std::chrono::milliseconds max_lag) const {
    Stage stage;
    std::string reason;
    {
        std::lock_guard lock(mutex_);
        stage = stage_;
        reason = reason_;
    }
    if (stage == Stage::copying) return {false, "pipeline " + name_ + " is copying (the initial data package)"};
    if (stage == Stage::reconnecting)
        return {false, "pipeline " + name_ + " is disconnected" + (reason.empty() ? std::string() : ": " + reason)};
    if (stage != Stage::streaming)
        return {false, "pipeline " + name_ + " is " + std::string(to_string(stage)) +
                           (reason.empty() ? std::string() : ": " + reason)};
    double lag = lag_seconds(now);
    double bound = std::chrono::duration<double>(max_lag).count();
    if (lag > bound)
        return {false, "pipeline " + name_ + " lags " + seconds_text(lag) +
                           " behind the source, more than ready_max_lag (" + seconds_text(bound) + ")"};
    return {true, "streaming"};
}

}  // namespace tidemark::metrics
