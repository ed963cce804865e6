-- Objects every later test of this suite uses: the extension, and
-- tm_test.changes(), which consumes a slot and prints each message as one
-- line of jsonb with the values that change from run to run replaced:
--	- LSNs and commit times are removed (they differ on every run);
--	- relid becomes "rel" and truncate's relids "rels": the relation's
--	  name, so that OIDs do not leak into the expected output;
--	- xids (and stream_abort's subxid) become 1, 2, ... in order of first
--	  appearance within one call: which messages share a transaction stays
--	  visible, the numbers do not;
--	- a relation column with a type_name loses its type_oid (user types
--	  get new OIDs on each run; built-in ones are fixed);
--	- a text value longer than 100 characters becomes
--	  {"text_length": n, "text_md5": ".."} (binary: binary_length and
--	  binary_md5 of the hex text), so large values stay checkable.
\set VERBOSITY terse
\pset format unaligned
SET client_min_messages = warning;
CREATE EXTENSION tidemark;
RESET client_min_messages;
CREATE SCHEMA tm_test;

CREATE FUNCTION tm_test.summarise_value(v jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
SELECT CASE
	WHEN jsonb_typeof(v) = 'object' AND v ? 'text' AND length(v->>'text') > 100
		THEN jsonb_build_object('text_length', length(v->>'text'), 'text_md5', md5(v->>'text'))
	WHEN jsonb_typeof(v) = 'object' AND v ? 'binary' AND length(v->>'binary') > 100
		THEN jsonb_build_object('binary_length', (length(v->>'binary') - 2) / 2, 'binary_md5', md5(v->>'binary'))
	ELSE v
END
$$;

CREATE FUNCTION tm_test.normalise(msg jsonb, INOUT xids jsonb, OUT result jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	result := msg - 'final_lsn' - 'commit_lsn' - 'end_lsn' - 'commit_time' - 'lsn';
	FOREACH k IN ARRAY ARRAY['xid', 'subxid'] LOOP
		IF result ? k THEN
			IF NOT xids ? (result->>k) THEN
				xids := xids || jsonb_build_object(result->>k, (SELECT count(*) + 1 FROM jsonb_object_keys(xids)));
			END IF;
			result := jsonb_set(result, ARRAY[k], xids->(result->>k));
		END IF;
	END LOOP;
	IF result ? 'origin' THEN
		result := jsonb_set(result, '{origin}', (result->'origin') - 'lsn');
	END IF;
	IF result ? 'relid' THEN
		result := (result - 'relid') || jsonb_build_object('rel', (result->>'relid')::oid::regclass::text);
	END IF;
	IF result ? 'relids' THEN
		result := (result - 'relids') || jsonb_build_object('rels',
			(SELECT jsonb_agg(r::text::oid::regclass::text ORDER BY ord)
			   FROM jsonb_array_elements(result->'relids') WITH ORDINALITY AS a(r, ord)));
	END IF;
	FOREACH k IN ARRAY ARRAY['old', 'new'] LOOP
		IF result ? k THEN
			result := jsonb_set(result, ARRAY[k],
				(SELECT coalesce(jsonb_agg(tm_test.summarise_value(v) ORDER BY ord), '[]')
				   FROM jsonb_array_elements(result->k) WITH ORDINALITY AS a(v, ord)));
		END IF;
	END LOOP;
	IF result ? 'columns' THEN
		result := jsonb_set(result, '{columns}',
			(SELECT coalesce(jsonb_agg(CASE WHEN c ? 'type_name' THEN c - 'type_oid' ELSE c END ORDER BY ord), '[]')
			   FROM jsonb_array_elements(result->'columns') WITH ORDINALITY AS a(c, ord)));
	END IF;
END
$$;

-- Before PostgreSQL 17, WAL written without an xid (a non-transactional
-- logical message) is flushed by the WAL writer in its own time, and
-- decoding reads only flushed WAL.  This commits a transaction that is
-- flushed at once; its message (prefix tm_test.flush) is forwarded only
-- to a test that asks for that prefix or for all of them.
CREATE FUNCTION tm_test.flush_wal() RETURNS text
LANGUAGE sql AS $$
SELECT 'flushed' FROM pg_logical_emit_message(true, 'tm_test.flush', '')
$$;

-- Reads the slot (consuming it unless peek) with the given options
-- (name/value pairs) and returns every message, batched or not,
-- normalised as described above.
CREATE FUNCTION tm_test.render(peek boolean, slot name, VARIADIC options text[])
RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	cur refcursor;
	payload bytea;
	doc jsonb;
	msg jsonb;
	xids jsonb := '{}';
	normalised jsonb;
BEGIN
	IF peek THEN
		OPEN cur FOR SELECT data FROM pg_logical_slot_peek_binary_changes(slot, NULL, NULL, VARIADIC options);
	ELSE
		OPEN cur FOR SELECT data FROM pg_logical_slot_get_binary_changes(slot, NULL, NULL, VARIADIC options);
	END IF;
	LOOP
		FETCH cur INTO payload;
		EXIT WHEN NOT FOUND;
		doc := tidemark.to_json(payload);
		FOR msg IN
			SELECT e FROM jsonb_array_elements(CASE jsonb_typeof(doc) WHEN 'array' THEN doc
												ELSE jsonb_build_array(doc) END) AS e
		LOOP
			SELECT n.xids, n.result INTO xids, normalised FROM tm_test.normalise(msg, xids) AS n;
			RETURN NEXT normalised::text;
		END LOOP;
	END LOOP;
	CLOSE cur;
END
$$;

CREATE FUNCTION tm_test.changes(slot name, VARIADIC options text[] DEFAULT '{}')
RETURNS SETOF text
LANGUAGE sql AS $$ SELECT tm_test.render(false, slot, VARIADIC options) $$;

CREATE FUNCTION tm_test.peek_changes(slot name, VARIADIC options text[] DEFAULT '{}')
RETURNS SETOF text
LANGUAGE sql AS $$ SELECT tm_test.render(true, slot, VARIADIC options) $$;
