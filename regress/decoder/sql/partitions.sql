-- Partitioned tables: changes are reported as the leaf partition, or as
-- the root with publish_via_root, converting rows from a partition whose
-- column order differs from the root's.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE parted (id int, region text, v text, PRIMARY KEY (id, region))
	PARTITION BY LIST (region);
CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu');
-- columns in another order, and a dropped one, as after a real migration
CREATE TABLE parted_us (dropped int, v text, region text NOT NULL, id int NOT NULL);
ALTER TABLE parted_us DROP COLUMN dropped;
ALTER TABLE parted ATTACH PARTITION parted_us FOR VALUES IN ('us');

INSERT INTO parted VALUES (1, 'eu', 'a'), (2, 'us', 'b');
UPDATE parted SET v = 'c' WHERE id = 2;
-- moving a row between partitions is a delete and an insert
UPDATE parted SET region = 'us' WHERE id = 1;
DELETE FROM parted WHERE id = 2;
SELECT * FROM tm_test.changes('regression_slot', 'publish_via_root', 'off');

INSERT INTO parted VALUES (3, 'eu', 'a'), (4, 'us', 'b');
UPDATE parted SET v = 'c' WHERE id = 4;
UPDATE parted SET region = 'eu' WHERE id = 4;
DELETE FROM parted WHERE id = 3;
SELECT * FROM tm_test.changes('regression_slot', 'publish_via_root', 'on');

-- the filters look at the relation that is reported
INSERT INTO parted VALUES (5, 'eu', 'x'), (6, 'us', 'y');
SELECT * FROM tm_test.changes('regression_slot', 'publish_via_root', 'on',
							  'include', 'public.parted_us');
INSERT INTO parted VALUES (7, 'eu', 'x'), (8, 'us', 'y');
SELECT * FROM tm_test.changes('regression_slot', 'publish_via_root', 'off',
							  'include', 'public.parted_us');

-- a TRUNCATE of the root reaches every leaf; without publish_via_root
-- it names the leaves only, as it does for every other change
TRUNCATE parted;
SELECT * FROM tm_test.peek_changes('regression_slot', 'publish_via_root', 'off');
SELECT * FROM tm_test.changes('regression_slot', 'publish_via_root', 'on');

DROP TABLE parted;
SELECT pg_drop_replication_slot('regression_slot');
