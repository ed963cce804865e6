// Parsing of tidemark's command line into a CommandLine.
// Must not: read the configuration file or touch the environment.
#pragma once

#include <filesystem>
#include <span>
#include <string_view>

#include "cli/conflicts_options.hpp"
#include "cli/slot_options.hpp"
#include "cli/state_options.hpp"
#include "cli/sync_options.hpp"
#include "cli/view_options.hpp"
#include "log/log_format.hpp"

namespace tidemark::cli {

enum class Command { sync, check_config, slot_list, slot_drop, conflicts_list, conflicts_resolve, state, status, report, version, help };

struct CommandLine {
    Command command = Command::help;
    std::filesystem::path config_path;
    SyncOptions sync;  // meaningful for Command::sync
    SlotOptions slot;  // meaningful for Command::slot_list and slot_drop
    StateOptions state;  // meaningful for Command::state
    ConflictsOptions conflicts;  // meaningful for Command::conflicts_list and conflicts_resolve
    ViewOptions view;  // meaningful for Command::status and report
    log::LogFormat log_format = log::LogFormat::plain;
};

// `args` excludes the program name.  Throws UsageError.
CommandLine parse_command_line(std::span<const std::string_view> args);

}  // namespace tidemark::cli
