// The format's integer encodings: uvar (unsigned LEB128, at most 10 bytes),
// svar (zigzag then uvar) and i64 (8 bytes big-endian).  Encoders are used
// by tests and tools; decoders by ByteCursor.  Must not: accept a uvar
// longer than 10 bytes or one whose value does not fit 64 bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidemark::wire {

inline constexpr std::size_t kMaxUvarBytes = 10;

constexpr std::uint64_t zigzag_encode(std::int64_t value) noexcept {
    return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

constexpr std::int64_t zigzag_decode(std::uint64_t value) noexcept {
    return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

void append_uvar(std::string& out, std::uint64_t value);
void append_svar(std::string& out, std::int64_t value);
void append_i64(std::string& out, std::int64_t value);

enum class UvarStatus { ok, truncated, overflow };

struct UvarDecode {
    UvarStatus status;
    std::uint64_t value;
    std::size_t length;  // bytes used (when ok)
};

// Decodes the uvar at the start of `data`.
UvarDecode decode_uvar(std::string_view data) noexcept;

}  // namespace tidemark::wire
