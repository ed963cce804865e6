-- TRUNCATE: one message naming every truncated relation, with CASCADE and
-- RESTART IDENTITY as flags.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE tr_parent (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE tr_child (id int PRIMARY KEY, parent_id int REFERENCES tr_parent);
CREATE TABLE tr_other (id serial PRIMARY KEY);
INSERT INTO tr_parent (v) VALUES ('a');
INSERT INTO tr_child VALUES (1, 1);
INSERT INTO tr_other DEFAULT VALUES;
SELECT count(*) FROM tm_test.changes('regression_slot');

TRUNCATE tr_other;
TRUNCATE tr_parent CASCADE;
SELECT * FROM tm_test.changes('regression_slot');

TRUNCATE tr_child, tr_parent, tr_other RESTART IDENTITY;
SELECT * FROM tm_test.changes('regression_slot');

TRUNCATE tr_parent RESTART IDENTITY CASCADE;
SELECT * FROM tm_test.changes('regression_slot');

-- only the selected relations are named; none selected, nothing sent
TRUNCATE tr_parent, tr_other CASCADE;
SELECT * FROM tm_test.changes('regression_slot', 'exclude', 'public.tr_child');
TRUNCATE tr_other;
SELECT * FROM tm_test.changes('regression_slot', 'include', 'public.tr_parent');

-- rows inserted and truncated in one transaction
BEGIN;
INSERT INTO tr_other DEFAULT VALUES;
TRUNCATE tr_other;
INSERT INTO tr_other DEFAULT VALUES;
COMMIT;
SELECT * FROM tm_test.changes('regression_slot');

DROP TABLE tr_child, tr_parent, tr_other;
SELECT pg_drop_replication_slot('regression_slot');
