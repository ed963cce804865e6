// run_pipelines: the pipelines of one `tidemark sync`, side by side.  Each
// runs in a thread of its own (sync/pipeline_driver.hpp) with its own
// state, slot and lock; at most [sync] max_parallel_pipelines at once,
// highest priority first, the next starting when one ends.  They share
// one ConnectionBudget of [target] max_connections, served by priority.
// Without [[pipelines]] the set holds the one pipeline [source] describes.
// Must not: watch signals (run_sync does; its stop reaches every
// pipeline through the RunContext).
#pragma once

#include <filesystem>
#include <string>

#include "cli/sync_options.hpp"
#include "config/config.hpp"
#include "sync/run_context.hpp"

namespace tidemark::sync {

// 0 when every pipeline ended as asked, 1 when any failed.  Rethrows the
// first config::ConfigError a pipeline met.
int run_pipelines(const config::Config& config, const cli::SyncOptions& options, RunContext& context);

// Where a pipeline's report goes when several share --report FILE:
// "report.json" becomes "report.<pipeline>.json", the name made safe for
// a file name.
std::filesystem::path report_file_for(const std::filesystem::path& file, const std::string& pipeline);

}  // namespace tidemark::sync
