// LogFormat: how log lines are written to stderr.  Must not: carry any
// other logging setting.
#pragma once

#include <optional>
#include <string_view>

namespace tidemark::log {

enum class LogFormat {
    plain,  // "2026-11-24 02:32:27.123 info message key=value"
    json,   // {"ts": "...", "level": "info", "msg": "...", "key": "value"}
};

std::optional<LogFormat> parse_log_format(std::string_view text) noexcept;

}  // namespace tidemark::log
