// State export and import: a pipeline's whole state on the target as one
// JSON document, and that document written back.  The document holds
// "format": "tidemark-state", "format_version": 1, the layout it was read
// from, the pipelines row, the origin's name and progress, the rows of
// tidemark.tables, copy_chunks and table_stats, and the kept versions, so
// an imported state validates and can be rolled back like the original.
// Must not: check the slot or who drives the pipeline (the state command
// does), or import a document of another pipeline.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"
#include "state/state_version.hpp"

namespace tidemark::state {

inline constexpr std::string_view kExportFormat = "tidemark-state";
inline constexpr int kExportFormatVersion = 1;

// The document, pretty-printed; nullopt when the pipeline has no state.
std::optional<std::string> export_state(pg::Connection& target, std::string_view pipeline);

// What an import needs to know before it writes anything.  Throws
// std::runtime_error for a document that is not JSON or not an export.
struct ExportHeader {
    std::string pipeline;
    std::string slot_name;
    std::string phase;
    std::optional<pg::Lsn> origin_lsn;
    long long tables = 0;
    long long versions = 0;
};
ExportHeader read_export_header(pg::Connection& target, const std::string& document);

// Writes the document's state (after deleting the pipeline's current one
// when `replace`), sets the origin to its progress and records a version
// "imported from <source_name>".  Returns that version.
StateVersion import_state(pg::Connection& target, const std::string& document, bool replace,
                          std::string_view source_name, int keep_versions);

}  // namespace tidemark::state
