// ConnectionBudget: the target connections that move data (copy jobs and
// apply sessions), shared by the pipelines one agent runs, handed out by
// priority.  A pipeline that waits is served before any of lower priority,
// and a pipeline that has joined but not yet asked keeps the ones below it
// waiting, so the order does not depend on which thread got there first.
// Equal priorities are served in the order they asked.
// Must not: open connections (the holders do) or know what they are for.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>

namespace tidemark::sync {

class ConnectionBudget {
public:
    explicit ConnectionBudget(int capacity);
    ConnectionBudget(const ConnectionBudget&) = delete;
    ConnectionBudget& operator=(const ConnectionBudget&) = delete;

    // A pipeline about to start: until it first holds connections, stands
    // by or leaves, the pipelines of lower priority wait for it.
    void join(const std::string& pipeline, int priority);
    // A pipeline waiting for something else (its lock): it no longer
    // holds the others back.  join() again when it goes on.
    void stand_by(const std::string& pipeline);
    // A pipeline that ended; what it still held is returned.
    void leave(const std::string& pipeline);

    // Waits until the pipeline's turn, then takes between 1 and `want`
    // connections (as many as are free); returns how many, 0 when `stop`
    // came first.
    int acquire(const std::string& pipeline, int want, std::stop_token stop);
    void release(const std::string& pipeline, int count);

    int capacity() const noexcept { return capacity_; }
    int in_use() const;
    // Pipelines waiting in acquire().
    int waiting() const;
    // Connections `pipeline` holds.
    int held(const std::string& pipeline) const;

private:
    struct Member {
        int priority = 0;
        bool starting = false;
        int held = 0;
        std::uint64_t waiting_since = 0;  // 0: not waiting; else its ticket
    };
    // True when nothing of higher priority (or of equal priority that
    // asked earlier) is waiting or starting.
    bool first_in_line(const std::string& pipeline, const Member& me) const;

    const int capacity_;
    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    std::map<std::string, Member, std::less<>> members_;
    int in_use_ = 0;
    std::uint64_t next_ticket_ = 1;
};

}  // namespace tidemark::sync
