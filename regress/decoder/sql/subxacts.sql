-- Subtransactions: what a rolled back savepoint did is not sent; released
-- savepoints are part of their transaction.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE sx (id int PRIMARY KEY, v text);

BEGIN;
INSERT INTO sx VALUES (1, 'top');
SAVEPOINT a;
INSERT INTO sx VALUES (2, 'rolled back');
SAVEPOINT b;
INSERT INTO sx VALUES (3, 'rolled back with a');
ROLLBACK TO SAVEPOINT a;
INSERT INTO sx VALUES (4, 'after rollback');
SAVEPOINT c;
INSERT INTO sx VALUES (5, 'released');
UPDATE sx SET v = 'updated in c' WHERE id = 1;
RELEASE SAVEPOINT c;
SAVEPOINT d;
DELETE FROM sx WHERE id = 4;
ROLLBACK TO SAVEPOINT d;
COMMIT;
SELECT * FROM tm_test.changes('regression_slot');
SELECT * FROM sx ORDER BY id;

-- a transaction whose only change was rolled back to a savepoint is empty
BEGIN;
SAVEPOINT a;
INSERT INTO sx VALUES (10, 'gone');
ROLLBACK TO SAVEPOINT a;
COMMIT;
SELECT * FROM tm_test.changes('regression_slot');

-- an aborted transaction sends nothing at all
BEGIN;
INSERT INTO sx VALUES (11, 'gone');
ROLLBACK;
SELECT * FROM tm_test.changes('regression_slot');

-- a PL/pgSQL exception block is a subtransaction too
DO $$
BEGIN
	INSERT INTO sx VALUES (20, 'kept');
	BEGIN
		INSERT INTO sx VALUES (21, 'undone by the exception');
		PERFORM 1 / 0;
	EXCEPTION WHEN division_by_zero THEN
		INSERT INTO sx VALUES (22, 'from the handler');
	END;
END
$$;
SELECT * FROM tm_test.changes('regression_slot');

DROP TABLE sx;
SELECT pg_drop_replication_slot('regression_slot');
