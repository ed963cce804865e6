// See lsn.hpp.
#include "pg/lsn.hpp"

#include <cstdio>
#include <limits>
#include <stdexcept>

namespace tidemark::pg {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// One half of "X/Y": 1 to 8 hex digits, as pg_lsn_in requires.
std::optional<std::uint32_t> parse_half(std::string_view text) {
    if (text.empty() || text.size() > 8) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : text) {
        int d = hex_value(c);
        if (d < 0) return std::nullopt;
        v = (v << 4) | static_cast<std::uint32_t>(d);
    }
    return v;
}

}  // namespace

std::optional<Lsn> Lsn::try_parse(std::string_view text) noexcept {
    std::size_t slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto hi = parse_half(text.substr(0, slash));
    auto lo = parse_half(text.substr(slash + 1));
    if (!hi || !lo) return std::nullopt;
    return Lsn((static_cast<std::uint64_t>(*hi) << 32) | *lo);
}

Lsn Lsn::parse(std::string_view text) {
    auto lsn = try_parse(text);
    if (!lsn) throw std::invalid_argument("invalid WAL position \"" + std::string(text) + "\" (expected X/Y in hex)");
    return *lsn;
}

std::string Lsn::to_string() const {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(value_ >> 32),
                  static_cast<unsigned>(value_ & 0xFFFFFFFFu));
    return buf;
}

Lsn Lsn::operator+(std::uint64_t bytes) const {
    if (bytes > std::numeric_limits<std::uint64_t>::max() - value_)
        throw std::overflow_error("WAL position " + to_string() + " + " + std::to_string(bytes) + " overflows");
    return Lsn(value_ + bytes);
}

std::uint64_t Lsn::operator-(const Lsn& other) const {
    if (other.value_ > value_)
        throw std::underflow_error("WAL position " + other.to_string() + " is after " + to_string());
    return value_ - other.value_;
}

}  // namespace tidemark::pg
