// See command_line.hpp.
#include "cli/command_line.hpp"

#include <charconv>
#include <cstdint>
#include <string>

#include "cli/option_cursor.hpp"
#include "cli/pipeline_choice.hpp"
#include "cli/state_command_line.hpp"
#include "cli/usage_error.hpp"
#include "cli/view_command_line.hpp"

namespace tidemark::cli {
namespace {

KeepSide keep_side(std::string_view text) {
    if (text == "source") return KeepSide::source;
    if (text == "target") return KeepSide::target;
    throw UsageError("--keep must be source or target, not \"" + std::string(text) + "\"");
}

std::int64_t conflict_id(std::string_view text) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0)
        throw UsageError("a conflict ID is a positive whole number (the id column of conflicts list), not \"" +
                         std::string(text) + "\"");
    return id;
}

}  // namespace

CommandLine parse_command_line(std::span<const std::string_view> args) {
    if (args.empty()) throw UsageError("missing command");
    CommandLine cl;
    std::string_view command = args.front();
    if (command == "--version" || command == "-V" || command == "version") {
        if (args.size() > 1) throw UsageError(std::string(command) + " takes no arguments");
        cl.command = Command::version;
        return cl;
    }
    if (command == "--help" || command == "-h" || command == "help") {
        cl.command = Command::help;
        return cl;
    }
    if (command == "state") return parse_state_command_line(args);
    if (command == "status" || command == "report") return parse_view_command_line(args);
    if (command == "sync")
        cl.command = Command::sync;
    else if (command == "check-config")
        cl.command = Command::check_config;
    else if (command == "slot")
        cl.command = Command::slot_list;  // the subcommand decides below
    else if (command == "conflicts")
        cl.command = Command::conflicts_list;  // the subcommand decides below
    else if (command.starts_with("-"))
        throw UsageError("unknown option " + std::string(command) + "; a command comes first");
    else
        throw UsageError("unknown command \"" + std::string(command) + "\"");

    std::size_t first_option = 1;
    std::string command_name(command);
    if (cl.command == Command::slot_list) {
        if (args.size() < 2) throw UsageError("slot needs a subcommand: list or drop");
        if (args[1] == "list")
            cl.command = Command::slot_list;
        else if (args[1] == "drop")
            cl.command = Command::slot_drop;
        else if (args[1] == "-h" || args[1] == "--help") {
            cl.command = Command::help;
            return cl;
        } else
            throw UsageError("unknown slot subcommand \"" + std::string(args[1]) + "\"; use list or drop");
        command_name = "slot " + std::string(args[1]);
        first_option = 2;
    } else if (cl.command == Command::conflicts_list) {
        if (args.size() < 2) throw UsageError("conflicts needs a subcommand: list or resolve");
        if (args[1] == "list")
            cl.command = Command::conflicts_list;
        else if (args[1] == "resolve")
            cl.command = Command::conflicts_resolve;
        else if (args[1] == "-h" || args[1] == "--help") {
            cl.command = Command::help;
            return cl;
        } else
            throw UsageError("unknown conflicts subcommand \"" + std::string(args[1]) + "\"; use list or resolve");
        command_name = "conflicts " + std::string(args[1]);
        first_option = 2;
    }

    OptionCursor in(args, first_option);
    bool once_seen = false, reset_seen = false, report_seen = false;
    bool json_seen = false, yes_seen = false, pending_seen = false, keep_seen = false, pipeline_seen = false;
    while (in.next()) {
        if (in.take_common(cl)) {
            if (cl.command == Command::help) return cl;
            continue;
        }
        std::string_view option = in.option();
        if (cl.command == Command::sync && option == "--once") {
            in.once(once_seen);
            in.no_value();
            cl.sync.once = true;
        } else if (cl.command == Command::sync && option == "--reset") {
            in.once(reset_seen);
            in.no_value();
            cl.sync.reset = true;
        } else if (cl.command == Command::sync && option == "--reseed") {
            std::string_view table = in.value();
            if (table.empty()) throw UsageError("option --reseed needs a table (schema.table)");
            cl.sync.reseed.emplace_back(table);
        } else if (cl.command == Command::sync && option == "--report") {
            in.once(report_seen);
            std::string_view path = in.value();
            if (path.empty()) throw UsageError("option --report needs a file name");
            cl.sync.report_file = std::filesystem::path(path);
        } else if ((cl.command == Command::slot_list || cl.command == Command::slot_drop) && option == "--pipeline") {
            in.once(pipeline_seen);
            cl.slot.pipeline = pipeline_option(in.value());
        } else if ((cl.command == Command::conflicts_list || cl.command == Command::conflicts_resolve) &&
                   option == "--pipeline") {
            in.once(pipeline_seen);
            cl.conflicts.pipeline = pipeline_option(in.value());
        } else if (cl.command == Command::slot_list && option == "--json") {
            in.once(json_seen);
            in.no_value();
            cl.slot.json = true;
        } else if (cl.command == Command::slot_drop && option == "--yes") {
            in.once(yes_seen);
            in.no_value();
            cl.slot.yes = true;
        } else if (cl.command == Command::conflicts_list && option == "--json") {
            in.once(json_seen);
            in.no_value();
            cl.conflicts.json = true;
        } else if (cl.command == Command::conflicts_list && option == "--pending") {
            in.once(pending_seen);
            in.no_value();
            cl.conflicts.pending = true;
        } else if (cl.command == Command::conflicts_resolve && option == "--keep") {
            in.once(keep_seen);
            cl.conflicts.keep = keep_side(in.value());
        } else if (cl.command == Command::conflicts_resolve && !option.starts_with("-") && !cl.conflicts.id) {
            cl.conflicts.id = conflict_id(option);
        } else if (cl.command == Command::slot_drop && !option.starts_with("-") && !cl.slot.name) {
            if (option.empty()) throw UsageError("the slot name must not be empty");
            cl.slot.name = std::string(option);
        } else {
            in.unknown(command_name);
        }
    }
    if (!in.config_seen()) throw UsageError(command_name + " needs -c FILE (the configuration file)");
    if (cl.sync.reset && !cl.sync.reseed.empty())
        throw UsageError("--reseed and --reset do not go together: --reset copies every table again already");
    if (cl.command == Command::conflicts_resolve) {
        if (!cl.conflicts.id) throw UsageError("conflicts resolve needs the ID of a conflict (conflicts list shows them)");
        if (!cl.conflicts.keep) throw UsageError("conflicts resolve needs --keep source or --keep target");
    }
    cl.sync.log_format = cl.log_format;
    return cl;
}

}  // namespace tidemark::cli
