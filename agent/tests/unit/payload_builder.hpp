// Test helper: builds payloads of the change format byte by byte, with the
// framing (type, body length) done for the test.  Must not: share code
// with the parser beyond the encoders of wire/varint.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark_protocol.h"
#include "wire/varint.hpp"

namespace tidemark::testing {

class Body {
public:
    Body& u8(std::uint8_t v) {
        bytes_ += static_cast<char>(v);
        return *this;
    }
    Body& uvar(std::uint64_t v) {
        wire::append_uvar(bytes_, v);
        return *this;
    }
    Body& svar(std::int64_t v) {
        wire::append_svar(bytes_, v);
        return *this;
    }
    Body& i64(std::int64_t v) {
        wire::append_i64(bytes_, v);
        return *this;
    }
    Body& str(std::string_view s) {
        wire::append_uvar(bytes_, s.size());
        bytes_.append(s);
        return *this;
    }
    Body& raw(std::string_view s) {
        bytes_.append(s);
        return *this;
    }
    Body& null_value() { return uvar(TM_VALUE_NULL); }
    Body& toast_value() { return uvar(TM_VALUE_UNCHANGED_TOAST); }
    Body& text_value(std::string_view s) {
        uvar((static_cast<std::uint64_t>(s.size()) << TM_VALUE_LENGTH_SHIFT) | TM_VALUE_TEXT);
        return raw(s);
    }
    Body& binary_value(std::string_view s) {
        uvar((static_cast<std::uint64_t>(s.size()) << TM_VALUE_LENGTH_SHIFT) | TM_VALUE_BINARY);
        return raw(s);
    }
    const std::string& bytes() const { return bytes_; }

private:
    std::string bytes_;
};

// One framed message: type byte, uvar body length, body.
inline std::string message(std::uint8_t type, const Body& body) {
    std::string out(1, static_cast<char>(type));
    wire::append_uvar(out, body.bytes().size());
    out += body.bytes();
    return out;
}

}  // namespace tidemark::testing
