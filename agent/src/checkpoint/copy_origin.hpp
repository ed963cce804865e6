// CopyOrigin: the replication origin a copy job writes under, so the rows
// the Initial Data Package copied are marked on the target as this
// pipeline's own (commit timestamp and origin of their transactions), not
// as rows someone wrote there.  One origin per job, `<pipeline
// origin>_copy<N>`, because PostgreSQL 15 lets an origin be bound to one
// session at a time.  The origins stay after the copy (the copied rows keep
// pointing at them) and go with --reset.
// Must not: advance or read an LSN (the pipeline's own origin,
// replication_origin.hpp, is the progress).
#pragma once

#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"

namespace tidemark::checkpoint {

// origin_name_for(pipeline) + "_copy" + job: the conflict detection
// recognises its pipeline's copy origins by that form.
std::string copy_origin_name(std::string_view pipeline, int job);

// Creates the origin when missing and binds `conn` to it.  A bind refused
// because the origin is still held by this job's previous session (a lost
// connection whose backend has not exited yet) is retried for a while.
// Throws pg::DatabaseError; when the target has no free replication
// origin state (max_replication_slots), with a message saying how many
// this pipeline needs and how to get them.
void bind_copy_origin(pg::Connection& conn, const std::string& name, int copy_jobs, std::stop_token stop);

// Unbinds `conn` (pg_replication_origin_session_reset); best effort, the
// end of the session unbinds it anyway.
void unbind_copy_origin(pg::Connection& conn) noexcept;

// When `origin` has the form of a copy origin ("<pipeline origin>_copy<N>"),
// the pipeline origin it would belong to.  A pipeline whose own origin has
// that form would share it with the other pipeline's copy job.
std::optional<std::string> copy_origin_owner(std::string_view origin);

// The copy origins of the pipeline whose origin is `pipeline_origin`, as
// they exist on the target now.
std::vector<std::string> copy_origin_names(pg::Connection& conn, const std::string& pipeline_origin);

// Drops every copy origin of the pipeline whose origin is `pipeline_origin`;
// returns how many there were.
int drop_copy_origins(pg::Connection& conn, const std::string& pipeline_origin);

}  // namespace tidemark::checkpoint
