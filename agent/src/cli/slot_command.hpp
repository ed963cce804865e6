// `tidemark slot list` and `tidemark slot drop`: what a DBA needs to see and
// clean up the source's logical slots, from the agent's own configuration.
// Must not: drop a slot without an explicit --yes, or one that is in use.
#pragma once

#include <ostream>

#include "cli/slot_options.hpp"
#include "config/config.hpp"

namespace tidemark::cli {

// Every logical slot of the source database, as a table or JSON, on `out`.
int run_slot_list(const config::Config& config, const SlotOptions& options, std::ostream& out);

// Drops one slot; refusals and their reasons go to `err`, the result to
// `out`.  Exit codes: kExitBadConfig without --yes, kExitFailure for a slot
// in use or missing.
int run_slot_drop(const config::Config& config, const SlotOptions& options, std::ostream& out, std::ostream& err);

}  // namespace tidemark::cli
