// The state layout that conflict handling and late data need (layout 2):
// the conflict log with its review queue and resolution history, delete
// tombstones, late arrivals and each source's watermark.
// Must not: change once released; a later change is a new layout.
#pragma once

#include <string_view>

namespace tidemark::state {

inline constexpr std::string_view kConflictTables = R"SQL(
CREATE TABLE tidemark.conflicts (
  id bigserial PRIMARY KEY,
  pipeline text NOT NULL,
  source_name text NOT NULL,
  source_table text NOT NULL,
  target_table text NOT NULL,
  record_key jsonb NOT NULL,
  kind text NOT NULL CHECK (kind IN
    ('insert_exists', 'update_missing', 'update_differs', 'delete_missing', 'delete_differs')),
  columns text[],
  source_values jsonb,
  target_values jsonb,
  source_commit_time timestamptz,
  target_commit_time timestamptz,
  source_origin text,
  target_origin text,
  commit_lsn pg_lsn,
  xid bigint,
  strategy text NOT NULL,
  resolution text NOT NULL,
  resolved_values jsonb,
  status text NOT NULL CHECK (status IN ('resolved', 'pending')),
  detected_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by text);
CREATE INDEX conflicts_pending_idx ON tidemark.conflicts (pipeline, id) WHERE status = 'pending';
CREATE TABLE tidemark.conflict_resolutions (
  id bigserial PRIMARY KEY,
  conflict_id bigint NOT NULL REFERENCES tidemark.conflicts ON DELETE CASCADE,
  action text NOT NULL,
  resolved_values jsonb,
  resolved_by text NOT NULL,
  resolved_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE tidemark.tombstones (
  target_table text NOT NULL,
  record_key jsonb NOT NULL,
  source_name text NOT NULL,
  commit_time timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_table, record_key));
CREATE TABLE tidemark.late_arrivals (
  id bigserial PRIMARY KEY,
  pipeline text NOT NULL,
  source_name text NOT NULL,
  source_table text NOT NULL,
  record_key jsonb NOT NULL,
  operation text NOT NULL,
  reason text NOT NULL,
  expected_time timestamptz,
  actual_time timestamptz,
  delay interval,
  applied boolean NOT NULL,
  commit_lsn pg_lsn,
  detected_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX late_arrivals_pipeline_idx ON tidemark.late_arrivals (pipeline, id);
-- Deletes made directly on the target (by its own users, not by an apply
-- session, whose session_replication_role = replica keeps ordinary
-- triggers quiet) leave a tombstone too, in the name of [conflicts]
-- local_source: in a two-way setup a change from the other side that is
-- older than the delete must not bring the row back.  The key is spelled
-- as the agent spells it (jsonb_build_object of the primary key columns),
-- the table as "schema"."name"; statement_timestamp() stands for the
-- commit time, which a trigger cannot know (it is at most a little older).
CREATE FUNCTION tidemark.record_local_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
  k jsonb;
BEGIN
  SELECT jsonb_object_agg(a.attname, to_jsonb(OLD) -> a.attname::text) INTO k
    FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
   WHERE i.indrelid = TG_RELID AND i.indisprimary;
  IF k IS NOT NULL THEN
    INSERT INTO tidemark.tombstones AS b (target_table, record_key, source_name, commit_time)
    VALUES ('"' || replace(TG_TABLE_SCHEMA, '"', '""') || '"."' || replace(TG_TABLE_NAME, '"', '""') || '"',
            k, TG_ARGV[0], statement_timestamp())
    ON CONFLICT (target_table, record_key) DO UPDATE
      SET source_name = EXCLUDED.source_name, commit_time = EXCLUDED.commit_time, created_at = now()
      WHERE b.commit_time < EXCLUDED.commit_time;
  END IF;
  RETURN OLD;
END
$fn$;
CREATE TABLE tidemark.source_watermarks (
  source_name text PRIMARY KEY,
  newest_commit_time timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now());
)SQL";

}  // namespace tidemark::state
