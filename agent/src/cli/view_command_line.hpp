// The command lines of `tidemark status` and `tidemark report`:
// -c FILE, --json, --pipeline NAME, --log-format.  Must not: read the file.
#pragma once

#include <span>
#include <string_view>

#include "cli/command_line.hpp"

namespace tidemark::cli {

// args[0] is "status" or "report".  Throws UsageError.
CommandLine parse_view_command_line(std::span<const std::string_view> args);

}  // namespace tidemark::cli
