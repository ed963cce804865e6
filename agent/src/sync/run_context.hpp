// RunContext: what one agent process shares among the pipelines it runs:
// the stop that signals request.  Must not: hold anything that belongs
// to one pipeline (each pipeline's state lives on its target).
#pragma once

#include <stop_token>

#include "idp/progress.hpp"

namespace tidemark::metrics {
class Observability;
}

namespace tidemark::sync {

class ConnectionBudget;

struct RunContext {
    std::stop_source stop;
    // The target connections the pipelines share by priority
    // (sync/connection_budget.hpp); null: no limit.
    ConnectionBudget* budget = nullptr;
    // The process's metrics, health and status endpoints and alerts
    // (metrics/observability.hpp), made once in run_sync; null: none.
    metrics::Observability* observability = nullptr;
    // How copies show their progress: bars when the log's sink is a
    // terminal, log lines once several pipelines may copy at the same time
    // (bars would overwrite each other).
    idp::ProgressDisplay progress;
};

}  // namespace tidemark::sync
