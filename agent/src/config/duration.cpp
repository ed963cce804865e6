// See duration.hpp.
#include "config/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace tidemark::config {
namespace {

struct Unit {
    std::string_view name;
    std::int64_t millis;
};

constexpr std::array<Unit, 19> kUnits{{
    {"ms", 1},          {"millisecond", 1}, {"milliseconds", 1}, {"s", 1000},          {"sec", 1000},
    {"second", 1000},   {"seconds", 1000},  {"min", 60000},      {"minute", 60000},    {"minutes", 60000},
    {"h", 3600000},     {"hour", 3600000},  {"hours", 3600000},  {"d", 86400000},      {"day", 86400000},
    {"days", 86400000}, {"w", 604800000},   {"week", 604800000}, {"weeks", 604800000},
}};

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t digits_start = i;
    std::int64_t number = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        int d = text[i] - '0';
        if (number > (std::numeric_limits<std::int64_t>::max() - d) / 10) return std::nullopt;
        number = number * 10 + d;
        ++i;
    }
    if (i == digits_start) return std::nullopt;
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t end = text.size();
    while (end > i && text[end - 1] == ' ') --end;
    std::string_view unit = text.substr(i, end - i);
    for (const Unit& u : kUnits) {
        if (u.name != unit) continue;
        if (number > std::numeric_limits<std::int64_t>::max() / u.millis) return std::nullopt;
        return std::chrono::milliseconds(number * u.millis);
    }
    return std::nullopt;
}

std::string format_duration(std::chrono::milliseconds duration) {
    std::int64_t ms = duration.count();
    if (ms != 0) {
        if (ms % 86400000 == 0) return std::to_string(ms / 86400000) + "d";
        if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
        if (ms % 60000 == 0) return std::to_string(ms / 60000) + "min";
        if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    }
    return std::to_string(ms) + "ms";
}

}  // namespace tidemark::config
