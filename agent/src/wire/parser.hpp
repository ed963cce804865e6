// Parser: turns one payload (a CopyData message body, or one row of
// pg_logical_slot_*_binary_changes) into Messages, checking every length
// and flag against decoder/tidemark_protocol.h.  Must not: allocate per
// value (values are views into the payload) or trust any length.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "wire/message.hpp"

namespace tidemark::wire {

class Parser {
public:
    // The payload must outlive every Message parsed from it.
    explicit Parser(std::string_view payload) noexcept : payload_(payload) {}

    bool at_end() const noexcept { return offset_ == payload_.size(); }
    std::size_t offset() const noexcept { return offset_; }
    // Parses the next message; throws FormatError.  On error the parser
    // stays at the start of the bad message.
    Message next();

private:
    std::string_view payload_;
    std::size_t offset_ = 0;
};

// Every message in the payload, in order; throws FormatError.
std::vector<Message> parse_all(std::string_view payload);

}  // namespace tidemark::wire
