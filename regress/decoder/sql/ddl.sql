-- Schema changes mid-stream: after ALTER TABLE the next change is preceded
-- by a RELATION with a higher schema_version that describes the new
-- columns, and the rows match it.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE evolving (id int PRIMARY KEY, a text, b int);
INSERT INTO evolving VALUES (1, 'a', 1);
INSERT INTO evolving VALUES (2, 'b', 2);
ALTER TABLE evolving ADD COLUMN c text DEFAULT 'dflt';
INSERT INTO evolving VALUES (3, 'c', 3, 'x');
ALTER TABLE evolving DROP COLUMN a;
INSERT INTO evolving VALUES (4, 4, 'y');
-- a type change rewrites the table; the rewrite itself is not a change
ALTER TABLE evolving ALTER COLUMN b TYPE bigint;
INSERT INTO evolving VALUES (5, 5000000000, 'z');
ALTER TABLE evolving ALTER COLUMN c SET NOT NULL;
UPDATE evolving SET c = 'w' WHERE id = 5;
ALTER TABLE evolving REPLICA IDENTITY FULL;
DELETE FROM evolving WHERE id = 1;
SELECT * FROM tm_test.changes('regression_slot');

-- DDL and DML in one transaction
BEGIN;
INSERT INTO evolving VALUES (6, 6, 'v');
ALTER TABLE evolving ADD COLUMN d numeric(5, 1);
INSERT INTO evolving VALUES (7, 7, 'u', 7.5);
ALTER TABLE evolving RENAME TO evolved;
INSERT INTO evolved VALUES (8, 8, 't', 8.5);
COMMIT;
SELECT * FROM tm_test.changes('regression_slot');

-- versions count within one decoding session; each call of
-- pg_logical_slot_get_binary_changes is a new one and starts again at 1
INSERT INTO evolved VALUES (9, 9, 's', 9.5);
SELECT * FROM tm_test.changes('regression_slot');

DROP TABLE evolved;
SELECT pg_drop_replication_slot('regression_slot');
