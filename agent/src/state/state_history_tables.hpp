// The state layout for managing the state by hand and reporting (layout
// 3): the kept versions of each pipeline's state, and the last sync
// report of each pipeline.  A pipeline that already exists when a target
// is migrated to this layout gets its first version here, so a migrated
// state validates like a new one (state/state_version.hpp says what a
// version holds).
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
  table_stats jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (pipeline, version));
CREATE TABLE tidemark.reports (
  pipeline text PRIMARY KEY,
  sync_id text NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  report jsonb NOT NULL);
INSERT INTO tidemark.state_versions (pipeline, version, reason, phase, origin_lsn, pipeline_row, tables, table_stats)
SELECT p.name, p.state_version, 'state migrated to layout 3', p.phase,
       CASE WHEN pg_catalog.pg_replication_origin_oid(p.origin_name) IS NOT NULL
            THEN pg_catalog.pg_replication_origin_progress(p.origin_name, false) END,
       pg_catalog.to_jsonb(p),
       coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) ORDER BY t.source_table)
                   FROM tidemark.tables t WHERE t.pipeline = p.name), '[]'),
       coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(s) ORDER BY s.source_table)
                   FROM tidemark.table_stats s WHERE s.pipeline = p.name), '[]')
  FROM tidemark.pipelines p;
)SQL";

}  // namespace tidemark::state
