// `tidemark status`: each pipeline of the configuration at a glance, read
// from the target's tidemark schema and the source's slot, so it works
// whether or not an agent is running: phase, tables and their copy
// progress, lag in bytes from the slot, the last checkpoint and its age,
// conflicts pending review, dead letters, the state's size.
// Must not: change anything on either side.
#pragma once

#include <ostream>

#include "cli/view_options.hpp"
#include "config/config.hpp"

namespace tidemark::cli {

// Exit code 0 when the target could be read (an unreachable source is
// reported in the output), kExitFailure otherwise.
int run_status(const config::Config& config, const ViewOptions& options, std::ostream& out);

}  // namespace tidemark::cli
