// ByteCursor: bounds-checked reading of the format's primitives from a
// payload.  Every read names what it expected so a FormatError says which
// field was cut short or out of range.  Must not: read past its end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tidemark::wire {

class ByteCursor {
public:
    // `base` is the offset of data[0] within the whole payload, so errors
    // report payload offsets even for a cursor over one message body.
    explicit ByteCursor(std::string_view data, std::size_t base = 0) noexcept : data_(data), base_(base) {}

    std::size_t offset() const noexcept { return base_ + pos_; }
    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    bool at_end() const noexcept { return pos_ == data_.size(); }

    std::uint8_t u8(const char* what);
    std::uint64_t uvar(const char* what);
    // A uvar that must fit 32 bits (OIDs, counts).
    std::uint32_t uvar32(const char* what);
    std::int64_t svar(const char* what);
    std::int64_t i64(const char* what);
    // uvar length then bytes; lengths above TM_MAX_VALUE_LENGTH are refused.
    std::string_view str(const char* what);
    std::string_view take(std::size_t length, const char* what);
    // Throws unless every byte was consumed.
    void expect_end(const char* what) const;

    [[noreturn]] void fail(std::size_t at, const std::string& problem) const;

private:
    std::string_view data_;
    std::size_t base_;
    std::size_t pos_ = 0;
};

}  // namespace tidemark::wire
