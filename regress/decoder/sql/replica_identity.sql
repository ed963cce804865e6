-- INSERT, UPDATE and DELETE under each REPLICA IDENTITY: what old tuple
-- (if any) each change carries, and which columns are flagged.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE ri_default (id int PRIMARY KEY, v text);
CREATE TABLE ri_default_nokey (id int, v text);
CREATE TABLE ri_full (id int, v text, n int NOT NULL);
ALTER TABLE ri_full REPLICA IDENTITY FULL;
CREATE TABLE ri_index (id int PRIMARY KEY, code text NOT NULL, v text);
CREATE UNIQUE INDEX ri_index_code ON ri_index (code);
ALTER TABLE ri_index REPLICA IDENTITY USING INDEX ri_index_code;
CREATE TABLE ri_nothing (id int PRIMARY KEY, v text);
ALTER TABLE ri_nothing REPLICA IDENTITY NOTHING;

-- default with a primary key: an old key only when the key changes
INSERT INTO ri_default VALUES (1, 'one');
UPDATE ri_default SET v = 'uno' WHERE id = 1;
UPDATE ri_default SET id = 2 WHERE id = 1;
DELETE FROM ri_default WHERE id = 2;
SELECT * FROM tm_test.changes('regression_slot');

-- default without a key: no identity, so no old tuple ever
INSERT INTO ri_default_nokey VALUES (1, 'one');
UPDATE ri_default_nokey SET v = 'uno';
DELETE FROM ri_default_nokey;
SELECT * FROM tm_test.changes('regression_slot');

-- full: the whole old row on every update and delete
INSERT INTO ri_full VALUES (1, 'one', 10);
UPDATE ri_full SET v = 'uno';
UPDATE ri_full SET v = NULL;
DELETE FROM ri_full;
SELECT * FROM tm_test.changes('regression_slot');

-- index: the identity is the unique index, not the primary key
INSERT INTO ri_index VALUES (1, 'a', 'one');
UPDATE ri_index SET v = 'uno';
UPDATE ri_index SET code = 'b';
UPDATE ri_index SET id = 2;
DELETE FROM ri_index;
SELECT * FROM tm_test.changes('regression_slot');

-- nothing: updates and deletes carry no old tuple at all
INSERT INTO ri_nothing VALUES (1, 'one');
UPDATE ri_nothing SET id = 2;
DELETE FROM ri_nothing;
SELECT * FROM tm_test.changes('regression_slot');

-- several changes to several tables in one transaction
BEGIN;
INSERT INTO ri_default VALUES (10, 'ten');
INSERT INTO ri_full VALUES (10, 'ten', 100);
UPDATE ri_default SET v = 'dix';
DELETE FROM ri_full;
COMMIT;
SELECT * FROM tm_test.changes('regression_slot');

DROP TABLE ri_default, ri_default_nokey, ri_full, ri_index, ri_nothing;
SELECT pg_drop_replication_slot('regression_slot');
