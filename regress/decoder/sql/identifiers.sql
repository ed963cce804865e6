-- Names that need quoting arrive as they are stored (never quoted) in
-- RELATION, and are matched as stored by the include/exclude patterns;
-- the type_name of a user type is schema-qualified and quoted.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE SCHEMA "Mixed Case";
CREATE TYPE "Mixed Case"."Größe" AS ENUM ('S', 'M');
CREATE TABLE "Mixed Case"."Order Lines" (
	"Id" int PRIMARY KEY,
	"select" text,
	"with ""quotes""" text,
	"ünïcödé" "Mixed Case"."Größe",
	lower_case int
);
INSERT INTO "Mixed Case"."Order Lines" VALUES (1, 'a', 'b', 'M', 2);
SELECT * FROM tm_test.changes('regression_slot');

CREATE TABLE "Ünïcödé Tablé" (id int PRIMARY KEY);
CREATE FUNCTION tm_test.touch(n int) RETURNS void LANGUAGE sql AS $$
	INSERT INTO "Ünïcödé Tablé" VALUES (n);
	INSERT INTO "Mixed Case"."Order Lines" VALUES (n, 'a', 'b', 'S', n);
$$;
-- only the names of the relations that were sent
CREATE FUNCTION tm_test.sent(VARIADIC options text[]) RETURNS SETOF text
LANGUAGE sql AS $$
	SELECT c::jsonb->>'rel'
	  FROM tm_test.changes('regression_slot', VARIADIC options) AS c
	 WHERE c::jsonb->>'type' = 'insert'
$$;
-- quoted parts of patterns match exactly; unquoted ones fold to lower case
SELECT tm_test.touch(2);
SELECT tm_test.sent('include', '"Mixed Case"."Order Lines"');
SELECT tm_test.touch(3);
SELECT tm_test.sent('include', '"Mixed Case".order*');
SELECT tm_test.touch(4);
SELECT tm_test.sent('include', '"Mixed Case"."Order"*');
SELECT tm_test.touch(5);
SELECT tm_test.sent('include', 'public."Ünïcödé Tablé"');
SELECT tm_test.touch(6);
SELECT tm_test.sent('exclude', '"Mixed Case".*');

DROP FUNCTION tm_test.touch(int);
DROP FUNCTION tm_test.sent(text[]);
DROP TABLE "Mixed Case"."Order Lines", "Ünïcödé Tablé";
DROP SCHEMA "Mixed Case" CASCADE;
SELECT pg_drop_replication_slot('regression_slot');
