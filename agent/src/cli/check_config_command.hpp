// `tidemark check-config`: checks that a valid configuration can work,
// against the real databases, and prints one ok/FAILED line per check with
// the reason and, where there is one, the fix.
// Must not: change anything on either database (the decoder probe's slot
// is temporary and goes with its connection).
#pragma once

#include <ostream>

#include "config/config.hpp"

namespace tidemark::cli {

// kExitDone when every check passed, kExitFailure otherwise.
int run_check_config(const config::Config& config, std::ostream& out);

}  // namespace tidemark::cli
