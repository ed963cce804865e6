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
    // false: a fixable inconsistency found at start stops the agent with
    // the list of problems; true: it is repaired and the agent goes on.
    bool auto_repair = false;
};

}  // namespace tidemark::config
