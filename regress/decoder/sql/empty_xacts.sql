-- Transactions with nothing to send are skipped by default, and sent as a
-- bare BEGIN/COMMIT with skip_empty_xacts off (a consumer can then confirm
-- progress past them).
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE kept (id int PRIMARY KEY);
CREATE TABLE filtered (id int PRIMARY KEY);
CREATE UNLOGGED TABLE unlogged (id int PRIMARY KEY);
CREATE TEMP TABLE temp_t (id int PRIMARY KEY);
SELECT count(*) FROM tm_test.changes('regression_slot');

-- A transaction that changed no WAL-logged data (unlogged or temporary
-- tables, or that only took an xid) has nothing to decode and never
-- reaches the plugin; one that changed only filtered tables, or only the
-- catalogs, does, and is skipped unless skip_empty_xacts is off.
INSERT INTO filtered VALUES (1);
INSERT INTO unlogged VALUES (1);
INSERT INTO temp_t VALUES (1);
SELECT 'xid' FROM txid_current();
CREATE TABLE ddl_only_1 (id int);
INSERT INTO kept VALUES (1);
SELECT * FROM tm_test.changes('regression_slot', 'exclude', 'public.filtered');

INSERT INTO filtered VALUES (2);
INSERT INTO unlogged VALUES (2);
INSERT INTO temp_t VALUES (2);
SELECT 'xid' FROM txid_current();
CREATE TABLE ddl_only_2 (id int);
INSERT INTO kept VALUES (2);
SELECT * FROM tm_test.changes('regression_slot', 'exclude', 'public.filtered',
							  'skip_empty_xacts', 'off');

-- a message alone makes a transaction worth sending, if it is forwarded
BEGIN;
SELECT 'emitted' FROM pg_logical_emit_message(true, 'app', 'alone');
COMMIT;
BEGIN;
SELECT 'emitted' FROM pg_logical_emit_message(true, 'other', 'alone');
COMMIT;
SELECT * FROM tm_test.changes('regression_slot', 'messages', 'app');

DROP TABLE kept, filtered, unlogged, temp_t, ddl_only_1, ddl_only_2;
SELECT pg_drop_replication_slot('regression_slot');
