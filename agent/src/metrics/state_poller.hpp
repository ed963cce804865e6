// StatePoller: a thread with its own target connection that, while a
// pipeline runs, reads the pipeline's overview from the tidemark schema
// (every half second while starting or copying, every 10 seconds otherwise; the state's size
// every minute) into its PipelineStatus and the IDP, review, dead-letter
// and state-size metrics, and calls `every_minute` with that connection
// (the sync writes its running report there).
// Must not: use the apply session, or stop the sync: its failures are
// logged once and retried.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "metrics/pipeline_status.hpp"
#include "metrics/registry.hpp"
#include "pg/connection.hpp"

namespace tidemark::metrics {

class StatePoller {
public:
    using MinuteTask = std::function<void(pg::Connection& target)>;

    StatePoller(std::string target_conninfo, std::shared_ptr<PipelineStatus> status, Registry& registry,
                MinuteTask every_minute = {});
    ~StatePoller();
    StatePoller(const StatePoller&) = delete;
    StatePoller& operator=(const StatePoller&) = delete;

private:
    void run(std::stop_token stop);
    void poll(pg::Connection& conn, bool with_size);

    std::string conninfo_;
    std::shared_ptr<PipelineStatus> status_;
    Registry& registry_;
    MinuteTask every_minute_;
    std::optional<std::int64_t> state_bytes_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::jthread thread_;  // last: starts once everything above exists
};

}  // namespace tidemark::metrics
