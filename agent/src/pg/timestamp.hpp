// PostgreSQL timestamps (TimestampTz: microseconds since 2000-01-01 UTC) to
// and from ISO 8601 text and std::chrono.  Must not: use the local time zone.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tidemark::pg {

// Microseconds between 1970-01-01 and 2000-01-01.
inline constexpr std::int64_t kPgEpochOffsetMicros = 946684800LL * 1000000LL;

using SystemTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

SystemTime to_system_time(std::int64_t pg_micros) noexcept;
std::int64_t from_system_time(SystemTime time) noexcept;
std::int64_t pg_now() noexcept;

// Whether the time falls in years 1..9999, the range ISO text with a
// four-digit year (and tidemark.to_json) can show.
bool in_four_digit_years(std::int64_t pg_micros) noexcept;

// "2026-11-24T02:32:27.123456+00:00": always UTC, always six fractional
// digits (the shape tidemark.to_json prints).
std::string format_timestamp(std::int64_t pg_micros);
// Accepts "YYYY-MM-DD[T| ]HH:MM:SS[.f{1,6}]" followed by "Z", "+HH",
// "+HH:MM", "+HHMM" (or '-'); throws std::invalid_argument otherwise.
std::int64_t parse_timestamp(std::string_view text);

}  // namespace tidemark::pg
