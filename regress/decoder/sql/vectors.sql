-- The shared vectors of regress/vectors: tidemark.to_json must read every
-- NNN_*.bin as its NNN_*.json says (compared as jsonb, so the files' own
-- layout does not matter).  The agent's C++ parser is held to the same
-- files.  pg_regress gives the suite's absolute path in PG_ABS_SRCDIR;
-- the vectors sit next to the suite.
\set VERBOSITY terse
\pset format unaligned
\getenv abs_srcdir PG_ABS_SRCDIR
\set vectors :abs_srcdir '/../vectors/'

CREATE TEMP TABLE vector_files AS
	SELECT f AS bin, regexp_replace(f, '\.bin$', '.json') AS json
	  FROM pg_ls_dir(:'vectors') AS f
	 WHERE f ~ '^[0-9]{3}_.*\.bin$';

-- every vector has its expected JSON, and there are vectors of every type
SELECT count(*) > 0 AS has_vectors,
	   bool_and(EXISTS (SELECT FROM pg_ls_dir(:'vectors') AS j WHERE j = json)) AS all_paired
  FROM vector_files;
WITH seen AS (
	SELECT DISTINCT e->>'type' AS type
	  FROM vector_files,
		   tidemark.to_json(pg_read_binary_file(:'vectors' || bin)) AS doc,
		   jsonb_array_elements(CASE jsonb_typeof(doc) WHEN 'array' THEN doc
								ELSE jsonb_build_array(doc) END) AS e
)
SELECT t AS missing_type
  FROM unnest(ARRAY['begin', 'commit', 'relation', 'insert', 'update', 'delete',
					'truncate', 'message', 'stream_start', 'stream_stop',
					'stream_commit', 'stream_abort']) AS t
 WHERE t NOT IN (SELECT type FROM seen);

-- the vectors whose rendering differs (none)
SELECT bin AS differs
  FROM vector_files
 WHERE tidemark.to_json(pg_read_binary_file(:'vectors' || bin))
	   IS DISTINCT FROM pg_read_file(:'vectors' || json)::jsonb
 ORDER BY bin;
