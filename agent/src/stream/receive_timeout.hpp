// The silence after which the replication stream is taken as lost
// ([source] receive_timeout), fitted to the walsender at the other end.
// A walsender replaying a long transaction whose changes this pipeline
// does not stream answers a request for a reply only once half its own
// wal_sender_timeout has passed since it last heard from the agent
// (PostgreSQL's WalSndUpdateProgress), and never while that timeout is 0.
// A wait shorter than half of it would drop a healthy stream, and the
// next session, replaying the same transaction, would be dropped again;
// the wait is therefore at least three quarters of it.
// Must not: change the walsender's settings.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "pg/connection.hpp"

namespace tidemark::stream {

struct ReceiveTimeout {
    std::chrono::milliseconds value{0};  // 0: silence is never taken as a loss
    // Why `value` differs from what was configured, for the log.
    std::optional<std::string> note;
};

// `walsender`: the replication connection, before START_REPLICATION.
// Keeps `configured` when the walsender's setting cannot be read.
ReceiveTimeout fit_receive_timeout(pg::Connection& walsender, std::chrono::milliseconds configured);

}  // namespace tidemark::stream
