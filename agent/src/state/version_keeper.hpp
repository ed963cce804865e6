// VersionKeeper: takes the versions of a streaming pipeline's state on the
// apply session's connection, between target transactions, as its
// VersionSchedule says, and tells the stream how far it may confirm to
// the source (the rollback window's floor, see version_schedule.hpp).
// Each version's transaction is also a checkpoint: it moves the origin to
// what the applier has durably applied (durable() also moves past empty
// and filtered transactions, which commit nothing), so on an idle source
// the versions, and with them the floor, keep moving.
// Must not: run anything while a target transaction is open on the
// connection (the apply path owns it then).
#pragma once

#include <string>
#include <string_view>

#include "config/state_config.hpp"
#include "pg/connection.hpp"
#include "pg/lsn.hpp"
#include "state/state_version.hpp"
#include "state/version_schedule.hpp"

namespace tidemark::state {

class VersionKeeper {
public:
    // Reads the versions already kept for `pipeline`.
    VersionKeeper(pg::Connection& conn, std::string pipeline, const config::StateConfig& config);

    // After the applier's work on one queue item: takes a version when one
    // is due and the connection is between transactions.
    // `durable`: everything before it is applied and committed.
    void after_apply(long long committed_transactions, pg::Lsn durable);
    // Takes a version now (the end of a stream session).
    void take(std::string_view reason, pg::Lsn durable);

    pg::Lsn confirmable(pg::Lsn durable) const noexcept;

private:
    StateVersion record(std::string_view reason, pg::Lsn durable);

    pg::Connection& conn_;
    std::string pipeline_;
    int keep_;
    bool rollback_window_;
    VersionSchedule schedule_;
    long long committed_ = 0;
};

}  // namespace tidemark::state
