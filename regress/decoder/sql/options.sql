-- Every invalid option is refused when decoding starts, with an error
-- that names it; valid spellings of each are accepted.
\set VERBOSITY terse
\pset format unaligned
SET synchronous_commit = on;
SET extra_float_digits = 0;
SELECT 'init' FROM pg_create_logical_replication_slot('regression_slot', 'tidemark');

CREATE TABLE opt (id int PRIMARY KEY);
INSERT INTO opt VALUES (1);
\set VERBOSITY default

SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'no_such_option', '1');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'binary', 'on', 'binary', 'off');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'binary', 'maybe');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'skip_empty_xacts', '');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'streaming', '2');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'publish_via_root', 'yes please');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'proto_version', '0');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'proto_version', '2');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'proto_version', 'one');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'proto_version', '99999999999999999999');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'origin', 'some');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'origin', '');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'messages', '');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'messages', 'a,,b');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'include', '');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'include', 'orders');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'include', 'a.b.c');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'include', 'public.');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'include', '.orders');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'include', 'public."orders');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'exclude', 'public.a b');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'exclude', 'public.a,');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'write_batch_size', '-1');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'write_batch_size', 'big');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'write_batch_size', '67108865');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('regression_slot', NULL, NULL, 'write_batch_size', '1.5');
-- the textual interface is refused: the output is binary
SELECT count(*) FROM pg_logical_slot_peek_changes('regression_slot', NULL, NULL);

\set VERBOSITY terse
-- nothing above consumed the slot; valid spellings work (the DDL's
-- transaction is empty: sent with skip_empty_xacts off only)
SELECT * FROM tm_test.peek_changes('regression_slot',
	'binary', 'true', 'skip_empty_xacts', 'off', 'streaming', 'no', 'publish_via_root', '0',
	'proto_version', ' 1', 'origin', 'Any', 'messages', '*, app', 'include', ' public.* , "x".y ',
	'exclude', 'public."no such"', 'write_batch_size', '67108864');
SELECT * FROM tm_test.changes('regression_slot');

DROP TABLE opt;
SELECT pg_drop_replication_slot('regression_slot');
