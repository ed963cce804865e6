// Fencing, right after an agent takes a pipeline's lock: the sessions the
// pipeline's previous driver may have left behind when its host died or
// its network was cut.  Its apply session keeps the pipeline's replication
// origin bound on the target, its copy jobs their copy origins, and its
// walsender keeps the slot active on the source until each server notices
// (up to the kernel's two hours of TCP keepalive, or wal_sender_timeout);
// meanwhile the new driver could not start.  Holding the lock proves no
// live agent drives the pipeline, so whatever session still holds one of
// its origins or its slot is ended (pg_terminate_backend), and said so at
// warning with who it was.
// Must not: touch any session but those holding this pipeline's origins or
// slot, or fail the start (the start's own errors say what is wrong).
#pragma once

#include <string>

#include "config/config.hpp"
#include "pg/connection.hpp"

namespace tidemark::sync {

// `target` is a session of the lock holder (it binds and releases the
// origin to learn whether another session holds it).
void fence_previous_driver(const config::Config& config, pg::Connection& target, const std::string& pipeline);

}  // namespace tidemark::sync
