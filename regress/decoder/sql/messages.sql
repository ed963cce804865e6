-- Logical messages: transactional ones travel inside their transaction,
-- non-transactional ones at once, and only prefixes named by the
-- "messages" option are forwarded (none by default).
-- (tm_test.flush_wal(): see 00_setup.)
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE msg_t (id int PRIMARY KEY);

SELECT 'emitted' FROM pg_logical_emit_message(true, 'app', 'transactional text');
SELECT 'emitted' FROM pg_logical_emit_message(false, 'app', 'non-transactional text');
SELECT tm_test.flush_wal();
-- no "messages" option: nothing; the same with the option: both
SELECT * FROM tm_test.peek_changes('regression_slot');
SELECT * FROM tm_test.changes('regression_slot', 'messages', 'app');

BEGIN;
INSERT INTO msg_t VALUES (1);
SELECT 'emitted' FROM pg_logical_emit_message(true, 'app', 'inside');
SELECT 'emitted' FROM pg_logical_emit_message(false, 'app', 'outside, sent before the transaction');
SELECT 'emitted' FROM pg_logical_emit_message(true, 'other', 'filtered out');
INSERT INTO msg_t VALUES (2);
COMMIT;
SELECT * FROM tm_test.changes('regression_slot', 'messages', 'app');

-- a rolled back transaction loses its transactional messages only
BEGIN;
SELECT 'emitted' FROM pg_logical_emit_message(true, 'app', 'rolled back');
SELECT 'emitted' FROM pg_logical_emit_message(false, 'app', 'survives the rollback');
ROLLBACK;
SELECT tm_test.flush_wal();
SELECT * FROM tm_test.changes('regression_slot', 'messages', 'app');

-- content is bytes: text only when it is valid UTF-8 without NUL
SELECT 'emitted' FROM pg_logical_emit_message(true, 'bin', '\x00ff41'::bytea);
SELECT 'emitted' FROM pg_logical_emit_message(true, 'bin', convert_to('Grüße', 'UTF8'));
SELECT 'emitted' FROM pg_logical_emit_message(true, 'bin', '\xc328'::bytea);
SELECT 'emitted' FROM pg_logical_emit_message(true, 'bin', ''::bytea);
SELECT 'emitted' FROM pg_logical_emit_message(true, 'app', 'not listed');
SELECT 'emitted' FROM pg_logical_emit_message(true, 'Bin', 'prefixes match exactly');
SELECT * FROM tm_test.changes('regression_slot', 'messages', ' bin , nothing ');

-- the lsn of a message is where it was written
SELECT pg_logical_emit_message(false, 'app', 'where') AS msg_lsn \gset
SELECT tm_test.flush_wal();
SELECT (m->>'lsn')::pg_lsn = :'msg_lsn'::pg_lsn AS lsn_matches
  FROM pg_logical_slot_get_binary_changes('regression_slot', NULL, NULL, 'messages', 'app'),
	   tidemark.to_json(data) AS m;

DROP TABLE msg_t;
SELECT pg_drop_replication_slot('regression_slot');
