// Sizes as users write them in the configuration file: "10GB", "512 MB",
// "64kB", "1TB", "100B"; 1024-based as PostgreSQL's own settings.
// Must not: guess a unit for a bare number.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tidemark::config {

inline constexpr std::string_view kByteSizeUnits = "B, kB, MB, GB, TB";

std::optional<std::uint64_t> parse_byte_size(std::string_view text) noexcept;

}  // namespace tidemark::config
