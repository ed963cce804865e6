// See log_format.hpp.
#include "log/log_format.hpp"

namespace tidemark::log {

std::optional<LogFormat> parse_log_format(std::string_view text) noexcept {
    if (text == "plain") return LogFormat::plain;
    if (text == "json") return LogFormat::json;
    return std::nullopt;
}

}  // namespace tidemark::log
