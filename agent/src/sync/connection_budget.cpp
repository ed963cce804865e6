// See connection_budget.hpp.
#include "sync/connection_budget.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "log/event.hpp"

namespace tidemark::sync {

ConnectionBudget::ConnectionBudget(int capacity) : capacity_(capacity) {
    if (capacity < 1) throw std::invalid_argument("a connection budget needs at least one connection");
}

void ConnectionBudget::join(const std::string& pipeline, int priority) {
    std::lock_guard lock(mutex_);
    Member& m = members_[pipeline];
    m.priority = priority;
    m.starting = true;
}

void ConnectionBudget::stand_by(const std::string& pipeline) {
    std::lock_guard lock(mutex_);
    if (auto it = members_.find(pipeline); it != members_.end()) it->second.starting = false;
    changed_.notify_all();
}

void ConnectionBudget::leave(const std::string& pipeline) {
    std::lock_guard lock(mutex_);
    if (auto it = members_.find(pipeline); it != members_.end()) {
        in_use_ -= it->second.held;
        members_.erase(it);
    }
    changed_.notify_all();
}

bool ConnectionBudget::first_in_line(const std::string& pipeline, const Member& me) const {
    for (const auto& [name, other] : members_) {
        if (name == pipeline) continue;
        bool ahead_by_priority = other.priority > me.priority && (other.starting || other.waiting_since);
        bool ahead_in_queue =
            other.priority == me.priority && other.waiting_since && other.waiting_since < me.waiting_since;
        if (ahead_by_priority || ahead_in_queue) return false;
    }
    return true;
}

int ConnectionBudget::acquire(const std::string& pipeline, int want, std::stop_token stop) {
    if (want < 1) return 0;
    std::unique_lock lock(mutex_);
    Member& me = members_[pipeline];
    me.waiting_since = next_ticket_++;
    // Waiting ends "starting": the queue now speaks for this pipeline.
    me.starting = false;
    auto may_go = [&] { return in_use_ < capacity_ && first_in_line(pipeline, me); };
    // Said once per wait, so an operator sees why a pipeline does not move.
    const bool waits = !may_go();
    const auto since = std::chrono::steady_clock::now();
    if (waits)
        log::info("pipeline " + pipeline +
                      " waits for target connections ([target] max_connections, served by "
                      "priority)",
                  {{"pipeline", pipeline},
                   {"priority", std::to_string(me.priority)},
                   {"in_use", std::to_string(in_use_)},
                   {"max_connections", std::to_string(capacity_)}});
    bool granted = changed_.wait(lock, stop, may_go);
    me.waiting_since = 0;
    int taken = 0;
    if (granted) {
        taken = std::min(want, capacity_ - in_use_);
        in_use_ += taken;
        me.held += taken;
        auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since);
        if (waits)
            log::info("pipeline " + pipeline + " got its target connections",
                      {{"pipeline", pipeline},
                       {"connections", std::to_string(taken)},
                       {"waited_ms", std::to_string(waited.count())}});
    }
    // Whoever was behind this pipeline may go now.
    changed_.notify_all();
    return taken;
}

void ConnectionBudget::release(const std::string& pipeline, int count) {
    std::lock_guard lock(mutex_);
    auto it = members_.find(pipeline);
    if (it == members_.end()) return;
    count = std::min(count, it->second.held);
    it->second.held -= count;
    in_use_ -= count;
    changed_.notify_all();
}

int ConnectionBudget::in_use() const {
    std::lock_guard lock(mutex_);
    return in_use_;
}

int ConnectionBudget::waiting() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(
        std::count_if(members_.begin(), members_.end(), [](const auto& m) { return m.second.waiting_since != 0; }));
}

int ConnectionBudget::held(const std::string& pipeline) const {
    std::lock_guard lock(mutex_);
    auto it = members_.find(pipeline);
    return it == members_.end() ? 0 : it->second.held;
}

}  // namespace tidemark::sync
