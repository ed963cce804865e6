// See app.hpp.
#include "cli/app.hpp"

#include <cstdlib>
#include <exception>

#include "cli/check_config_command.hpp"
#include "cli/command_line.hpp"
#include "cli/exit_codes.hpp"
#include "cli/slot_command.hpp"
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

    log::setup_logging(cl.log_format, level_from_environment());
    config::Config config;
    try {
        config = config::load_config(cl.config_path);
    } catch (const config::ConfigError& e) {
        err << e.what() << "\n";
        return kExitBadConfig;
    }

    try {
        if (cl.command == Command::check_config) return run_check_config(config, out);
        if (cl.command == Command::slot_list) return run_slot_list(config, cl.slot, out);
        if (cl.command == Command::slot_drop) return run_slot_drop(config, cl.slot, out, err);
        return commands.sync(config, cl.sync);
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
