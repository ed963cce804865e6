// Lsn: a WAL position (XLogRecPtr) as a value type, in PostgreSQL's "X/Y"
// text form.  Must not: accept text PostgreSQL would reject.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidemark::pg {

class Lsn {
public:
    constexpr Lsn() noexcept = default;
    constexpr explicit Lsn(std::uint64_t value) noexcept : value_(value) {}

    // "16/B374D848"; throws std::invalid_argument naming the text.
    static Lsn parse(std::string_view text);
    static std::optional<Lsn> try_parse(std::string_view text) noexcept;

    constexpr std::uint64_t value() const noexcept { return value_; }
    // InvalidXLogRecPtr is 0.
    constexpr bool is_valid() const noexcept { return value_ != 0; }
    std::string to_string() const;

    constexpr auto operator<=>(const Lsn&) const noexcept = default;

    // Throws std::overflow_error past the end of the WAL address space.
    Lsn operator+(std::uint64_t bytes) const;
    // Bytes from `other` to this (this >= other); throws std::underflow_error
    // otherwise.
    std::uint64_t operator-(const Lsn& other) const;

private:
    std::uint64_t value_ = 0;
};

}  // namespace tidemark::pg
