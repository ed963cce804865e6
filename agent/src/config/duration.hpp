// Durations as users write them in the configuration file: "200ms",
// "5 minutes", "1 minute", "7 days", "30s".  Must not: guess a unit for a
// bare number.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tidemark::config {

// Valid units, for error messages.
inline constexpr std::string_view kDurationUnits =
    "ms, s, min, h, d, w (or milliseconds, seconds, minutes, hours, days, weeks)";

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace tidemark::config
