// Logging setup: one stderr logger, installed as spdlog's default, in the
// chosen format.  stdout is left for reports.  The sink is returned so that
// progress bars can share the terminal with the log (log/terminal_sink.hpp).
// Must not: be called from library code (only the command line chooses the
// format).
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include <spdlog/common.h>

#include "log/log_format.hpp"
#include "log/terminal_sink.hpp"

namespace tidemark::log {

std::shared_ptr<TerminalSink> setup_logging(LogFormat format, spdlog::level::level_enum level = spdlog::level::info);

// "trace", "debug", "info", "warn", "error"; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_level(std::string_view text) noexcept;

}  // namespace tidemark::log
