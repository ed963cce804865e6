// SlotOptions: what the command line says about one `tidemark slot list`
// or `tidemark slot drop`.  Must not: duplicate the configuration file
// (the source and the default slot come from there).
#pragma once

#include <optional>
#include <string>

namespace tidemark::cli {

struct SlotOptions {
    bool json = false;                // list: JSON instead of a table
    bool yes = false;                 // drop: the DBA confirmed
    std::optional<std::string> name;  // drop: the slot; the pipeline's when unset
    // --pipeline: list only its slot; drop its slot.
    std::optional<std::string> pipeline;
};

}  // namespace tidemark::cli
