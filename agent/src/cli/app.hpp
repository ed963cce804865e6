// The command-line entry point: parses arguments, loads the configuration,
// sets up logging and runs the chosen command, turning every failure into
// the exit code of cli/exit_codes.hpp.  The sync command is passed in, so
// main.cpp wires the real one and tests can wire their own.
// Must not: implement any command's work itself.
#pragma once

#include <functional>
#include <ostream>
#include <span>
#include <string_view>

#include "cli/sync_options.hpp"
#include "config/config.hpp"

namespace tidemark::cli {

struct Commands {
    std::function<int(const config::Config&, const SyncOptions&)> sync;
};

// `args` excludes the program name.  Usage, version and check-config
// results go to `out`; usage and configuration errors to `err`.
int run(std::span<const std::string_view> args, const Commands& commands, std::ostream& out, std::ostream& err);

}  // namespace tidemark::cli
