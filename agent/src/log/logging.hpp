// Logging setup: one stderr logger, installed as spdlog's default, in the
// chosen format.  stdout is left for reports.  Must not: be called from
// library code (only the command line chooses the format).
#pragma once

#include <optional>
#include <string_view>

#include <spdlog/common.h>

#include "log/log_format.hpp"

namespace tidemark::log {

void setup_logging(LogFormat format, spdlog::level::level_enum level = spdlog::level::info);

// "trace", "debug", "info", "warn", "error"; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_level(std::string_view text) noexcept;

}  // namespace tidemark::log
