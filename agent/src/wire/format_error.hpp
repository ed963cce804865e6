// FormatError: what the wire parser throws for bytes that do not follow
// decoder/tidemark_protocol.h.  Owns the offset of the problem in the
// payload.  Must not: be thrown for anything but malformed input.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace tidemark::wire {

class FormatError : public std::runtime_error {
public:
    // what(): "wire format error at offset N: <problem>"
    FormatError(std::size_t offset, const std::string& problem);
    std::size_t offset() const noexcept { return offset_; }

private:
    std::size_t offset_;
};

}  // namespace tidemark::wire
