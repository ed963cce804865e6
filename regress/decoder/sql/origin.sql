-- Replication origins: a change replayed by an apply session carries its
-- origin in BEGIN; origin 'none' drops such transactions (loop
-- prevention), 'any' (the default) keeps them.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE orig (id int PRIMARY KEY, source text);
SELECT 'created' FROM pg_replication_origin_create('upstream');

INSERT INTO orig VALUES (1, 'local before');
SELECT 'set up' FROM pg_replication_origin_session_setup('upstream');
BEGIN;
SELECT 'set up' FROM pg_replication_origin_xact_setup('0/ABCDEF', '2021-03-28 01:30:00+00');
INSERT INTO orig VALUES (2, 'replayed');
COMMIT;
SELECT 'reset' FROM pg_replication_origin_session_reset();
INSERT INTO orig VALUES (3, 'local after');

-- the origin and its LSN as the apply session recorded them
SELECT coalesce(m->'origin', '"none"') AS origin
  FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'write_batch_size', '0'),
	   tidemark.to_json(data) AS m
 WHERE m->>'type' = 'begin';
SELECT * FROM tm_test.changes('regression_slot', 'origin', 'any');

INSERT INTO orig VALUES (4, 'local before');
SELECT 'set up' FROM pg_replication_origin_session_setup('upstream');
INSERT INTO orig VALUES (5, 'replayed');
SELECT 'emitted' FROM pg_logical_emit_message(false, 'app', 'replayed message');
SELECT 'reset' FROM pg_replication_origin_session_reset();
INSERT INTO orig VALUES (6, 'local after');
SELECT * FROM tm_test.peek_changes('regression_slot', 'origin', 'any', 'messages', '*');
SELECT * FROM tm_test.changes('regression_slot', 'origin', 'none', 'messages', '*');

-- the option's value is not case sensitive
INSERT INTO orig VALUES (7, 'local');
SELECT * FROM tm_test.changes('regression_slot', 'origin', 'NONE');

DROP TABLE orig;
SELECT pg_replication_origin_drop('upstream');
SELECT pg_drop_replication_slot('regression_slot');
