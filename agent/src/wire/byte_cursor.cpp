// See byte_cursor.hpp.
#include "wire/byte_cursor.hpp"

#include <string>

#include "tidemark_protocol.h"
#include "wire/format_error.hpp"
#include "wire/varint.hpp"

namespace tidemark::wire {

void ByteCursor::fail(std::size_t at, const std::string& problem) const { throw FormatError(at, problem); }

std::uint8_t ByteCursor::u8(const char* what) {
    if (remaining() < 1) fail(offset(), std::string("input ends where ") + what + " (1 byte) was expected");
    return static_cast<std::uint8_t>(data_[pos_++]);
}

std::uint64_t ByteCursor::uvar(const char* what) {
    UvarDecode d = decode_uvar(data_.substr(pos_));
    if (d.status == UvarStatus::truncated) fail(offset(), std::string("input ends inside ") + what + " (uvar)");
    if (d.status == UvarStatus::overflow) fail(offset(), std::string(what) + " is a uvar longer than 64 bits");
    pos_ += d.length;
    return d.value;
}

std::uint32_t ByteCursor::uvar32(const char* what) {
    std::size_t at = offset();
    std::uint64_t v = uvar(what);
    if (v > 0xFFFFFFFFu) fail(at, std::string(what) + " " + std::to_string(v) + " does not fit 32 bits");
    return static_cast<std::uint32_t>(v);
}

std::int64_t ByteCursor::svar(const char* what) { return zigzag_decode(uvar(what)); }

std::int64_t ByteCursor::i64(const char* what) {
    if (remaining() < 8)
        fail(offset(), std::string("input ends inside ") + what + " (8 bytes expected, " + std::to_string(remaining()) +
                           " left)");
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(data_[pos_ + i]);
    pos_ += 8;
    return static_cast<std::int64_t>(v);
}

std::string_view ByteCursor::take(std::size_t length, const char* what) {
    if (length > remaining())
        fail(offset(), std::string(what) + " needs " + std::to_string(length) + " bytes but only " +
                           std::to_string(remaining()) + " are left");
    std::string_view v = data_.substr(pos_, length);
    pos_ += length;
    return v;
}

std::string_view ByteCursor::str(const char* what) {
    std::size_t at = offset();
    std::uint64_t length = uvar(what);
    if (length > TM_MAX_VALUE_LENGTH)
        fail(at, std::string(what) + " length " + std::to_string(length) + " exceeds the 1 GB limit");
    return take(static_cast<std::size_t>(length), what);
}

void ByteCursor::expect_end(const char* what) const {
    if (!at_end()) fail(offset(), std::to_string(remaining()) + " unexpected bytes after the end of " + what);
}

}  // namespace tidemark::wire
