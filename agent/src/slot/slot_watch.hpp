// SlotWatch: a thread that, while the stream runs, looks after the slot
// from a normal (not replication) connection to the source: every 10
// seconds it reads the WAL the slot retains and warns or alerts past the
// configured limits, and it writes heartbeats on an idle source.
// Must not: drop, advance or otherwise change the slot (a DBA decides
// that), or stop the sync: its own failures are logged and retried.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "config/config.hpp"

namespace tidemark::slot {

class SlotWatch {
public:
    // Hears the slot's retained WAL in bytes at every check (the metrics).
    using UsageListener = std::function<void(std::int64_t retained_bytes)>;

    // `applied` counts the source transactions applied so far, heartbeats
    // excluded; the stream's apply loop keeps it current.
    SlotWatch(const config::Config& config, std::string slot_name, const std::atomic<long long>& applied,
              UsageListener on_usage = {});
    ~SlotWatch() = default;  // the thread is stopped and joined
    SlotWatch(const SlotWatch&) = delete;
    SlotWatch& operator=(const SlotWatch&) = delete;

private:
    void run(std::stop_token stop);

    std::string conninfo_;
    // A source that stops answering must not hold up the stream's stop.
    std::chrono::milliseconds reply_timeout_;
    config::SlotConfig settings_;
    std::string slot_name_;
    const std::atomic<long long>& applied_;
    UsageListener on_usage_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::jthread thread_;  // last: starts once everything above exists
};

}  // namespace tidemark::slot
