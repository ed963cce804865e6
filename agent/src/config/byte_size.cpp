// See byte_size.hpp.
#include "config/byte_size.hpp"

#include <array>
#include <limits>

namespace tidemark::config {
namespace {

struct Unit {
    std::string_view name;
    std::uint64_t bytes;
};

// PostgreSQL spells kilobytes "kB"; "KB" is accepted too because people
// write it and it cannot mean anything else here.
constexpr std::array<Unit, 6> kUnits{{
    {"B", 1},
    {"kB", 1ULL << 10},
    {"KB", 1ULL << 10},
    {"MB", 1ULL << 20},
    {"GB", 1ULL << 30},
    {"TB", 1ULL << 40},
}};

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t digits_start = i;
    std::uint64_t number = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        unsigned d = static_cast<unsigned>(text[i] - '0');
        if (number > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::nullopt;
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
        if (number > std::numeric_limits<std::uint64_t>::max() / u.bytes) return std::nullopt;
        return number * u.bytes;
    }
    return std::nullopt;
}

}  // namespace tidemark::config
