// UsageError: the command line cannot be understood.  Its message is one
// line; the caller prints it with the usage and exits 2.
// Must not: be used for problems in the configuration file (ConfigError).
#pragma once

#include <stdexcept>
#include <string>

namespace tidemark::cli {

class UsageError : public std::runtime_error {
public:
    explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tidemark::cli
