// See view_command_line.hpp.
#include "cli/view_command_line.hpp"

#include <optional>
#include <string>

#include "cli/pipeline_choice.hpp"
#include "cli/usage_error.hpp"

namespace tidemark::cli {

CommandLine parse_view_command_line(std::span<const std::string_view> args) {
    CommandLine cl;
    const std::string name(args.front());
    cl.command = name == "status" ? Command::status : Command::report;
    bool config_seen = false, format_seen = false, json_seen = false, pipeline_seen = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string_view option = args[i];
        std::optional<std::string_view> inline_value;
        if (option.starts_with("--"))
            if (auto eq = option.find('='); eq != std::string_view::npos) {
                inline_value = option.substr(eq + 1);
                option = option.substr(0, eq);
            }
        auto value = [&]() -> std::string_view {
            if (inline_value) return *inline_value;
            if (i + 1 >= args.size()) throw UsageError("option " + std::string(option) + " needs a value");
            return args[++i];
        };
        auto once = [&](bool& seen) {
            if (seen) throw UsageError("option " + std::string(option) + " is given more than once");
            seen = true;
        };
        if (option == "-h" || option == "--help") {
            cl.command = Command::help;
            return cl;
        }
        if (option == "-c" || option == "--config") {
            once(config_seen);
            std::string_view path = value();
            if (path.empty()) throw UsageError("option " + std::string(option) + " needs a file name");
            cl.config_path = std::filesystem::path(path);
        } else if (option == "--log-format") {
            once(format_seen);
            std::string_view text = value();
            auto format = log::parse_log_format(text);
            if (!format) throw UsageError("--log-format must be plain or json, not \"" + std::string(text) + "\"");
            cl.log_format = *format;
        } else if (option == "--json") {
            once(json_seen);
            if (inline_value) throw UsageError("option --json takes no value");
            cl.view.json = true;
        } else if (option == "--pipeline") {
            once(pipeline_seen);
            cl.view.pipeline = pipeline_option(value());
        } else if (option.starts_with("-")) {
            throw UsageError("unknown option " + std::string(option) + " for " + name);
        } else {
            throw UsageError("unexpected argument \"" + std::string(option) + "\" for " + name);
        }
    }
    if (!config_seen) throw UsageError(name + " needs -c FILE (the configuration file)");
    return cl;
}

}  // namespace tidemark::cli
