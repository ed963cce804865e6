-- include/exclude: schema.table globs; a relation is sent when it matches
-- include (all do by default) and no exclude pattern.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE SCHEMA sales;
CREATE SCHEMA sales_archive;
CREATE TABLE sales.orders (id int PRIMARY KEY);
CREATE TABLE sales.order_lines (id int PRIMARY KEY);
CREATE TABLE sales.customers (id int PRIMARY KEY);
CREATE TABLE sales_archive.orders (id int PRIMARY KEY);
CREATE TABLE public.orders (id int PRIMARY KEY);
CREATE TABLE public."star*name" (id int PRIMARY KEY);
CREATE TABLE public.starXname (id int PRIMARY KEY);

CREATE FUNCTION tm_test.touch_all(n int) RETURNS void LANGUAGE sql AS $$
	INSERT INTO sales.orders VALUES (n);
	INSERT INTO sales.order_lines VALUES (n);
	INSERT INTO sales.customers VALUES (n);
	INSERT INTO sales_archive.orders VALUES (n);
	INSERT INTO public.orders VALUES (n);
	INSERT INTO public."star*name" VALUES (n);
	INSERT INTO public.starXname VALUES (n);
$$;

-- only the names of the relations that were sent
CREATE FUNCTION tm_test.sent(VARIADIC options text[]) RETURNS SETOF text
LANGUAGE sql AS $$
	SELECT c::jsonb->>'rel'
	  FROM tm_test.changes('regression_slot', VARIADIC options) AS c
	 WHERE c::jsonb->>'type' = 'insert'
$$;

SELECT tm_test.touch_all(1);
SELECT tm_test.sent('include', 'sales.orders');
SELECT tm_test.touch_all(2);
SELECT tm_test.sent('include', 'sales.*');
SELECT tm_test.touch_all(3);
SELECT tm_test.sent('include', 'sales*.orders');
SELECT tm_test.touch_all(4);
SELECT tm_test.sent('include', '*.orders, sales.customers');
SELECT tm_test.touch_all(5);
SELECT tm_test.sent('include', 'sales.order*', 'exclude', 'sales.order_lines');
SELECT tm_test.touch_all(6);
SELECT tm_test.sent('exclude', 'sales.*,sales_archive.*');
SELECT tm_test.touch_all(7);
-- unquoted names fold to lower case, as in SQL
SELECT tm_test.sent('include', 'SALES.Orders');
SELECT tm_test.touch_all(8);
-- a quoted * is a literal star
SELECT tm_test.sent('include', 'public."star*name"');
SELECT tm_test.touch_all(9);
SELECT tm_test.sent('include', 'public.star*name');
SELECT tm_test.touch_all(10);
SELECT tm_test.sent('include', 'nomatch.*');

-- a transaction whose every change is filtered out is not sent at all
BEGIN;
INSERT INTO sales.customers VALUES (100);
COMMIT;
BEGIN;
INSERT INTO sales.orders VALUES (100);
COMMIT;
SELECT * FROM tm_test.changes('regression_slot', 'include', 'sales.orders');

DROP FUNCTION tm_test.touch_all(int);
DROP FUNCTION tm_test.sent(text[]);
DROP SCHEMA sales, sales_archive CASCADE;
DROP TABLE public.orders, public."star*name", public.starXname;
SELECT pg_drop_replication_slot('regression_slot');
