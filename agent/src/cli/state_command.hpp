// `tidemark state show|history|validate|rollback|reset|export|import`: the
// pipeline's state on the target, for an operator, from the agent's own
// configuration.  Commands that change the state (validate --repair,
// rollback, reset, import) first take the pipeline's lock on the target
// (sync/pipeline_lock.hpp, the one a running sync holds) and refuse while
// the slot is in use, so they never race an agent.
// Must not: change the state without the lock, drop a slot without --yes,
// or roll back to a version the slot no longer retains.
#pragma once

#include <ostream>

#include "cli/state_options.hpp"
#include "config/config.hpp"

namespace tidemark::cli {

// Results go to `out`, refusals and their reasons to `err`.  Exit codes:
// kExitDone, kExitFailure (a refusal, an invalid state), kExitBadConfig
// (reset without --yes).
int run_state(const config::Config& config, const StateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace tidemark::cli
