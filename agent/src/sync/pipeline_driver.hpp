// drive_pipeline: one pipeline of the set, from taking its lock to the end
// of its run.  The lock (sync/pipeline_lock.hpp) decides whether this agent
// drives the pipeline: when another agent holds it, [sync] on_busy says
// whether to exit (code 1, naming the other agent) or to stand by, trying
// again every few seconds and taking over once the other agent's session
// is gone.  Having the lock, it ends the sessions a dead previous driver
// left holding the pipeline's origin or slot (session_fence.hpp).
// While it drives, the lock's connection is checked every few
// seconds; if it is lost, the pipeline stops driving at once (another
// agent may be taking over) and, with on_busy = "wait", stands by again.
// Must not: choose which pipelines run or when (pipeline_set does).
#pragma once

#include "cli/sync_options.hpp"
#include "config/config.hpp"
#include "sync/run_context.hpp"

namespace tidemark::sync {

// `config` is the pipeline's own (config::config_for).  Returns the exit
// code of its run; throws config::ConfigError.
int drive_pipeline(const config::Config& config, int priority, const cli::SyncOptions& options, RunContext& context);

}  // namespace tidemark::sync
