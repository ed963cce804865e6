// The command-line entry point: parses arguments, loads the configuration,
// sets up logging and runs the chosen command, turning every failure into
// the exit code of cli/exit_codes.hpp.  The sync command is passed in, so
// main.cpp wires the real one and tests can wire their own; it gets the
// log's terminal sink, where its progress bars are drawn.
// Must not: implement any command's work itself.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string_view>

#include "cli/sync_options.hpp"
#include "config/config.hpp"
#include "log/terminal_sink.hpp"

namespace tidemark::cli {

using SyncCommand =
    std::function<int(const config::Config&, const SyncOptions&, std::shared_ptr<log::TerminalSink> terminal)>;

struct Commands {
    SyncCommand sync;
};

// `args` excludes the program name.  Usage, version and check-config
// results go to `out`; usage and configuration errors to `err`.
int run(std::span<const std::string_view> args, const Commands& commands, std::ostream& out, std::ostream& err);

}  // namespace tidemark::cli
