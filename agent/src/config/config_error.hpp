// ConfigError: a configuration that cannot be used.  The message is the
// whole explanation for the user ("config error: [sync] startup_mode = ...")
// and the command line turns it into exit code 2.  Must not: quote a
// conninfo value.
#pragma once

#include <stdexcept>
#include <string>

namespace tidemark::config {

class ConfigError : public std::runtime_error {
public:
    // `problem` without the "config error: " prefix, which is added.
    explicit ConfigError(const std::string& problem);
};

}  // namespace tidemark::config
