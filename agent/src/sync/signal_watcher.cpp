// See signal_watcher.hpp.
#include "sync/signal_watcher.hpp"

#include <pthread.h>

#include <cerrno>
#include <ctime>

#include "log/event.hpp"

namespace tidemark::sync {

SignalWatcher::SignalWatcher(std::stop_source stop) : stop_(std::move(stop)) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &previous_);
    thread_ = std::thread([this, set] {
        // A short timeout lets the destructor end the thread without
        // sending it a signal.
        timespec wait{0, 200 * 1000 * 1000};
        while (!done_.load()) {
            int sig = sigtimedwait(&set, nullptr, &wait);
            if (sig <= 0) continue;
            if (received_.exchange(sig) == 0)
                log::info(sig == SIGINT ? "interrupted (SIGINT): finishing the transaction in flight, then stopping"
                                        : "terminated (SIGTERM): finishing the transaction in flight, then stopping");
            stop_.request_stop();
        }
    });
}

SignalWatcher::~SignalWatcher() {
    done_.store(true);
    if (thread_.joinable()) thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace tidemark::sync
