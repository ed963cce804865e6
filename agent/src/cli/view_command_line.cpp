// See view_command_line.hpp.
#include "cli/view_command_line.hpp"

#include <optional>
#include <string>

#include "cli/option_cursor.hpp"
#include "cli/pipeline_choice.hpp"
#include "cli/usage_error.hpp"

namespace tidemark::cli {

CommandLine parse_view_command_line(std::span<const std::string_view> args) {
    CommandLine cl;
    const std::string name(args.front());
    cl.command = name == "status" ? Command::status : Command::report;
    bool json_seen = false, pipeline_seen = false;
    OptionCursor cur(args, 1);
    while (cur.next()) {
        if (cur.take_common(cl)) {
            if (cl.command == Command::help) return cl;
            continue;
        }
        std::string_view option = cur.option();
        if (option == "--json") {
            cur.once(json_seen);
            cur.no_value();
            cl.view.json = true;
        } else if (option == "--pipeline") {
            cur.once(pipeline_seen);
            cl.view.pipeline = pipeline_option(cur.value());
        } else {
            cur.unknown(name);
        }
    }
    if (!cur.config_seen()) throw UsageError(name + " needs -c FILE (the configuration file)");
    return cl;
}

}  // namespace tidemark::cli
