// See timestamp.hpp.
#include "pg/timestamp.hpp"

#include <cstdio>
#include <stdexcept>

namespace tidemark::pg {
namespace {

using namespace std::chrono;

constexpr std::int64_t kMicrosPerDay = 86400LL * 1000000LL;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

[[noreturn]] void bad(std::string_view text) {
    throw std::invalid_argument("invalid timestamp \"" + std::string(text) +
                                "\" (expected YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM|Z])");
}

// Reads exactly n digits at pos.
int digits(std::string_view text, std::size_t& pos, std::size_t n) {
    if (pos + n > text.size()) bad(text);
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') bad(text);
        v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
}

void expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) bad(text);
    ++pos;
}

}  // namespace

SystemTime to_system_time(std::int64_t pg_micros) noexcept {
    return SystemTime(microseconds(pg_micros + kPgEpochOffsetMicros));
}

std::int64_t from_system_time(SystemTime time) noexcept {
    return time.time_since_epoch().count() - kPgEpochOffsetMicros;
}

std::int64_t pg_now() noexcept { return from_system_time(time_point_cast<microseconds>(system_clock::now())); }

bool in_four_digit_years(std::int64_t pg_micros) noexcept {
    // Days from 2000-01-01 to 0001-01-01 and to 9999-12-31.
    constexpr std::int64_t kFirstDay = -730119, kLastDay = 2921939;
    std::int64_t day = floor_div(pg_micros, kMicrosPerDay);
    return day >= kFirstDay && day <= kLastDay;
}

std::string format_timestamp(std::int64_t pg_micros) {
    std::int64_t unix_micros = pg_micros + kPgEpochOffsetMicros;
    std::int64_t day = floor_div(unix_micros, kMicrosPerDay);
    std::int64_t in_day = unix_micros - day * kMicrosPerDay;
    year_month_day ymd{sys_days{days{day}}};
    std::int64_t secs = in_day / 1000000;
    std::int64_t frac = in_day % 1000000;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06d+00:00", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60), static_cast<int>(frac));
    return buf;
}

std::int64_t parse_timestamp(std::string_view text) {
    std::size_t pos = 0;
    int y = digits(text, pos, 4);
    expect(text, pos, '-');
    int mo = digits(text, pos, 2);
    expect(text, pos, '-');
    int d = digits(text, pos, 2);
    if (pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ')) bad(text);
    ++pos;
    int h = digits(text, pos, 2);
    expect(text, pos, ':');
    int mi = digits(text, pos, 2);
    expect(text, pos, ':');
    int s = digits(text, pos, 2);
    std::int64_t frac = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
        std::size_t n = pos - start;
        if (n == 0 || n > 6) bad(text);
        std::size_t p = start;
        frac = digits(text, p, n);
        for (std::size_t i = n; i < 6; ++i) frac *= 10;
    }
    std::int64_t offset_seconds = 0;
    if (pos < text.size() && text[pos] == 'Z') {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        int oh = digits(text, pos, 2);
        int om = 0;
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            om = digits(text, pos, 2);
        } else if (pos + 2 <= text.size()) {
            om = digits(text, pos, 2);
        }
        if (oh > 15 || om > 59) bad(text);
        offset_seconds = sign * (oh * 3600 + om * 60);
    } else {
        bad(text);
    }
    if (pos != text.size()) bad(text);
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 59) bad(text);
    std::int64_t day_number = sys_days{ymd}.time_since_epoch().count();
    std::int64_t unix_seconds = day_number * 86400 + h * 3600 + mi * 60 + s - offset_seconds;
    return unix_seconds * 1000000 + frac - kPgEpochOffsetMicros;
}

}  // namespace tidemark::pg
