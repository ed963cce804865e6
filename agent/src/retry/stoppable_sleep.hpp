// sleep_unless_stopped: waits for a while, or until a stop is requested,
// whichever comes first, so that no wait of the agent's (a retry's
// backoff, a poll, the copy's throttle) holds up a shutdown.
// Must not: be woken by anything but the stop (callers that need other
// wake-ups keep their own condition variable).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace tidemark::retry {

// True when the stop came first (or had come already).
inline bool sleep_until_unless_stopped(std::chrono::steady_clock::time_point until, std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_until(lock, stop, until, [] { return false; });
    return stop.stop_requested();
}

template <typename Rep, typename Period>
bool sleep_unless_stopped(std::chrono::duration<Rep, Period> delay, std::stop_token stop) {
    return sleep_until_unless_stopped(
        std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay),
        std::move(stop));
}

}  // namespace tidemark::retry
