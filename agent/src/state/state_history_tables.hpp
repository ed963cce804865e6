// The state layout for managing the state by hand and reporting (layout
// 3): the kept versions of each pipeline's state, and the last sync
// report of each pipeline.
// Must not: change once released; a later change is a new layout.
#pragma once

#include <string_view>

namespace tidemark::state {

inline constexpr std::string_view kStateHistoryTables = R"SQL(
CREATE TABLE tidemark.state_versions (
  pipeline text NOT NULL REFERENCES tidemark.pipelines (name) ON DELETE CASCADE,
  version bigint NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL,
  phase text NOT NULL,
  origin_lsn pg_lsn,
  pipeline_row jsonb NOT NULL,
  tables jsonb NOT NULL,
  PRIMARY KEY (pipeline, version));
CREATE TABLE tidemark.reports (
  pipeline text PRIMARY KEY,
  sync_id text NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  report jsonb NOT NULL);
)SQL";

}  // namespace tidemark::state
