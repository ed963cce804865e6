// Parsing of `tidemark state SUBCOMMAND ...` into a CommandLine (called by
// parse_command_line when the command is "state").
// Must not: read the configuration file or touch the environment.
#pragma once

#include <span>
#include <string_view>

#include "cli/command_line.hpp"

namespace tidemark::cli {

// `args` starts with "state".  Throws UsageError.
CommandLine parse_state_command_line(std::span<const std::string_view> args);

}  // namespace tidemark::cli
