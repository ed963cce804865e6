-- Streaming of large in-progress transactions (logical_decoding_work_mem
-- is 64kB in regress.conf): blocks between stream_start and stream_stop
-- whose changes carry the xid of the (sub)transaction that made them,
-- stream_abort for a subtransaction rolled back after some of it was
-- streamed, then stream_commit.  Small transactions are not streamed.
-- Which changes fall in which block depends on memory accounting, so the
-- large transaction is checked by properties rather than listed.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE big (id int PRIMARY KEY, pad text);

-- The messages of a call, numbered, with consecutive runs of the same
-- type and xid counted instead of listed.
CREATE FUNCTION tm_test.runs(VARIADIC options text[])
RETURNS TABLE (type text, xid text, first text, subxid text, messages bigint)
LANGUAGE sql AS $$
	WITH msgs AS (
		SELECT n, c::jsonb AS m
		  FROM tm_test.changes('regression_slot', VARIADIC options) WITH ORDINALITY AS c(c, n)
	), marked AS (
		SELECT n, m->>'type' AS type, m->>'xid' AS xid, m->>'first' AS first, m->>'subxid' AS subxid,
			   CASE WHEN lag(m->>'type') OVER w = m->>'type'
						 AND lag(m->>'xid') OVER w IS NOT DISTINCT FROM m->>'xid'
					THEN 0 ELSE 1 END AS starts_run
		  FROM msgs
		WINDOW w AS (ORDER BY n)
	), numbered AS (
		SELECT *, sum(starts_run) OVER (ORDER BY n) AS run FROM marked
	)
	SELECT min(type), min(xid), min(first), min(subxid), count(*)
	  FROM numbered
	 GROUP BY run
	 ORDER BY run
$$;

BEGIN;
INSERT INTO big SELECT i, repeat('x', 100) FROM generate_series(1, 1000) AS i;
SAVEPOINT s1;
INSERT INTO big SELECT i, repeat('y', 100) FROM generate_series(1001, 2000) AS i;
ROLLBACK TO SAVEPOINT s1;
RELEASE SAVEPOINT s1;
INSERT INTO big SELECT i, repeat('z', 100) FROM generate_series(2001, 3000) AS i;
COMMIT;

WITH runs AS (
	SELECT row_number() OVER () AS n, * FROM tm_test.runs('streaming', 'on')
)
SELECT (SELECT count(*) FROM runs WHERE type = 'stream_start') >= 2 AS several_blocks,
	   (SELECT count(*) FROM runs WHERE type = 'stream_start' AND first = 'true') = 1 AS one_first_block,
	   (SELECT first FROM runs WHERE type = 'stream_start' ORDER BY n LIMIT 1) = 'true' AS first_block_first,
	   (SELECT count(*) FROM runs WHERE type = 'stream_start')
		 = (SELECT count(*) FROM runs WHERE type = 'stream_stop') AS blocks_closed,
	   (SELECT sum(messages) FROM runs WHERE type = 'insert' AND xid = '1') AS top_inserts,
	   (SELECT sum(messages) BETWEEN 1 AND 1000 FROM runs WHERE type = 'insert' AND xid = '2') AS sub_partly_streamed,
	   (SELECT string_agg(xid || '/' || subxid, ',') FROM runs WHERE type = 'stream_abort') AS aborts,
	   (SELECT string_agg(type || ':' || xid, ',' ORDER BY n) FROM runs WHERE n > (SELECT max(n) FROM runs WHERE type = 'stream_stop')) AS after_last_block,
	   (SELECT count(*) FROM runs WHERE type IN ('begin', 'commit')) AS begins_and_commits;

-- the same transaction without streaming: decoded whole at commit
BEGIN;
INSERT INTO big SELECT i, repeat('x', 100) FROM generate_series(5001, 6000) AS i;
SAVEPOINT s1;
INSERT INTO big SELECT i, repeat('y', 100) FROM generate_series(6001, 7000) AS i;
ROLLBACK TO SAVEPOINT s1;
COMMIT;
SELECT * FROM tm_test.runs('streaming', 'off');

-- a small transaction is not streamed even with streaming on
INSERT INTO big VALUES (10000, 'small');
SELECT * FROM tm_test.runs('streaming', 'on');

-- A transaction that aborts whole cannot be shown here: decoding after
-- the fact knows it aborted and does not stream it.  The isolation spec
-- streaming_abort decodes it while it is still in progress.

DROP FUNCTION tm_test.runs(text[]);
DROP TABLE big;
SELECT pg_drop_replication_slot('regression_slot');
