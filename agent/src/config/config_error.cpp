// See config_error.hpp.
#include "config/config_error.hpp"

namespace tidemark::config {

ConfigError::ConfigError(const std::string& problem) : std::runtime_error("config error: " + problem) {}

}  // namespace tidemark::config
