#!/usr/bin/env bash
# Regenerates tidemark's shared test vectors: NNN_step_kind.bin holds one
# payload exactly as pg_logical_slot_get_binary_changes returned it (one
# message with write_batch_size 0, several in the *_payload files), and
# NNN_step_kind.json what tidemark.to_json makes of it.  Both the C reader
# and the agent's C++ parser must read every .bin as its .json says.
#
# It owns the workload and the naming; it must not need anything but an
# installed plugin (make -f Makefile.pgxs install, as root): the cluster is
# a throwaway one from regress/pgcluster.sh.  LSNs, xids and most times
# differ between runs, so a .bin and its .json are only valid as a pair
# from the same run: commit them together.
#
#   regress/vectors/generate.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pgcluster="$root/regress/pgcluster.sh"
pg_config=$( (command -v pg_config) || echo /usr/lib/postgresql/15/bin/pg_config)
bindir=$($pg_config --bindir)

die() { echo "generate.sh: $*" >&2; exit 1; }

[ -f "$($pg_config --pkglibdir)/tidemark.so" ] ||
  die "the plugin is not installed: run make -f Makefile.pgxs install (as root) first"

work=$(mktemp -d "${TMPDIR:-/tmp}/tidemark-vectors.XXXXXX")
# The cluster runs as an unprivileged user, which must reach its folder.
chmod 711 "$work"
cleanup() {
  "$pgcluster" destroy "$work/pg" >/dev/null 2>&1 || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# 64kB makes the streamed step stream after a few hundred rows; the other
# settings pin down the text form of times and numbers.
port=$("$pgcluster" start "$work/pg" logical_decoding_work_mem=64kB "timezone='UTC'" \
  "datestyle='ISO, MDY'" "intervalstyle='postgres'" extra_float_digits=1 "bytea_output='hex'")

sql() {
  PGOPTIONS="-c client_min_messages=warning" "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}
# For the workload, whose result rows (LSNs of emitted messages) are noise.
run() { sql "$@" >/dev/null; }

# record STEP OPTIONS-ARRAY: consumes the slot with those options and keeps
# every payload, tagged with the step.
record() {
  local step=$1 opts=$2 batched=${3:-false}
  sql -v step="$step" -v opts="$opts" -v batched="$batched" <<'SQL'
INSERT INTO vec (step, batched, data)
SELECT :'step', :'batched', data
  FROM pg_logical_slot_get_binary_changes('vectors', NULL, NULL, VARIADIC :'opts'::text[]);
SQL
}

run <<'SQL'
-- Where payloads wait to be written out; unlogged, so not decoded itself.
CREATE UNLOGGED TABLE vec (seq serial PRIMARY KEY, step text NOT NULL,
                           batched boolean NOT NULL, data bytea NOT NULL);

-- The type byte, plus the xid prefix of a streamed change, so that the
-- streamed step keeps one message of each kind per (sub)transaction.
CREATE FUNCTION vec_key(m bytea) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  t int := get_byte(m, 0);
  p int := 1;
  k text;
BEGIN
  IF t & 128 = 0 THEN
    RETURN t::text;
  END IF;
  WHILE get_byte(m, p) & 128 <> 0 LOOP p := p + 1; END LOOP;   -- body length
  p := p + 1;
  k := t::text || ':';
  LOOP                                                          -- the xid
    k := k || get_byte(m, p)::text || ',';
    EXIT WHEN get_byte(m, p) & 128 = 0;
    p := p + 1;
  END LOOP;
  RETURN k;
END $$;

CREATE TYPE mood AS ENUM ('happy', 'sad', 'ok');
CREATE SCHEMA "Odd Schema";
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2),
                    tags text[], note text);
CREATE TABLE items_full (id int, label text);
ALTER TABLE items_full REPLICA IDENTITY FULL;
CREATE TABLE items_nothing (id int, label text);
ALTER TABLE items_nothing REPLICA IDENTITY NOTHING;
CREATE TABLE items_idx (id int, code text NOT NULL, label text);
CREATE UNIQUE INDEX items_idx_code ON items_idx (code);
ALTER TABLE items_idx REPLICA IDENTITY USING INDEX items_idx_code;
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
CREATE TABLE numbered (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE "Odd Schema"."Mixed ""Case""" ("Col A" int PRIMARY KEY, m mood, moods mood[],
                                           doubled int GENERATED ALWAYS AS ("Col A" * 2) STORED);
CREATE TABLE types (id int PRIMARY KEY, i2 int2, i8 int8, f8 float8, num numeric, b bool,
                    t text, by bytea, ts timestamptz, d date, u uuid, j jsonb, arr int4[],
                    m mood, iv interval, vc varchar(10), dropped int);
ALTER TABLE types DROP COLUMN dropped;
CREATE TABLE docs (id int PRIMARY KEY, body text, rev int);
ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
CREATE TABLE streamed (id int PRIMARY KEY, payload text);
SELECT pg_create_logical_replication_slot('vectors', 'tidemark');
SQL

one='{write_batch_size,0}'

run -c "INSERT INTO items VALUES (1, 'apple', 1.50, '{red,green}', NULL)"
record basic "$one"

run -c "BEGIN; UPDATE items SET price = 2.25 WHERE id = 1; UPDATE items SET id = 2 WHERE id = 1; COMMIT"
record update_key "$one"

run -c "DELETE FROM items WHERE id = 2"
record delete_key "$one"

run -c "BEGIN; INSERT INTO items_full VALUES (1, 'one'); UPDATE items_full SET label = 'uno';
  DELETE FROM items_full; COMMIT"
record ri_full "$one"

run -c "BEGIN; INSERT INTO items_nothing VALUES (1, 'one'); UPDATE items_nothing SET label = 'uno';
  DELETE FROM items_nothing; COMMIT"
record ri_nothing "$one"

run -c "BEGIN; INSERT INTO items_idx VALUES (1, 'A-1', 'one'); UPDATE items_idx SET code = 'A-2';
  DELETE FROM items_idx; COMMIT"
record ri_index "$one"

run -c "TRUNCATE parent, numbered RESTART IDENTITY CASCADE" -c "TRUNCATE items_full"
record truncate "$one"

# The last, filtered message only makes WAL be flushed past the
# non-transactional one, which nothing else would flush.
run <<'SQL'
BEGIN;
INSERT INTO items VALUES (3, 'with message', NULL, NULL, NULL);
SELECT pg_logical_emit_message(true, 'vectors', 'transactional payload');
SELECT pg_logical_emit_message(true, 'vectors', '\x00ff10'::bytea);
COMMIT;
SELECT pg_logical_emit_message(false, 'vectors', 'non-transactional payload');
SELECT pg_logical_emit_message(true, 'filtered', 'not forwarded');
SQL
record message '{write_batch_size,0,messages,vectors}'

# A replicated transaction: the decoder sees the origin's name and LSN, and
# the origin's commit time (fixed here) as the commit time.
run <<'SQL'
SELECT pg_replication_origin_create('vector_origin');
SELECT pg_replication_origin_session_setup('vector_origin');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/1234ABCD', '2024-05-06 07:08:09.123456+00');
INSERT INTO items VALUES (4, 'from elsewhere', 4.00, NULL, 'replicated');
COMMIT;
SELECT pg_replication_origin_session_reset();
SQL
record origin "$one"

run -c "INSERT INTO \"Odd Schema\".\"Mixed \"\"Case\"\"\" VALUES (1, 'happy', '{sad,ok}')"
record user_type "$one"

types_row="1, 32767, 9007199254740993, 3.25, 12345.678, true, 'tëxt', '\\xdeadbeef',
  '2024-01-02 03:04:05.678901+00', '2024-02-29', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '{\"k\": [1, 2]}', '{1,NULL,3}', 'ok', '1 day 02:03:04', 'short'"
run -c "BEGIN; INSERT INTO types VALUES ($types_row); INSERT INTO types (id) VALUES (2); COMMIT"
record types_binary '{write_batch_size,0,binary,on}'
run -c "INSERT INTO types VALUES (${types_row/1, 32767/3, 32767})"
record types_text "$one"

# body is stored out of line; the update leaves it alone, so the new row
# carries it as unchanged TOAST.
run -c "INSERT INTO docs VALUES (1, repeat('0123456789', 250), 1)" \
  -c "UPDATE docs SET rev = 2 WHERE id = 1"
record toast "$one"

# Streamed: more than logical_decoding_work_mem, with a subtransaction
# rolled back after part of it was streamed.  Every stream control message
# is kept, and the first message of each other kind per (sub)transaction.
run <<'SQL'
BEGIN;
SELECT pg_logical_emit_message(true, 'vectors', 'inside a stream');
INSERT INTO streamed SELECT g, repeat('s', 400) FROM generate_series(1, 200) g;
SAVEPOINT sp;
INSERT INTO streamed SELECT g, repeat('a', 400) FROM generate_series(1001, 1200) g;
ROLLBACK TO SAVEPOINT sp;
INSERT INTO streamed VALUES (5000, 'last');
COMMIT;
SQL
run <<'SQL'
INSERT INTO vec (step, batched, data)
SELECT 'stream', false, data
  FROM (SELECT ord, data,
               row_number() OVER (PARTITION BY vec_key(data) ORDER BY ord) AS rn
          FROM pg_logical_slot_get_binary_changes('vectors', NULL, NULL,
                 'write_batch_size', '0', 'streaming', 'on', 'messages', 'vectors')
               WITH ORDINALITY AS c (lsn, xid, data, ord)) s
 WHERE get_byte(data, 0) IN (ascii('S'), ascii('E'), ascii('c'), ascii('A')) OR rn = 1
 ORDER BY ord;
SQL

# Batched: a whole transaction in one payload, then one cut into several
# payloads by a tiny write_batch_size.
run <<'SQL'
BEGIN;
INSERT INTO items VALUES (10, 'batch a', 1, NULL, NULL), (11, 'batch b', 2, NULL, NULL);
UPDATE items SET note = 'noted' WHERE id = 10;
DELETE FROM items WHERE id = 11;
SELECT pg_logical_emit_message(true, 'vectors', 'in a batch');
COMMIT;
SQL
record batch '{messages,vectors}' true
run -c "INSERT INTO items SELECT g, 'split ' || g, g, NULL, NULL FROM generate_series(20, 25) g"
record batch_split '{write_batch_size,64}' true

# Write the files, replacing every vector of a previous run.
find "$here" -maxdepth 1 -name '[0-9][0-9][0-9]_*.bin' -delete
find "$here" -maxdepth 1 -name '[0-9][0-9][0-9]_*.json' -delete

names=$(sql <<'SQL'
SELECT seq, lpad(row_number() OVER (ORDER BY seq)::text, 3, '0') || '_' || step || '_' ||
       CASE WHEN batched THEN 'payload'
            ELSE CASE get_byte(data, 0) & 127
                   WHEN ascii('B') THEN 'begin' WHEN ascii('C') THEN 'commit'
                   WHEN ascii('R') THEN 'relation' WHEN ascii('I') THEN 'insert'
                   WHEN ascii('U') THEN 'update' WHEN ascii('D') THEN 'delete'
                   WHEN ascii('T') THEN 'truncate' WHEN ascii('M') THEN 'message'
                   WHEN ascii('S') THEN 'stream_start' WHEN ascii('E') THEN 'stream_stop'
                   WHEN ascii('c') THEN 'stream_commit' WHEN ascii('A') THEN 'stream_abort'
                   ELSE 'unknown' END ||
                 CASE WHEN get_byte(data, 0) & 128 <> 0 THEN '_xid' ELSE '' END
       END
  FROM vec ORDER BY seq;
SQL
)

while IFS='|' read -r seq name; do
  sql -c "SELECT translate(encode(data, 'base64'), E'\n', '') FROM vec WHERE seq = $seq" |
    base64 -d >"$here/$name.bin"
done <<<"$names"

# The JSON comes from the extension's reader.  Until the extension can be
# created, the same C function is bound directly from the library.
json=
if sql -c "CREATE EXTENSION tidemark" 2>/dev/null; then
  json=tidemark.to_json
elif sql -c "CREATE SCHEMA tidemark" \
     -c "CREATE FUNCTION tidemark.to_json(bytea) RETURNS jsonb LANGUAGE c IMMUTABLE STRICT
         AS '\$libdir/tidemark', 'tidemark_to_json'" 2>/dev/null; then
  json=tidemark.to_json
fi
if [ -n "$json" ]; then
  while IFS='|' read -r seq name; do
    sql -c "SELECT jsonb_pretty($json(data)) FROM vec WHERE seq = $seq" >"$here/$name.json"
  done <<<"$names"
else
  echo "generate.sh: tidemark.to_json is not available in the installed library;" \
    "wrote the .bin files only" >&2
fi

count=$(wc -l <<<"$names")
echo "generate.sh: wrote $count vectors to $here"
