-- The extension's own objects: tidemark.slots, emit_watermark,
-- create_slot and the output_plugin_libraries checks, and who may use
-- them.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;

SELECT tidemark.plugin_allowed(), tidemark.check_plugin_allowed();
SELECT 'created' FROM tidemark.create_slot('regression_slot');
-- a second slot of the same name is refused by the server as usual
SELECT tidemark.create_slot('regression_slot');
-- (an ERROR drops the session's temporary slots: none may exist above)
SELECT 'created' FROM tidemark.create_slot('regression_temp_slot', temporary => true);
SELECT slot_name, plugin, temporary FROM pg_replication_slots ORDER BY slot_name;

SELECT slot_name, plugin, database = current_database() AS this_database, active,
	   active_pid IS NULL AS no_pid, restart_lsn IS NOT NULL AS has_restart_lsn,
	   confirmed_flush_lsn IS NOT NULL AS has_confirmed_flush,
	   retained_wal_bytes >= 0 AS retained_known, lag_bytes >= 0 AS lag_known,
	   wal_status, safe_wal_size IS NULL AS unlimited
  FROM tidemark.slots ORDER BY slot_name;
SELECT pg_drop_replication_slot('regression_temp_slot');
-- physical slots are not listed
SELECT 'created' FROM pg_create_physical_replication_slot('regression_physical', true);
SELECT count(*) FROM tidemark.slots WHERE slot_name = 'regression_physical';
SELECT pg_drop_replication_slot('regression_physical');

-- writing WAL grows the lag until the slot is consumed
CREATE TABLE ext_t (id int PRIMARY KEY);
SELECT lag_bytes AS lag_before FROM tidemark.slots WHERE slot_name = 'regression_slot' \gset
INSERT INTO ext_t SELECT generate_series(1, 100);
SELECT lag_bytes > :lag_before AS lag_grew FROM tidemark.slots WHERE slot_name = 'regression_slot';
SELECT count(*) > 0 AS consumed FROM tm_test.changes('regression_slot');
SELECT lag_bytes < 1000 AS caught_up, confirmed_flush_lsn <= pg_current_wal_lsn() AS flushed_behind_insert
  FROM tidemark.slots WHERE slot_name = 'regression_slot';

-- a watermark is a transactional message with prefix "tidemark"
SELECT tidemark.emit_watermark('copy of public.ext_t done') AS watermark_lsn \gset
SELECT * FROM tm_test.changes('regression_slot', 'messages', 'tidemark');
BEGIN;
SELECT 'emitted' FROM tidemark.emit_watermark('rolled back');
ROLLBACK;
SELECT * FROM tm_test.changes('regression_slot', 'messages', 'tidemark');

-- privileges: to_json and the view for everyone, emit_watermark only
-- when granted, slot creation needs REPLICATION as always
CREATE ROLE regress_tidemark_user;
SET ROLE regress_tidemark_user;
SELECT tidemark.to_json('\x4500'::bytea);
SELECT count(*) >= 1 AS sees_slots FROM tidemark.slots;
SELECT tidemark.plugin_allowed();
SELECT tidemark.emit_watermark('x');
SELECT tidemark.create_slot('regression_denied');
RESET ROLE;
GRANT EXECUTE ON FUNCTION tidemark.emit_watermark(text) TO regress_tidemark_user;
SET ROLE regress_tidemark_user;
SELECT tidemark.emit_watermark('granted') IS NOT NULL AS emitted;
RESET ROLE;
SELECT * FROM tm_test.changes('regression_slot', 'messages', 'tidemark');

-- A server whose output_plugin_libraries lacks tidemark: create_slot
-- refuses with the line to add, built from the current value, and
-- CREATE EXTENSION warns at once.  (The setting may be SET by a
-- superuser, which lets this test change it for one session.)
\set VERBOSITY default
SET output_plugin_libraries = pgoutput, 'with space', test_decoding;
SELECT tidemark.plugin_allowed();
SELECT tidemark.create_slot('regression_refused');
SELECT tidemark.check_plugin_allowed(false);
SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'regression_refused';
-- a role that may not read the setting gets the advice without its value
GRANT EXECUTE ON FUNCTION tidemark.check_plugin_allowed(boolean) TO regress_tidemark_user;
SET ROLE regress_tidemark_user;
SELECT tidemark.check_plugin_allowed(false);
RESET ROLE;
SELECT current_database() AS regress_db \gset
CREATE DATABASE regression_tidemark_install;
\c regression_tidemark_install
\set VERBOSITY default
\pset format unaligned
SET output_plugin_libraries = '';
-- the extension is trusted: a role with CREATE on the database installs
-- it, and is not shown the superuser-only setting's value
GRANT CREATE ON DATABASE regression_tidemark_install TO regress_tidemark_user;
SET ROLE regress_tidemark_user;
CREATE EXTENSION tidemark;
RESET ROLE;
SELECT extname, extowner::regrole FROM pg_extension WHERE extname = 'tidemark';
DROP EXTENSION tidemark;
CREATE EXTENSION tidemark;
SET output_plugin_libraries = pgoutput, tidemark;
SELECT tidemark.plugin_allowed();
-- the extension cannot be moved, and lives in its own schema
SELECT extname, extrelocatable, extnamespace::regnamespace FROM pg_extension WHERE extname = 'tidemark';
\c :regress_db
\set VERBOSITY terse
DROP DATABASE regression_tidemark_install;

DROP TABLE ext_t;
DROP OWNED BY regress_tidemark_user;
DROP ROLE regress_tidemark_user;
SELECT pg_drop_replication_slot('regression_slot');
