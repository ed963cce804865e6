// See app.hpp.
#include "cli/app.hpp"

#include <cstdlib>
#include <exception>

#include "cli/check_config_command.hpp"
#include "cli/command_line.hpp"
#include "cli/conflicts_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/pipeline_choice.hpp"
#include "cli/report_command.hpp"
#include "cli/slot_command.hpp"
#include "cli/state_command.hpp"
#include "cli/status_command.hpp"
#include "cli/usage.hpp"
#include "cli/usage_error.hpp"
#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "log/event.hpp"
#include "log/logging.hpp"
#include "pg/database_error.hpp"

namespace tidemark::cli {
namespace {

spdlog::level::level_enum level_from_environment() {
    const char* text = std::getenv("TIDEMARK_LOG_LEVEL");
    if (!text || !*text) return spdlog::level::info;
    return log::parse_level(text).value_or(spdlog::level::info);
}

}  // namespace

int run(std::span<const std::string_view> args, const Commands& commands, std::ostream& out, std::ostream& err) {
    CommandLine cl;
    try {
        cl = parse_command_line(args);
    } catch (const UsageError& e) {
        err << "tidemark: " << e.what() << "\n" << usage_text();
        return kExitBadConfig;
    }
    switch (cl.command) {
        case Command::version: out << version_text(); return kExitDone;
        case Command::help: out << usage_text(); return kExitDone;
        default: break;
    }

    auto terminal = log::setup_logging(cl.log_format, level_from_environment());
    config::Config config;
    try {
        config = config::load_config(cl.config_path);
    } catch (const config::ConfigError& e) {
        err << e.what() << "\n";
        return kExitBadConfig;
    }

    try {
        if (cl.command == Command::check_config) return run_check_config(config, out);
        // --pipeline picks what these act on; pipeline_choice.hpp has the rules.
        if (cl.command == Command::slot_list)
            return run_slot_list(pipelines_named(config, cl.slot.pipeline), cl.slot, out);
        if (cl.command == Command::slot_drop && cl.slot.name && !cl.slot.pipeline)
            return run_slot_drop(config, cl.slot, out, err);  // an explicit SLOT needs no pipeline's default
        if (cl.command == Command::slot_drop)
            return run_slot_drop(one_pipeline(config, cl.slot.pipeline, "tidemark slot drop without a SLOT"), cl.slot,
                                 out, err);
        if (cl.command == Command::state)
            return run_state(one_pipeline(config, cl.state.pipeline, "tidemark state"), cl.state, out, err);
        if (cl.command == Command::status) return run_status(pipelines_named(config, cl.view.pipeline), cl.view, out);
        if (cl.command == Command::report)
            return run_report(pipelines_named(config, cl.view.pipeline), cl.view, out, err);
        if (cl.command == Command::conflicts_list)
            return run_conflicts_list(pipelines_named(config, cl.conflicts.pipeline), cl.conflicts, out);
        if (cl.command == Command::conflicts_resolve)
            return run_conflicts_resolve(one_pipeline(config, cl.conflicts.pipeline, "tidemark conflicts resolve"),
                                         cl.conflicts, out, err);
        return commands.sync(config, cl.sync, std::move(terminal));
    } catch (const UsageError& e) {
        err << "tidemark: " << e.what() << "\n";
        return kExitBadConfig;
    } catch (const config::ConfigError& e) {
        err << e.what() << "\n";
        return kExitBadConfig;
    } catch (const pg::DatabaseError& e) {
        log::error(e.what(), {{"sqlstate", e.sqlstate()}});
        return kExitFailure;
    } catch (const std::exception& e) {
        log::error(e.what());
        return kExitFailure;
    }
}

}  // namespace tidemark::cli
