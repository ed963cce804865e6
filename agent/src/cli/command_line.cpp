// See command_line.hpp.
#include "cli/command_line.hpp"

#include <charconv>
#include <cstdint>
#include <string>

#include "cli/pipeline_choice.hpp"
#include "cli/state_command_line.hpp"
#include "cli/usage_error.hpp"
#include "cli/view_command_line.hpp"

namespace tidemark::cli {
namespace {

// Walks the arguments of one command; options take their value either as
// the next argument or after '=' (--report=FILE).
class Arguments {
public:
    Arguments(std::span<const std::string_view> args, std::string_view command) : args_(args), command_(command) {}

    bool done() const { return pos_ >= args_.size(); }

    // The option name of the current argument (without "=value").
    std::string_view next() {
        current_ = args_[pos_++];
        has_inline_value_ = false;
        if (current_.starts_with("--")) {
            if (auto eq = current_.find('='); eq != std::string_view::npos) {
                has_inline_value_ = true;
                inline_value_ = current_.substr(eq + 1);
                return current_.substr(0, eq);
            }
        }
        return current_;
    }

    std::string_view value(std::string_view option) {
        if (has_inline_value_) return inline_value_;
        if (done()) throw UsageError("option " + std::string(option) + " needs a value");
        return args_[pos_++];
    }

    void no_value(std::string_view option) const {
        if (has_inline_value_) throw UsageError("option " + std::string(option) + " takes no value");
    }

    [[noreturn]] void unknown(std::string_view option) const {
        if (option.starts_with("-"))
            throw UsageError("unknown option " + std::string(option) + " for " + std::string(command_));
        throw UsageError("unexpected argument \"" + std::string(option) + "\" for " + std::string(command_));
    }

private:
    std::span<const std::string_view> args_;
    std::string_view command_;
    std::size_t pos_ = 0;
    std::string_view current_;
    bool has_inline_value_ = false;
    std::string_view inline_value_;
};

log::LogFormat log_format(std::string_view text) {
    auto format = log::parse_log_format(text);
    if (!format) throw UsageError("--log-format must be plain or json, not \"" + std::string(text) + "\"");
    return *format;
}

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

void set_once(bool& seen, std::string_view option) {
    if (seen) throw UsageError("option " + std::string(option) + " is given more than once");
    seen = true;
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

    Arguments in(args.subspan(first_option), command_name);
    bool config_seen = false, format_seen = false, once_seen = false, reset_seen = false, report_seen = false;
    bool json_seen = false, yes_seen = false, pending_seen = false, keep_seen = false, pipeline_seen = false;
    while (!in.done()) {
        std::string_view option = in.next();
        if (option == "-h" || option == "--help") {
            cl.command = Command::help;
            return cl;
        }
        if (option == "-c" || option == "--config") {
            set_once(config_seen, option);
            std::string_view path = in.value(option);
            if (path.empty()) throw UsageError("option " + std::string(option) + " needs a file name");
            cl.config_path = std::filesystem::path(path);
        } else if (option == "--log-format") {
            set_once(format_seen, option);
            cl.log_format = log_format(in.value(option));
        } else if (cl.command == Command::sync && option == "--once") {
            set_once(once_seen, option);
            in.no_value(option);
            cl.sync.once = true;
        } else if (cl.command == Command::sync && option == "--reset") {
            set_once(reset_seen, option);
            in.no_value(option);
            cl.sync.reset = true;
        } else if (cl.command == Command::sync && option == "--reseed") {
            std::string_view table = in.value(option);
            if (table.empty()) throw UsageError("option --reseed needs a table (schema.table)");
            cl.sync.reseed.emplace_back(table);
        } else if (cl.command == Command::sync && option == "--report") {
            set_once(report_seen, option);
            std::string_view path = in.value(option);
            if (path.empty()) throw UsageError("option --report needs a file name");
            cl.sync.report_file = std::filesystem::path(path);
        } else if ((cl.command == Command::slot_list || cl.command == Command::slot_drop) && option == "--pipeline") {
            set_once(pipeline_seen, option);
            cl.slot.pipeline = pipeline_option(in.value(option));
        } else if ((cl.command == Command::conflicts_list || cl.command == Command::conflicts_resolve) &&
                   option == "--pipeline") {
            set_once(pipeline_seen, option);
            cl.conflicts.pipeline = pipeline_option(in.value(option));
        } else if (cl.command == Command::slot_list && option == "--json") {
            set_once(json_seen, option);
            in.no_value(option);
            cl.slot.json = true;
        } else if (cl.command == Command::slot_drop && option == "--yes") {
            set_once(yes_seen, option);
            in.no_value(option);
            cl.slot.yes = true;
        } else if (cl.command == Command::conflicts_list && option == "--json") {
            set_once(json_seen, option);
            in.no_value(option);
            cl.conflicts.json = true;
        } else if (cl.command == Command::conflicts_list && option == "--pending") {
            set_once(pending_seen, option);
            in.no_value(option);
            cl.conflicts.pending = true;
        } else if (cl.command == Command::conflicts_resolve && option == "--keep") {
            set_once(keep_seen, option);
            cl.conflicts.keep = keep_side(in.value(option));
        } else if (cl.command == Command::conflicts_resolve && !option.starts_with("-") && !cl.conflicts.id) {
            cl.conflicts.id = conflict_id(option);
        } else if (cl.command == Command::slot_drop && !option.starts_with("-") && !cl.slot.name) {
            if (option.empty()) throw UsageError("the slot name must not be empty");
            cl.slot.name = std::string(option);
        } else {
            in.unknown(option);
        }
    }
    if (!config_seen) throw UsageError(command_name + " needs -c FILE (the configuration file)");
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
