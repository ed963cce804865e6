// See heartbeat.hpp.
#include "slot/heartbeat.hpp"

#include "log/event.hpp"
#include "pg/database_error.hpp"
#include "tidemark_protocol.h"

namespace tidemark::slot {

Heartbeat::Clock::time_point Heartbeat::next_tick(Clock::time_point now) const noexcept {
    return tick_start_ ? *tick_start_ + interval_ : now;
}

bool Heartbeat::due(Clock::time_point now, long long applied) noexcept {
    if (!tick_start_) {
        tick_start_ = now;
        applied_at_start_ = applied;
        return false;
    }
    if (now - *tick_start_ < interval_) return false;
    bool idle = applied == applied_at_start_;
    tick_start_ = now;
    applied_at_start_ = applied;
    return idle;
}

void Heartbeat::emit(pg::Connection& source) {
    try {
        // Transactional, so it arrives as a transaction whose commit the
        // applier confirms like any other; the prefix is tidemark's own,
        // which the stream already asks the decoder for.
        source.exec("SELECT pg_catalog.pg_logical_emit_message(true, '" TM_WATERMARK_PREFIX "', 'heartbeat')",
                    "while writing a heartbeat on the source");
        log::debug("heartbeat written on the source");
    } catch (const pg::DatabaseError& e) {
        if (e.sqlstate() != "42501") throw;
        enabled_ = false;
        log::warn(
            "cannot write heartbeats on the source: the role may not call pg_logical_emit_message; an idle source "
            "database can make the slot hold back WAL. Run as a superuser: GRANT EXECUTE ON FUNCTION "
            "pg_catalog.pg_logical_emit_message(boolean, text, text) TO <the agent's role>; or set [slot] "
            "heartbeat = \"off\" to silence this",
            {{"sqlstate", e.sqlstate()}});
    }
}

}  // namespace tidemark::slot
