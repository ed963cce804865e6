// Loading a Config from TOML.  Each [section] has one small parser
// function in config_loader.cpp; adding a section is adding one function
// and one line to its table.  Must not: connect to anything (check-config
// does that).
#pragma once

#include <filesystem>
#include <string_view>

#include "config/config.hpp"

namespace tidemark::config {

// Throws ConfigError.
Config load_config(const std::filesystem::path& path);
// `origin` names the text in TOML syntax errors (a path, or "<text>").
Config parse_config(std::string_view toml_text, std::string_view origin = "<text>");

}  // namespace tidemark::config
