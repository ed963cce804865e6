// Fencing: ending the sessions that hold a pipeline's replication origin
// on the target or its slot on the source when no live work of this
// pipeline uses them any more.  Such a session outlives its client when
// the client's host died or its network path was cut: its server notices
// only with TCP keepalives (two hours by default) or wal_sender_timeout,
// and meanwhile nothing can bind the origin or start the slot.
//
// - Right after an agent takes a pipeline's lock: whatever session still
//   holds one of the pipeline's origins or its slot belongs to a previous
//   driver, since holding the lock proves no live agent drives it.
// - Before a stream session opens again after the last one failed: this
//   agent's own apply session and walsender of that session, if they still
//   hold the origin or the slot (by process id), were left behind.
//
// Each is ended (pg_terminate_backend) and said so at warning with who it
// was.
// Must not: touch any session but those holding this pipeline's origins or
// slot.
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"
#include "pg/connection.hpp"
#include "state/pipeline_record.hpp"

namespace tidemark::sync {

// Never fails: the start's own errors say what is wrong.  `target` is a
// session of the lock holder (it binds and releases the
// origin to learn whether another session holds it).
void fence_previous_driver(const config::Config& config, pg::Connection& target, const std::string& pipeline);

// The server processes of a stream session that ended with an error: its
// walsender on the source, its apply session on the target.
struct AbandonedSessions {
    std::optional<int> walsender_pid;
    std::optional<int> apply_pid;
};

// Ends those of `left` that still hold the pipeline's slot or origin, and
// forgets each side once it is checked.  Throws pg::DatabaseError when a
// side cannot be reached (the caller retries, as for the stream itself).
void fence_abandoned_sessions(const config::Config& config, const state::PipelineRecord& pipeline,
                              AbandonedSessions& left);

}  // namespace tidemark::sync
