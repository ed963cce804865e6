// State rollback: puts a pipeline's state back to one of its kept versions
// on the target: its pipelines row, its tables rows (copy_chunks of the
// tables kept stay), its table_stats rows, and the replication origin
// moved (backwards) to the version's origin LSN; then records a new
// version "rollback to N".  The next sync streams from that LSN again and
// re-applies what followed it.  For a table with a primary key (or replica
// identity index) that is harmless: an insert of an existing row becomes
// its update, updates and deletes land on the same rows.  A table without
// one gets its re-applied inserts twice (keyless_tables lists them).
// Must not: check the slot (the caller refuses a version the slot no
// longer retains) or run while an agent drives the pipeline.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "state/state_version.hpp"

namespace tidemark::state {

struct RollbackResult {
    StateVersion recorded;                    // the "rollback to N" version
    std::vector<std::string> keyless_tables;  // target tables without a key
};

// Throws std::runtime_error when the version has no origin LSN.
RollbackResult rollback_to_version(pg::Connection& target, std::string_view pipeline, const StateVersion& version,
                                   int keep_versions);

}  // namespace tidemark::state
