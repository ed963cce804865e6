// Re-seeding: copying some tables of a streaming pipeline again (`tidemark
// sync --reseed TABLE`), without stopping the others and without a gap or
// a duplicate.  The tables are copied from the snapshot of a temporary
// slot; its consistent point becomes their high-water mark, so the stream,
// which resumes from the pipeline's saved position as always, skips their
// changes the new copy already holds and applies the later ones.  The
// pipeline's slot and origin are not touched.  A re-seed cut short leaves
// its tables not 'copied' in tidemark.tables; the next start copies them
// again before it streams, asked or not.
// Must not: re-seed a pipeline that is copying (its copy covers them) or
// that has no state yet (its first run copies every table).
#pragma once

#include <stop_token>
#include <string>
#include <vector>

#include "catalog/pattern_overlap.hpp"
#include "config/config.hpp"
#include "idp/initial_copy.hpp"

namespace tidemark::sync {

struct ReseedResult {
    std::vector<idp::TableCopyResult> copied;
    std::vector<std::string> notes;  // for the report's warnings
};

// Re-seeds the tables of the pipeline `config` describes that `requested`
// names ("schema.table" patterns, as include takes), and the tables an
// interrupted re-seed left behind, with up to `jobs` copy jobs, showing
// progress as `display` says.  Throws
// SyncError (a table named without a wildcard that the pipeline does not
// stream), idp::CopyError / CopyInterrupted, pg::DatabaseError.
ReseedResult reseed_tables(const config::Config& config, const std::vector<std::string>& requested, int jobs,
                           idp::ProgressDisplay display, std::stop_token stop);

// The items of `requested` that could name a table of `pipeline` (by its
// include/exclude patterns).  Throws std::invalid_argument for a bad
// pattern.
std::vector<std::string> reseed_items_for(const config::PipelineConfig& pipeline,
                                          const std::vector<std::string>& requested);

}  // namespace tidemark::sync
