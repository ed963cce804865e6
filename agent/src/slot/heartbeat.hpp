// Heartbeat: keeps an idle source's slot moving.  On a database where no
// replicated transaction commits, the slot's confirmed position stays put
// while other databases, checkpoints and vacuum write WAL, and the server
// keeps all of it for the slot.  A tiny transactional logical message
// gives the stream something to confirm.  It is written only when no source
// transaction was applied during a whole interval, so a busy source gets no
// extra WAL.
// Must not: retry a heartbeat the role is not allowed to write (it says so
// once, then stops trying), or write anything else on the source.
#pragma once

#include <chrono>
#include <optional>

#include "pg/connection.hpp"

namespace tidemark::slot {

class Heartbeat {
public:
    using Clock = std::chrono::steady_clock;

    // A zero interval disables heartbeats.
    explicit Heartbeat(std::chrono::milliseconds interval) noexcept : interval_(interval) {}

    bool enabled() const noexcept { return enabled_ && interval_.count() > 0; }
    // When the current interval ends (only meaningful when enabled()).
    Clock::time_point next_tick(Clock::time_point now) const noexcept;
    // Called at or after next_tick(): true when `applied` (source
    // transactions applied so far, heartbeats excluded) did not move during
    // the interval that just ended; a new interval starts either way.
    bool due(Clock::time_point now, long long applied) noexcept;
    // Writes the message; a role without the right to is told what to grant
    // and heartbeats stop.  Other errors propagate (the caller reconnects).
    void emit(pg::Connection& source);

private:
    std::chrono::milliseconds interval_;
    bool enabled_ = true;
    std::optional<Clock::time_point> tick_start_;
    long long applied_at_start_ = 0;
};

}  // namespace tidemark::slot
