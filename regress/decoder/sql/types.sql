-- Every family of built-in types, plus user-defined enums, domains,
-- composites and ranges, in text mode and in binary mode.  Binary mode
-- applies to built-in types only: user types still arrive as text, and
-- their RELATION column names the type.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET bytea_output = 'hex';
SET lc_monetary = 'C';
-- Paris changes from +01 to +02 on 2021-03-28 at 01:00 UTC
SET TimeZone = 'Europe/Paris';
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE numbers (
	id int PRIMARY KEY,
	i2 smallint, i4 integer, i8 bigint,
	n numeric, n_typed numeric(10, 2),
	f4 real, f8 double precision,
	b boolean, o oid, m money
);
INSERT INTO numbers VALUES
	(1, -32768, 2147483647, -9223372036854775808, 1234567890.0987654321, 3.14,
	 1.5, -2.25e-10, true, 4294967295, 12.34),
	(2, 0, 0, 0, 'NaN', -0.5, 'NaN', 'Infinity', false, 0, 0),
	(3, NULL, NULL, NULL, 'Infinity', NULL, '-Infinity', '-0', NULL, NULL, NULL),
	(4, NULL, NULL, NULL, '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM tm_test.changes('regression_slot');

CREATE TABLE times (
	id int PRIMARY KEY,
	d date, t time, tz timetz, ts timestamp(3), tstz timestamptz, iv interval
);
INSERT INTO times VALUES
	(1, '2021-03-28', '23:59:59.999999', '12:00+05:30', '2021-03-28 01:30:00.1234',
	 '2021-03-28 00:30:00+00', '1 year 2 mons 3 days 04:05:06.789'),
	(2, 'infinity', '00:00', '00:00-00', '-infinity',
	 '2021-03-28 01:30:00+00', '-1 day'),
	(3, '4713-01-01 BC', NULL, NULL, NULL, 'infinity', NULL);
SELECT * FROM tm_test.changes('regression_slot');

CREATE TABLE texts (
	id int PRIMARY KEY,
	t text, vc varchar(5), c char(3), nm name, by bytea, u uuid,
	j json, jb jsonb, bits bit(4), vbits varbit, x xml,
	inet_v inet, cidr_v cidr, mac macaddr, pt point, box_v box, tsv tsvector
);
INSERT INTO texts VALUES
	(1, E'line\nbreak\ttab "quote" \\ backslash', 'ab', 'x', 'a name',
	 '\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
	 '{"b": 1,  "a": [true, null]}', '{"b": 1,  "a": [true, null]}',
	 B'1010', B'101', '<a href="x">t</a>',
	 '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '(1.5,-2)', '((0,0),(1,1))',
	 'a fat cat sat on a mat'),
	(2, 'ünïcödé ✓ 日本', '', '', '', '', NULL, '[]', '{}', B'0000', B'', NULL,
	 '::1', '2001:db8::/32', NULL, NULL, NULL, '');
SELECT * FROM tm_test.changes('regression_slot');

CREATE TABLE arrays (
	id int PRIMARY KEY,
	ia int[], ta text[], ma int[][], na numeric[], ja jsonb[]
);
INSERT INTO arrays VALUES
	(1, '{1,NULL,3}', '{"a b","","NULL",null,"q\"uote"}', '{{1,2},{3,4}}',
	 '{1.5,NaN}', ARRAY['{"k": 1}'::jsonb]),
	(2, '{}', '{}', '[0:1][1:1]={{5},{6}}', NULL, '{}');
SELECT * FROM tm_test.changes('regression_slot');

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text);
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE user_types (
	id int PRIMARY KEY,
	m mood, p positive, c pair, fr floatrange, ir int4range, tr tstzrange,
	mr int4multirange, ma mood[]
);
INSERT INTO user_types VALUES
	(1, 'happy', 42, ROW(1, 'x y'), '[1.5,2.5)', '[1,10)',
	 '[2021-03-28 00:30:00+00,2021-03-28 01:30:00+00)', '{[1,3), [5,7)}', '{sad,happy}'),
	(2, 'sad', 1, ROW(NULL, NULL), 'empty', '(,)', 'empty', '{}', '{}');
SELECT * FROM tm_test.changes('regression_slot');

-- The same rows in binary mode: send-function bytes, big-endian.
INSERT INTO numbers SELECT id + 10, i2, i4, i8, n, n_typed, f4, f8, b, o, m FROM numbers;
INSERT INTO times SELECT id + 10, d, t, tz, ts, tstz, iv FROM times;
INSERT INTO texts SELECT id + 10, t, vc, c, nm, by, u, j, jb, bits, vbits, x,
	inet_v, cidr_v, mac, pt, box_v, tsv FROM texts;
INSERT INTO arrays SELECT id + 10, ia, ta, ma, na, ja FROM arrays;
INSERT INTO user_types SELECT id + 10, m, p, c, fr, ir, tr, mr, ma FROM user_types;
SELECT * FROM tm_test.changes('regression_slot', 'binary', 'on');

-- Binary values are exactly what the send function gives.
INSERT INTO numbers SELECT id + 100, i2, i4, i8, n, n_typed, f4, f8, b, o, m FROM numbers WHERE id < 10;
WITH sent AS (
	SELECT m->'new' AS vals, (m->'new'->0->>'binary') AS id_hex, m->>'relid' AS relid
	  FROM pg_logical_slot_get_binary_changes('regression_slot', NULL, NULL,
											  'write_batch_size', '0', 'binary', 'on'),
		   tidemark.to_json(data) AS m
	 WHERE m->>'type' = 'insert'
)
SELECT n.id,
	   s.vals->1->>'binary' IS NOT DISTINCT FROM '\x' || encode(int2send(n.i2), 'hex') AS i2,
	   s.vals->2->>'binary' IS NOT DISTINCT FROM '\x' || encode(int4send(n.i4), 'hex') AS i4,
	   s.vals->3->>'binary' IS NOT DISTINCT FROM '\x' || encode(int8send(n.i8), 'hex') AS i8,
	   s.vals->4->>'binary' IS NOT DISTINCT FROM '\x' || encode(numeric_send(n.n), 'hex') AS n,
	   s.vals->6->>'binary' IS NOT DISTINCT FROM '\x' || encode(float4send(n.f4), 'hex') AS f4,
	   s.vals->7->>'binary' IS NOT DISTINCT FROM '\x' || encode(float8send(n.f8), 'hex') AS f8
  FROM numbers AS n
  JOIN sent AS s ON s.relid::oid = 'numbers'::regclass
				AND s.id_hex = '\x' || encode(int4send(n.id), 'hex')
 ORDER BY n.id;

DROP TABLE numbers, times, texts, arrays, user_types;
DROP TYPE mood, pair, floatrange;
DROP DOMAIN positive;
SELECT pg_drop_replication_slot('regression_slot');
