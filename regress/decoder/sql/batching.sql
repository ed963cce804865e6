-- Batched writes: by default consecutive messages share one write (one row
-- here, one CopyData on a walsender), and to_json returns them as an
-- array; write_batch_size 0 writes each message on its own, and a small
-- size starts a new write once the current one holds that many bytes.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE batched (id int PRIMARY KEY, v text);
INSERT INTO batched SELECT i, 'row ' || i FROM generate_series(1, 10) AS i;
INSERT INTO batched VALUES (11, 'alone');

-- per row: what to_json made of it
SELECT jsonb_typeof(j) AS kind,
	   CASE jsonb_typeof(j) WHEN 'array' THEN jsonb_array_length(j) ELSE 1 END AS messages,
	   CASE jsonb_typeof(j) WHEN 'array' THEN j->0->>'type' ELSE j->>'type' END AS first_type,
	   CASE jsonb_typeof(j) WHEN 'array' THEN j->-1->>'type' ELSE j->>'type' END AS last_type
  FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL),
	   tidemark.to_json(data) AS j;
-- the same messages, one per row
SELECT jsonb_typeof(j) AS kind, j->>'type' AS type, count(*)
  FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'write_batch_size', '0'),
	   tidemark.to_json(data) AS j
 GROUP BY 1, 2 ORDER BY 2;
-- small batches: every write but the last of a transaction reached the
-- size, and no message is lost or duplicated
WITH writes AS (
	SELECT row_number() OVER () AS n, length(data) AS bytes, j
	  FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'write_batch_size', '100'),
		   tidemark.to_json(data) AS j
)
SELECT count(*) > 2 AS several_writes,
	   bool_and(bytes >= 100 OR n = (SELECT max(n) FROM writes)
				OR (CASE jsonb_typeof(j) WHEN 'array' THEN j->-1 ELSE j END)->>'type' = 'commit')
		 AS full_unless_commit,
	   sum(CASE jsonb_typeof(j) WHEN 'array' THEN jsonb_array_length(j) ELSE 1 END) AS messages
  FROM writes;
-- and the contents are the same whatever the batching
SELECT (SELECT array_agg(c) FROM tm_test.peek_changes('regression_slot', 'write_batch_size', '0') AS c)
	 = (SELECT array_agg(c) FROM tm_test.peek_changes('regression_slot', 'write_batch_size', '1000000') AS c)
	AS same_messages;
SELECT * FROM tm_test.changes('regression_slot');

DROP TABLE batched;
SELECT pg_drop_replication_slot('regression_slot');
