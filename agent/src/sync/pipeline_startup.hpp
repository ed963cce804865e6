// Pipeline startup: from the configuration, the command line and the state
// found on the target, gets the pipeline to the point where streaming can
// begin.  Owns the startup modes (initial, latest, specific,
// initial_only), --reset, resuming from existing state, and the handoff
// from the Initial Data Package: slot with an exported snapshot, the copy,
// sequences, then the origin set to the slot's consistent point in the
// same transaction that marks the pipeline 'streaming'.
// Must not: apply stream changes (stream_session does).
#pragma once

#include <optional>
#include <stop_token>
#include <string>

#include "cli/sync_options.hpp"
#include "config/config.hpp"
#include "idp/initial_copy.hpp"
#include "pg/lsn.hpp"
#include "state/pipeline_record.hpp"

namespace tidemark::sync {

struct PipelineStart {
    state::PipelineRecord record;
    // Where streaming starts when the origin has no progress yet.
    pg::Lsn fallback_start;
    // initial_only has finished: nothing to stream.
    bool finished = false;
    bool resumed = false;
    // What this run copied, if it copied.
    std::optional<idp::CopyResult> copy;
    std::vector<std::string> notes;  // for the report's warnings
};

// The pipeline's name in tidemark.pipelines: [source] name, else the slot.
std::string pipeline_name(const config::Config& config);

// --reset: drops the slot if tidemark created it (unless `keep_slot`),
// drops the origin and deletes the pipeline's state rows, saying so in the
// log.  Returns notes for the report.  Throws SyncError, pg::DatabaseError.
std::vector<std::string> reset_pipeline(const config::Config& config, bool keep_slot = false);

// Throws SyncError (a configuration the source or the state cannot
// satisfy), idp::CopyError / CopyInterrupted, pg::DatabaseError.
// `display`: how a copy it makes shows its progress.
PipelineStart start_pipeline(const config::Config& config, idp::ProgressDisplay display, std::stop_token stop);

}  // namespace tidemark::sync
