// SyncOptions: what the command line says about one `tidemark sync` run,
// beyond the configuration file.  Must not: duplicate anything that belongs
// in the configuration file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "log/log_format.hpp"

namespace tidemark::cli {

struct SyncOptions {
    // Stop once the target has caught up with the source's WAL position
    // at startup, instead of streaming forever.
    bool once = false;
    // Forget the saved progress (and the slot) and start over as the
    // configured startup_mode says.
    bool reset = false;
    // Tables ("schema.table" patterns) to copy again before streaming, in
    // whichever pipeline streams them (sync/table_reseed.hpp).
    std::vector<std::string> reseed;
    // Where to write the sync report; stdout when unset.
    std::optional<std::filesystem::path> report_file;
    log::LogFormat log_format = log::LogFormat::plain;
};

}  // namespace tidemark::cli
