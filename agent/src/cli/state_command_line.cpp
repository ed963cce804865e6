// See state_command_line.hpp.
#include "cli/state_command_line.hpp"

#include <array>
#include <charconv>
#include <string>
#include <utility>

#include "cli/option_cursor.hpp"
#include "cli/pipeline_choice.hpp"
#include "cli/usage_error.hpp"

namespace tidemark::cli {
namespace {

struct Subcommand {
    std::string_view name;
    StateAction action;
};

constexpr std::array<Subcommand, 7> kSubcommands{{
    {"show", StateAction::show},
    {"history", StateAction::history},
    {"validate", StateAction::validate},
    {"rollback", StateAction::rollback},
    {"reset", StateAction::reset},
    {"export", StateAction::export_state},
    {"import", StateAction::import_state},
}};

constexpr std::string_view kSubcommandList = "show, history, validate, rollback, reset, export or import";

long long version_number(std::string_view text) {
    long long v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v <= 0)
        throw UsageError("state rollback needs a version number (state history lists them), not \"" +
                         std::string(text) + "\"");
    return v;
}

// Which options each subcommand takes.
bool takes(StateAction action, std::string_view option) {
    using enum StateAction;
    if (option == "--json") return action == show || action == history || action == validate;
    if (option == "--repair") return action == validate;
    if (option == "--yes" || option == "--keep-slot") return action == reset;
    if (option == "--force") return action == import_state;
    return false;
}

}  // namespace

CommandLine parse_state_command_line(std::span<const std::string_view> args) {
    CommandLine cl;
    cl.command = Command::state;
    if (args.size() < 2) throw UsageError("state needs a subcommand: " + std::string(kSubcommandList));
    if (args[1] == "-h" || args[1] == "--help") {
        cl.command = Command::help;
        return cl;
    }
    bool known = false;
    for (const auto& s : kSubcommands)
        if (s.name == args[1]) {
            cl.state.action = s.action;
            known = true;
        }
    if (!known)
        throw UsageError("unknown state subcommand \"" + std::string(args[1]) + "\"; use " +
                         std::string(kSubcommandList));
    const std::string name = "state " + std::string(args[1]);

    bool pipeline_seen = false;
    std::array<bool, 5> flag_seen{};
    OptionCursor cur(args, 2);
    while (cur.next()) {
        if (cur.take_common(cl)) {
            if (cl.command == Command::help) return cl;
            continue;
        }
        std::string_view option = cur.option();
        if (option == "--pipeline") {
            cur.once(pipeline_seen);
            cl.state.pipeline = pipeline_option(cur.value());
        } else if (option.starts_with("-") && takes(cl.state.action, option)) {
            cur.no_value();
            const std::array<std::pair<std::string_view, bool*>, 5> flags{{{"--json", &cl.state.json},
                                                                           {"--repair", &cl.state.repair},
                                                                           {"--yes", &cl.state.yes},
                                                                           {"--keep-slot", &cl.state.keep_slot},
                                                                           {"--force", &cl.state.force}}};
            for (std::size_t f = 0; f < flags.size(); ++f)
                if (flags[f].first == option) {
                    cur.once(flag_seen[f]);
                    *flags[f].second = true;
                }
        } else if (!option.starts_with("-") && cl.state.action == StateAction::rollback && !cl.state.version) {
            cl.state.version = version_number(option);
        } else if (!option.starts_with("-") && !option.empty() && !cl.state.file &&
                   (cl.state.action == StateAction::export_state || cl.state.action == StateAction::import_state)) {
            cl.state.file = std::filesystem::path(option);
        } else {
            cur.unknown(name);
        }
    }
    if (!cur.config_seen()) throw UsageError(name + " needs -c FILE (the configuration file)");
    if (cl.state.action == StateAction::rollback && !cl.state.version)
        throw UsageError("state rollback needs a VERSION (state history lists them)");
    if ((cl.state.action == StateAction::export_state || cl.state.action == StateAction::import_state) &&
        !cl.state.file)
        throw UsageError(name + " needs a FILE");
    cl.sync.log_format = cl.log_format;
    return cl;
}

}  // namespace tidemark::cli
