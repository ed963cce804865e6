-- NULLs, large values, and updates that leave TOASTed values unchanged.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE nulls (id int PRIMARY KEY, a text, b int, c bytea);
INSERT INTO nulls VALUES (1, NULL, NULL, NULL);
INSERT INTO nulls VALUES (2, '', 0, '');
UPDATE nulls SET a = NULL, b = 1 WHERE id = 2;
SELECT * FROM tm_test.peek_changes('regression_slot');
SELECT * FROM tm_test.changes('regression_slot', 'binary', 'on');

-- "big" is stored out of line uncompressed, "squeezed" compressed in line
CREATE TABLE toasted (id int PRIMARY KEY, small text, big text, squeezed text, blob bytea);
ALTER TABLE toasted ALTER COLUMN big SET STORAGE EXTERNAL;
ALTER TABLE toasted ALTER COLUMN blob SET STORAGE EXTERNAL;
INSERT INTO toasted VALUES (1, 'a', repeat('0123456789', 1000), repeat('z', 5000),
							decode(repeat('00ff', 3000), 'hex'));
-- only "small" changes: big and blob were not rewritten
UPDATE toasted SET small = 'b';
-- big changes: now it is sent, blob still is not
UPDATE toasted SET big = repeat('9876543210', 1000);
DELETE FROM toasted;
SELECT * FROM tm_test.changes('regression_slot');
SELECT md5(repeat('0123456789', 1000)) AS big_md5,
	   md5(repeat('9876543210', 1000)) AS big2_md5,
	   md5(repeat('z', 5000)) AS squeezed_md5,
	   md5('\x' || repeat('00ff', 3000)) AS blob_md5;

-- under REPLICA IDENTITY FULL the old row is complete, TOAST included
ALTER TABLE toasted REPLICA IDENTITY FULL;
INSERT INTO toasted VALUES (2, 'a', repeat('0123456789', 1000), 'short', NULL);
UPDATE toasted SET small = 'c';
DELETE FROM toasted;
SELECT * FROM tm_test.changes('regression_slot');

-- a value of several megabytes arrives whole
CREATE TABLE large (id int PRIMARY KEY, t text, b bytea);
INSERT INTO large
	SELECT 1, string_agg(md5(i::text), ''), decode(string_agg(md5(i::text), ''), 'hex')
	  FROM generate_series(1, 100000) AS i;
SELECT (m->'new'->1->>'text') = (SELECT t FROM large) AS text_intact,
	   length(m->'new'->1->>'text') AS text_length,
	   (m->'new'->2->>'text') = (SELECT b::text FROM large) AS bytea_intact
  FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL,
										   'write_batch_size', '0'),
	   tidemark.to_json(data) AS m
 WHERE m->>'type' = 'insert';
SELECT (m->'new'->1->>'binary') = ('\x' || encode(convert_to((SELECT t FROM large), 'UTF8'), 'hex')) AS text_intact,
	   (m->'new'->2->>'binary') = ('\x' || encode((SELECT b FROM large), 'hex')) AS bytea_intact
  FROM pg_logical_slot_get_binary_changes('regression_slot', NULL, NULL,
										  'write_batch_size', '0', 'binary', 'on'),
	   tidemark.to_json(data) AS m
 WHERE m->>'type' = 'insert';

DROP TABLE nulls, toasted, large;
SELECT pg_drop_replication_slot('regression_slot');
