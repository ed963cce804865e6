// StateOptions: what the command line says about one `tidemark state ...`
// command.  Must not: duplicate the configuration file (the pipeline, the
// target and the slot come from there).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace tidemark::cli {

enum class StateAction { show, history, validate, rollback, reset, export_state, import_state };

struct StateOptions {
    StateAction action = StateAction::show;
    bool json = false;                          // show, history, validate: JSON instead of text
    bool repair = false;                        // validate: repair what is fixable
    bool yes = false;                           // reset: the operator confirmed
    bool keep_slot = false;                     // reset: leave the slot on the source
    bool force = false;                         // import: replace the pipeline's existing state
    std::optional<long long> version;           // rollback
    std::optional<std::filesystem::path> file;  // export, import
    // --pipeline: the pipeline acted on; needed when the file has several.
    std::optional<std::string> pipeline;
};

}  // namespace tidemark::cli
