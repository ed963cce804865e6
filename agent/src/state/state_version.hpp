// StateVersion: one kept version of a pipeline's state in
// tidemark.state_versions.  A version is a copy, taken in one target
// transaction, of everything that says where the pipeline is: its row of
// tidemark.pipelines (phase, slot, origin, consistent point), its rows of
// tidemark.tables (each table's copy phase and high-water mark) and of
// tidemark.table_stats, and the replication origin's progress (origin_lsn:
// the source position whose changes are all committed on the target).
// Its number is the pipeline's state_version when it was taken: a version
// is recorded under the current number when no version has it yet (a phase
// change bumped it), otherwise the number is bumped first, so numbers only
// grow and every change of state_version has its version.
// Taken at every phase change, at the end of each stream session, while
// streaming at most every [state] version_interval, and by `tidemark
// state rollback|import` and repairs; the last [state] keep_versions are
// kept.
// Must not: decide when a version is taken (sync/ and the state commands
// do), or take one on the apply path inside a target transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::state {

struct StateVersion {
    long long version = 0;
    std::string taken_at;  // ISO 8601
    std::string reason;
    std::string phase;
    std::optional<pg::Lsn> origin_lsn;
    double age_seconds = 0;  // now() - taken_at on the target
};

// Records a version of `pipeline` inside the caller's transaction and
// keeps the newest `keep` versions.  `origin_at_commit`: where the
// caller's transaction itself moves the origin when it commits (recorded
// when it is ahead of the origin's progress).  Returns the version
// recorded.  Throws std::runtime_error when the pipeline has no row.
StateVersion record_state_version(pg::Connection& conn, std::string_view pipeline, std::string_view reason, int keep,
                                  std::optional<pg::Lsn> origin_at_commit = std::nullopt);
// The same in a transaction of its own.
StateVersion take_state_version(pg::Connection& conn, std::string_view pipeline, std::string_view reason, int keep);

// The kept versions, newest first.
std::vector<StateVersion> load_state_versions(pg::Connection& conn, std::string_view pipeline);
std::optional<StateVersion> load_state_version(pg::Connection& conn, std::string_view pipeline, long long version);

}  // namespace tidemark::state
