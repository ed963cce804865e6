// See format_error.hpp.
#include "wire/format_error.hpp"

namespace tidemark::wire {

FormatError::FormatError(std::size_t offset, const std::string& problem)
    : std::runtime_error("wire format error at offset " + std::to_string(offset) + ": " + problem), offset_(offset) {}

}  // namespace tidemark::wire
