// See varint.hpp.
#include "wire/varint.hpp"

namespace tidemark::wire {

void append_uvar(std::string& out, std::uint64_t value) {
    while (value >= 0x80) {
        out += static_cast<char>((value & 0x7F) | 0x80);
        value >>= 7;
    }
    out += static_cast<char>(value);
}

void append_svar(std::string& out, std::int64_t value) { append_uvar(out, zigzag_encode(value)); }

void append_i64(std::string& out, std::int64_t value) {
    auto v = static_cast<std::uint64_t>(value);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

UvarDecode decode_uvar(std::string_view data) noexcept {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < data.size() && i < kMaxUvarBytes; ++i) {
        auto byte = static_cast<std::uint8_t>(data[i]);
        std::uint64_t group = byte & 0x7F;
        // The tenth byte holds bit 63 only.
        if (i == kMaxUvarBytes - 1 && group > 1) return {UvarStatus::overflow, 0, 0};
        value |= group << (7 * i);
        if ((byte & 0x80) == 0) return {UvarStatus::ok, value, i + 1};
    }
    if (data.size() >= kMaxUvarBytes) return {UvarStatus::overflow, 0, 0};
    return {UvarStatus::truncated, 0, 0};
}

}  // namespace tidemark::wire
