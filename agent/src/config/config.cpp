// See config.hpp.
#include "config/config.hpp"

namespace tidemark::config {

std::string_view to_string(StartupMode mode) noexcept {
    switch (mode) {
        case StartupMode::initial: return "initial";
        case StartupMode::latest: return "latest";
        case StartupMode::specific: return "specific";
        case StartupMode::initial_only: return "initial_only";
    }
    return "initial";
}

std::string_view to_string(OnError on_error) noexcept {
    switch (on_error) {
        case OnError::dead_letter: return "dead_letter";
        case OnError::stop: return "stop";
    }
    return "dead_letter";
}

std::string_view to_string(OriginFilter origin) noexcept { return origin == OriginFilter::none ? "none" : "any"; }

}  // namespace tidemark::config
