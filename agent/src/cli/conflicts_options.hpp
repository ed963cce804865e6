// ConflictsOptions: what the command line says about one `tidemark
// conflicts list` or `tidemark conflicts resolve`.  Must not: duplicate the
// configuration file (the target comes from there).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tidemark::cli {

enum class KeepSide { source, target };

struct ConflictsOptions {
    bool json = false;               // list: JSON instead of a table
    bool pending = false;            // list: only the conflicts waiting for a decision
    std::optional<std::int64_t> id;  // resolve: the conflict
    std::optional<KeepSide> keep;    // resolve: whose values stay
    // --pipeline: list only its conflicts; resolve only a conflict of it.
    std::optional<std::string> pipeline;
};

}  // namespace tidemark::cli
