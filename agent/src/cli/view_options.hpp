// ViewOptions: what the command line says about `tidemark status` and
// `tidemark report`.  Must not: duplicate the configuration file.
#pragma once

#include <optional>
#include <string>

namespace tidemark::cli {

struct ViewOptions {
    bool json = false;  // JSON instead of text
    // --pipeline: only this pipeline; unset: every pipeline of the file.
    std::optional<std::string> pipeline;
};

}  // namespace tidemark::cli
