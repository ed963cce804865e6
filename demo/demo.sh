#!/usr/bin/env bash
# make demo: a throwaway source and target cluster, a sample workload, the
# Initial Data Package, streaming while the workload runs, progress, and the
# sync report.  Everything it starts is stopped and removed on exit.
#   demo/demo.sh PATH_TO_TIDEMARK_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
agent=$(cd "$(dirname "${1:?usage: demo.sh PATH_TO_TIDEMARK}")" && pwd)/$(basename "$1")
pgcluster="$here/regress/pgcluster.sh"
bindir=$( (pg_config --bindir 2>/dev/null) || echo /usr/lib/postgresql/15/bin)
work=$(mktemp -d "${TMPDIR:-/tmp}/tidemark-demo.XXXXXX")
chmod 755 "$work"
agent_pid=
load_pid=

cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  "$pgcluster" destroy "$work/source" 2>/dev/null || true
  "$pgcluster" destroy "$work/target" 2>/dev/null || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
psql_src() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$src_port" -U postgres -d app "$@"; }
psql_tgt() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$tgt_port" -U postgres -d app_copy "$@"; }

step "Starting a throwaway source and target cluster"
src_port=$("$pgcluster" start "$work/source")
tgt_port=$("$pgcluster" start "$work/target")
echo "source on 127.0.0.1:$src_port, target on 127.0.0.1:$tgt_port (folder $work)"
"$bindir/psql" -X -q -h 127.0.0.1 -p "$src_port" -U postgres -c 'CREATE DATABASE app'
"$bindir/psql" -X -q -h 127.0.0.1 -p "$tgt_port" -U postgres -c 'CREATE DATABASE app_copy'

step "A sample workload on the source: pgbench at scale 5, and a table of every kind"
"$bindir/pgbench" -q -i -s 5 -h 127.0.0.1 -p "$src_port" -U postgres app 2>&1 | tail -n 1
psql_src <<'SQL'
CREATE EXTENSION tidemark;
CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer text NOT NULL,
    status status NOT NULL DEFAULT 'new',
    amount numeric(12,2),
    tags text[],
    details jsonb,
    placed_at timestamptz NOT NULL DEFAULT now());
INSERT INTO orders (id, customer, amount, tags, details)
SELECT g, 'customer ' || (g % 97), (g % 1000) / 3.0, ARRAY['t' || g % 5], jsonb_build_object('n', g)
FROM generate_series(1, 50000) g;
SQL
psql_src -c "SELECT count(*) AS source_rows_in_pgbench_accounts FROM pgbench_accounts"

cat >"$work/tidemark.toml" <<TOML
[source]
conninfo = "host=127.0.0.1 port=$src_port dbname=app user=postgres"
slot = "tidemark_demo"
include = ["public.*"]

[target]
conninfo = "host=127.0.0.1 port=$tgt_port dbname=app_copy user=postgres"
create_tables = true

[sync]
startup_mode = "initial"
copy_jobs = 2
batch_size = 5000
TOML
step "The config ($work/tidemark.toml)"
cat "$work/tidemark.toml"

step "tidemark check-config"
"$agent" check-config -c "$work/tidemark.toml"

step "tidemark sync: the Initial Data Package, then streaming, while pgbench writes"
"$bindir/pgbench" -n -c 2 -j 2 -T 15 -h 127.0.0.1 -p "$src_port" -U postgres app >"$work/pgbench.log" 2>&1 &
load_pid=$!
"$agent" sync -c "$work/tidemark.toml" &
agent_pid=$!
for _ in $(seq 1 8); do
  sleep 2
  kill -0 "$agent_pid" 2>/dev/null || { echo "the agent stopped early" >&2; wait "$agent_pid"; exit 1; }
  psql_src -At -F ' ' -c "SELECT 'slot ' || slot_name || ': lag ' || pg_size_pretty(lag_bytes) || ', retained WAL ' || pg_size_pretty(retained_wal_bytes) FROM tidemark.slots WHERE slot_name = 'tidemark_demo'" || true
  psql_tgt -At -F ' ' -c "SELECT 'target: ' || string_agg(source_table || ' ' || phase, ', ' ORDER BY source_table) FROM tidemark.tables" 2>/dev/null || true
done
wait "$load_pid"; load_pid=
echo "pgbench: $(grep -E '^tps' "$work/pgbench.log" | head -n 1)"

step "Stopping the agent (SIGTERM: it finishes the transaction in flight)"
kill -TERM "$agent_pid"
wait "$agent_pid"; agent_pid=

step "tidemark sync --once: catch up to the source's current position and print the sync report"
"$agent" sync -c "$work/tidemark.toml" --once

step "Row counts, source vs target"
for t in pgbench_accounts pgbench_branches pgbench_tellers pgbench_history orders; do
  s=$(psql_src -At -c "SELECT count(*) FROM $t")
  d=$(psql_tgt -At -c "SELECT count(*) FROM $t")
  mark=$([ "$s" = "$d" ] && echo ok || echo DIFFERENT)
  printf '  %-18s source %8s  target %8s  %s\n' "$t" "$s" "$d" "$mark"
  [ "$s" = "$d" ] || exit 1
done
echo
echo "Done: the target is a copy of the source and was kept in sync while it was written to."
