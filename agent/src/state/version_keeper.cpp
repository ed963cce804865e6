// See version_keeper.hpp.
#include "state/version_keeper.hpp"

#include <libpq-fe.h>

#include <algorithm>

#include "checkpoint/replication_origin.hpp"
#include "log/event.hpp"
#include "pg/timestamp.hpp"
#include "pg/transaction.hpp"

namespace tidemark::state {
namespace {

using Clock = VersionSchedule::Clock;

bool between_transactions(pg::Connection& conn) {
    return conn.native() && PQtransactionStatus(conn.native()) == PQTRANS_IDLE;
}

}  // namespace

VersionKeeper::VersionKeeper(pg::Connection& conn, std::string pipeline, const config::StateConfig& config)
    : conn_(conn),
      pipeline_(std::move(pipeline)),
      keep_(config.keep_versions),
      rollback_window_(config.rollback_window),
      schedule_(config.keep_versions, config.version_interval, Clock::now()) {
    auto versions = load_state_versions(conn_, pipeline_);
    auto now = Clock::now();
    // Oldest first; ages come from the target's clock, so the two hosts'
    // clocks need not agree.
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        auto age =
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(it->age_seconds, 0.0)));
        schedule_.add_existing(now - age, it->origin_lsn);
    }
}

StateVersion VersionKeeper::record(std::string_view reason, pg::Lsn durable) {
    StateVersion v;
    pg::in_transaction(conn_, "while taking a version of the state of pipeline " + pipeline_, [&] {
        std::optional<pg::Lsn> through;
        if (durable.is_valid()) {
            auto setup = checkpoint::ReplicationOrigin::xact_setup(durable, pg::pg_now());
            conn_.exec_params(setup.sql, setup.params, "while moving the origin with a version of the state");
            through = durable;
        }
        v = record_state_version(conn_, pipeline_, reason, keep_, through);
    });
    return v;
}

void VersionKeeper::after_apply(long long committed_transactions, pg::Lsn durable) {
    committed_ = committed_transactions;
    auto now = Clock::now();
    if (!schedule_.due(now, committed_) || !between_transactions(conn_)) return;
    StateVersion v = record("streaming", durable);
    schedule_.taken(now, v.origin_lsn, committed_);
    log::debug("took a version of the pipeline's state",
               {{"pipeline", pipeline_},
                {"version", std::to_string(v.version)},
                {"origin_lsn", v.origin_lsn ? v.origin_lsn->to_string() : std::string("none")}});
}

void VersionKeeper::take(std::string_view reason, pg::Lsn durable) {
    StateVersion v = record(reason, durable);
    schedule_.taken(Clock::now(), v.origin_lsn, committed_);
}

pg::Lsn VersionKeeper::confirmable(pg::Lsn durable) const noexcept {
    if (!rollback_window_) return durable;
    return schedule_.confirmable(durable, Clock::now());
}

}  // namespace tidemark::state
