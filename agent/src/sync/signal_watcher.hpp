// SignalWatcher: turns SIGINT and SIGTERM into a stop request.  While it
// lives the two signals are blocked in every thread and one thread of its
// own waits for them, so no handler and no global flag are needed; the
// signal mask is restored when it goes away.
// Must not: do anything but request the stop (the sync winds down itself).
#pragma once

#include <signal.h>

#include <atomic>
#include <stop_token>
#include <thread>

namespace tidemark::sync {

class SignalWatcher {
public:
    // Must be created before any other thread, so they inherit the mask.
    explicit SignalWatcher(std::stop_source stop);
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    // The signal that asked to stop, 0 if none did.
    int received() const noexcept { return received_.load(); }

private:
    std::stop_source stop_;
    sigset_t previous_{};
    std::atomic<int> received_{0};
    std::atomic<bool> done_{false};
    std::thread thread_;
};

}  // namespace tidemark::sync
