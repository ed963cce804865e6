// `tidemark conflicts list` and `tidemark conflicts resolve`: the review
// queue of the target's conflict log (tidemark.conflicts) for people.
// Must not: settle anything without an explicit ID and --keep, or hide why
// a conflict could not be settled.
#pragma once

#include <ostream>

#include "cli/conflicts_options.hpp"
#include "config/config.hpp"

namespace tidemark::cli {

// The conflicts as a table or JSON, on `out`.
int run_conflicts_list(const config::Config& config, const ConflictsOptions& options, std::ostream& out);

// Settles one pending conflict; what was done goes to `out`, a refusal
// (unknown ID, already resolved) to `err` with kExitFailure.
int run_conflicts_resolve(const config::Config& config, const ConflictsOptions& options, std::ostream& out,
                          std::ostream& err);

}  // namespace tidemark::cli
