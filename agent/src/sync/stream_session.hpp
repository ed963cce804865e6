// StreamSession: one connection's worth of streaming.  A reader thread owns
// the replication connection: it reads, parses, queues (a bounded queue,
// so a slow target slows the reading) and sends the source the position
// the applier has durably committed, answering keepalives meanwhile.  The
// calling thread applies what is queued, in order.  Ends when the catch-up
// target of --once is reached, when a stop is requested (after finishing
// the source transaction in flight, or abandoning it after a grace
// period), or by throwing.
// Must not: retry (the sync command does, on a lost connection) or confirm
// to the source anything the target has not committed.
#pragma once

#include <optional>
#include <stop_token>

#include "apply/applier.hpp"
#include "config/config.hpp"
#include "pg/lsn.hpp"
#include "state/pipeline_record.hpp"
#include "sync/session_fence.hpp"

namespace tidemark::sync {

class PipelineObserver;

enum class StreamEnd {
    caught_up,  // --once: everything up to the catch-up target is applied
    stopped,    // a stop was requested
};

struct StreamOutcome {
    StreamEnd end = StreamEnd::stopped;
    pg::Lsn durable;  // the last source position committed on the target
};

// Streams from the origin's progress (or `fallback_start` when it has
// none).  What it applies is added to `applied` even when it throws.
// `observer`, when given, hears every step (metrics and status).
// `abandoned` carries the server processes of a session that failed to
// the next call, which ends those still holding the slot or the origin
// before it opens its own.
StreamOutcome stream_changes(const config::Config& config, const state::PipelineRecord& pipeline,
                             pg::Lsn fallback_start, const std::optional<pg::Lsn>& catch_up, std::stop_token stop,
                             apply::ApplyCounters& applied, PipelineObserver* observer, AbandonedSessions& abandoned);

}  // namespace tidemark::sync
