// The `tidemark sync` command: declared here for the command line to call.
// Must not: parse arguments or the configuration file (cli/ and config/ do).
#pragma once

#include <memory>

#include "cli/sync_options.hpp"
#include "config/config.hpp"
#include "log/terminal_sink.hpp"
#include "sync/run_context.hpp"

namespace tidemark::sync {

// Runs the sync as the configuration and options say; returns the process
// exit code (cli/exit_codes.hpp).  Copies draw their progress bars on
// `terminal` when it is one.
int run_sync(const config::Config& config, const cli::SyncOptions& options,
             std::shared_ptr<log::TerminalSink> terminal);

// Runs one pipeline until it is done, fails or `stop` asks it to stop
// (the process's stop, or the pipeline's own when it loses its lock);
// returns its exit code.  The caller watches the signals.
int run_pipeline(const config::Config& config, const cli::SyncOptions& options, RunContext& context,
                 std::stop_source stop);

}  // namespace tidemark::sync
