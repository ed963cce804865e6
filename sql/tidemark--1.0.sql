/* sql/tidemark--1.0.sql: version 1.0 of CREATE EXTENSION tidemark */

\echo Use "CREATE EXTENSION tidemark" to load this file. \quit

-- The schema is the extension's own; each object below says who may use it.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

-- Renders a payload of tidemark's binary change format (one row of
-- pg_logical_slot_*_binary_changes, or one CopyData) as jsonb; the shape
-- is documented in decoder/reader.c.
CREATE FUNCTION @extschema@.to_json(payload bytea)
RETURNS jsonb
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'tidemark_to_json';

COMMENT ON FUNCTION @extschema@.to_json(bytea) IS
'render tidemark binary change data as jsonb';

CREATE FUNCTION @extschema@.plugin_allowed()
RETURNS boolean
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'tidemark_plugin_allowed';

COMMENT ON FUNCTION @extschema@.plugin_allowed() IS
'whether output_plugin_libraries lets "tidemark" be used as an output plugin';

-- raise_error: ERROR (true) or WARNING (false) with the postgresql.conf
-- line to add when the plugin is not allowed; returns plugin_allowed().
CREATE FUNCTION @extschema@.check_plugin_allowed(raise_error boolean DEFAULT true)
RETURNS boolean
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'tidemark_check_plugin_allowed';

COMMENT ON FUNCTION @extschema@.check_plugin_allowed(boolean) IS
'report, with a hint, when output_plugin_libraries does not allow "tidemark"';

-- Creates the slot only after checking the plugin is allowed, so the
-- error carries the fix rather than the server's generic refusal.
-- pg_create_logical_replication_slot does its own privilege check.
CREATE FUNCTION @extschema@.create_slot(slot_name name, temporary boolean DEFAULT false)
RETURNS pg_lsn
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	result pg_lsn;
BEGIN
	PERFORM @extschema@.check_plugin_allowed(true);
	SELECT s.lsn INTO result
	  FROM pg_catalog.pg_create_logical_replication_slot(slot_name, 'tidemark', temporary) AS s;
	RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.create_slot(name, boolean) IS
'create a logical replication slot using the tidemark output plugin; returns its consistent point';

-- A watermark is a transactional logical message: it reaches the stream
-- at its commit position, in order with the changes around it.
CREATE FUNCTION @extschema@.emit_watermark(label text)
RETURNS pg_lsn
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
SELECT pg_catalog.pg_logical_emit_message(true, 'tidemark', label)
$$;

COMMENT ON FUNCTION @extschema@.emit_watermark(text) IS
'write a transactional logical message with prefix "tidemark" and the label as content';

REVOKE ALL ON FUNCTION @extschema@.emit_watermark(text) FROM PUBLIC;

-- On a standby there is no current insert position: measure against the
-- replayed one instead.
CREATE VIEW @extschema@.slots AS
SELECT s.slot_name,
       s.plugin,
       s.database,
       s.active,
       s.active_pid,
       s.restart_lsn,
       s.confirmed_flush_lsn,
       pg_catalog.pg_wal_lsn_diff(w.lsn, s.restart_lsn)::bigint AS retained_wal_bytes,
       pg_catalog.pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn)::bigint AS lag_bytes,
       s.wal_status,
       s.safe_wal_size
  FROM pg_catalog.pg_replication_slots AS s,
       LATERAL (SELECT CASE WHEN pg_catalog.pg_is_in_recovery()
                            THEN pg_catalog.pg_last_wal_replay_lsn()
                            ELSE pg_catalog.pg_current_wal_lsn()
                       END AS lsn) AS w
 WHERE s.slot_type = 'logical';

COMMENT ON VIEW @extschema@.slots IS
'logical replication slots with the WAL they hold back and how far their consumer lags';

GRANT SELECT ON @extschema@.slots TO PUBLIC;

-- Tell the DBA now, not when the first slot fails.
DO $$
BEGIN
	PERFORM @extschema@.check_plugin_allowed(false);
END
$$;
