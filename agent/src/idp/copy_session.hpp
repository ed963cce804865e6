// The sessions the copy runs on: source connections inside the exported
// snapshot and target connections set up as the apply's are (replica
// role, synchronous commit), both with settings that keep text values
// unambiguous between the two servers.
// Must not: run any copy statement (the copy jobs do), or log a conninfo.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "idp/snapshot.hpp"
#include "pg/connection.hpp"
#include "pg/database_error.hpp"

namespace tidemark::idp {

// SET TRANSACTION SNAPSHOT's answer when the snapshot no longer exists.
inline constexpr std::string_view kSnapshotGone = "22023";

// The SQLSTATE of "a table changed on the source after the snapshot was
// exported" (object_not_in_prerequisite_state; idp/snapshot_table_lock.hpp).
inline constexpr std::string_view kChangedSinceSnapshot = "55000";

// A lost snapshot, or a table changed since it: errors no retry in the same
// snapshot gets past.  The sync starts the copy again, and the tables not
// finished yet are copied from a fresh snapshot.
bool needs_fresh_snapshot(const pg::DatabaseError& e);

// Starts a REPEATABLE READ READ ONLY transaction on `source` that sees
// exactly `snapshot`.  Throws pg::DatabaseError; a snapshot that is gone
// (its exporting connection closed or ran a command) is reported as a
// lost connection with SQLSTATE kSnapshotGone, an outage the sync retries.
void begin_in_snapshot(pg::Connection& source, const Snapshot& snapshot);

// A new source connection, its transaction already in the snapshot.
pg::Connection open_source_in_snapshot(const std::string& conninfo, const Snapshot& snapshot);
// A new source connection for reads outside any exported snapshot;
// `reply_timeout` as pg::ConnectOptions says, for sessions of short reads.
pg::Connection open_source(const std::string& conninfo,
                           std::chrono::milliseconds reply_timeout = std::chrono::milliseconds(0));

// A new target connection for the copy.  `client_encoding` is the
// source's server encoding, so text goes through one conversion at most,
// on the target.
pg::Connection open_target(const std::string& conninfo, const std::string& client_encoding);

}  // namespace tidemark::idp
