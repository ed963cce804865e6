// StateConfig: the [state] section: how many versions of a pipeline's
// state are kept, how often one is taken while streaming, and whether a
// fixable inconsistency found at start is repaired or stops the agent.
// Must not: hold anything about one pipeline (its state is on the target).
#pragma once

#include <chrono>

namespace tidemark::config {

struct StateConfig {
    // Versions kept per pipeline; the oldest kept one bounds how far back
    // `tidemark state rollback` can go.
    int keep_versions = 10;
    // While streaming, a version is taken at most this often (after a
    // target commit).  keep_versions x version_interval is also the
    // longest time the slot keeps WAL for a rollback.
    std::chrono::milliseconds version_interval{60000};
    // true: the agent confirms to the source no further than the oldest
    // version kept within keep_versions x version_interval, so that the
    // slot still holds the WAL `tidemark state rollback` needs.  Off by
    // default: it retains that much more WAL, and a source shutting down
    // waits for its walsenders' clients to confirm everything sent, so
    // with it the source's shutdown waits until the agent disconnects.
    bool rollback_window = false;
    // false: a fixable inconsistency found at start stops the agent with
    // the list of problems; true: it is repaired and the agent goes on.
    bool auto_repair = false;
};

}  // namespace tidemark::config
