// `tidemark report`: the last sync report of each pipeline, as the agent
// stored it in tidemark.reports on the target (at the end of every run,
// and once a minute while one streams): the JSON with --json, a readable
// summary otherwise.
// Must not: change anything.
#pragma once

#include <ostream>

#include "cli/view_options.hpp"
#include "config/config.hpp"

namespace tidemark::cli {

// kExitFailure (and why, on `err`) when a pipeline has no report yet.
int run_report(const config::Config& config, const ViewOptions& options, std::ostream& out, std::ostream& err);

}  // namespace tidemark::cli
