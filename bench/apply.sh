#!/usr/bin/env bash
# bench/apply.sh AGENT: how fast a target catches up a backlog: PostgreSQL's
# own subscription against `tidemark sync --once`, on the same backlog
# retained by two slots of one source.
# Must not: judge the figures; it fails when a tool fails or when a target
# does not end up equal to the source.
#
# Backlog: a pgbench run of small transactions, then single-column updates of
# 1M rows in 10 transactions (sizes times BENCH_SCALE), then one marker row.
# Environment: BENCH_SCALE, BENCH_SUB_BINARY (on: the subscription uses
# binary = true), BENCH_WORK, BENCH_OUT.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

agent=${1:?usage: bench/apply.sh PATH-TO-TIDEMARK-AGENT}
[ -x "$agent" ] || die "no agent binary at $agent (build it: cmake --build build/agent)"
agent=$(cd "$(dirname "$agent")" && pwd)/$(basename "$agent")

rows=$(scaled 1000000)
txns=${BENCH_TXNS:-10}
pgbench_tx=$(scaled 200000)
pgbench_clients=8
sub_binary=${BENCH_SUB_BINARY:-off}
case "$sub_binary" in on|true|1) sub_binary=true ;; *) sub_binary=false ;; esac

mkdir -p "$BENCH_WORK" "$BENCH_OUT"
work="$BENCH_WORK/apply"
rm -rf "$work"
mkdir -p "$work"
report="$BENCH_OUT/apply.md"

log "apply: starting the source and target clusters"
start_cluster src_port "$BENCH_WORK/apply-src"
start_cluster tgt_port "$BENCH_WORK/apply-tgt"
db=bench
sql "$src_port" postgres "CREATE DATABASE $db"

log "apply: loading the source (pgbench -i -s 10, $rows rows)"
pgbench -i -q -s 10 -h 127.0.0.1 -p "$src_port" -U postgres "$db" >"$work/pgbench-init.log" 2>&1 \
  || { cat "$work/pgbench-init.log" >&2; die "pgbench -i failed"; }
sql_file "$src_port" "$db" <<SQL
CREATE TABLE bench_rows (id bigint PRIMARY KEY, a int NOT NULL, b text NOT NULL, c timestamptz NOT NULL,
                         d numeric NOT NULL);
INSERT INTO bench_rows
  SELECT i, (i % 1000003)::int, repeat(md5(i::text), 3) || left(md5((i + 1)::text), 4),
         timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second', round((i % 1000000) / 7.0, 2)
  FROM generate_series(1, $rows) i;
CREATE TABLE bench_marker (id int PRIMARY KEY);
CREATE PUBLICATION p FOR ALL TABLES;
VACUUM ANALYZE;
SQL

# Both targets start as exact copies of the source.
for t in sub_target tm_target; do
  sql "$tgt_port" postgres "CREATE DATABASE $t"
  # The dump of schema public creates it.
  sql "$tgt_port" "$t" "DROP SCHEMA public"
  pg_dump -h 127.0.0.1 -p "$src_port" -U postgres -n public --no-publications --no-subscriptions "$db" \
    | sql_file "$tgt_port" "$t" >/dev/null
  sql "$tgt_port" "$t" "VACUUM ANALYZE" >/dev/null
done

# The subscription's slot and tidemark's slot are both created before the
# backlog, so both retain exactly the same changes.
log "apply: creating the subscription (disabled) and tidemark's slot and state"
sql "$tgt_port" sub_target "CREATE SUBSCRIPTION bench_sub
  CONNECTION '$(conninfo "$src_port" "$db")' PUBLICATION p
  WITH (copy_data = false, create_slot = true, enabled = false, slot_name = 'bench_sub', binary = $sub_binary)"

config="$work/tidemark.toml"
cat >"$config" <<TOML
[source]
conninfo = "$(conninfo "$src_port" "$db")"
slot = "bench_tm"

[target]
conninfo = "$(conninfo "$tgt_port" tm_target)"
create_tables = true

[sync]
startup_mode = "latest"
TOML
"$agent" sync -c "$config" --once >"$work/agent-setup.out" 2>"$work/agent-setup.err" \
  || { cat "$work/agent-setup.err" >&2; die "tidemark sync (startup_mode latest, before the backlog) failed"; }

log "apply: writing the backlog"
t0=$(now)
per_client=$(( (pgbench_tx + pgbench_clients - 1) / pgbench_clients ))
pgbench -n -c "$pgbench_clients" -j 2 -t "$per_client" -h 127.0.0.1 -p "$src_port" -U postgres "$db" \
  >"$work/pgbench-run.log" 2>&1 || { cat "$work/pgbench-run.log" >&2; die "pgbench failed"; }
per=$(( (rows + txns - 1) / txns ))
for (( lo = 0; lo < rows; lo += per )); do
  echo "UPDATE bench_rows SET a = a + 1 WHERE id > $lo AND id <= $(( lo + per ));"
done | sql_file "$src_port" "$db"
# Every transaction of the backlog ends before end_lsn; the marker commits
# after it, so a target whose origin has passed end_lsn has applied it all.
end_lsn=$(sql "$src_port" "$db" "SELECT pg_current_wal_lsn()")
sql "$src_port" "$db" "INSERT INTO bench_marker VALUES (1)"
backlog_tx=$(( per_client * pgbench_clients + (rows + per - 1) / per + 1 ))
backlog_changes=$(( per_client * pgbench_clients * 4 + rows + 1 ))
log "  backlog: $backlog_changes changes in $backlog_tx transactions, written in $(elapsed "$t0" "$(now)") s"
sql "$src_port" "$db" "CHECKPOINT" >/dev/null

# What a caught-up target must hold.
digest() {
  sql "$1" "$2" "SELECT (SELECT sum(abalance) FROM pgbench_accounts) || '/' || (SELECT sum(tbalance) FROM pgbench_tellers)
                 || '/' || (SELECT sum(bbalance) FROM pgbench_branches) || '/' || (SELECT count(*) FROM pgbench_history)
                 || '/' || (SELECT coalesce(sum(delta), 0) FROM pgbench_history) || '/' || (SELECT sum(a) FROM bench_rows)
                 || '/' || (SELECT count(*) FROM bench_marker)"
}
expected=$(digest "$src_port" "$db")

# A target whose autovacuum still works on the other database's tables, or
# with dirty buffers of the previous run, would pay for the other's work.
quiet_target() {
  no_autovacuum() {
    [ "$(sql "$tgt_port" postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ]
  }
  wait_until 600 1 no_autovacuum || log "  (autovacuum still busy on the target after 600 s)"
  sql "$tgt_port" postgres "CHECKPOINT" >/dev/null
}

# ---- PostgreSQL's subscription -----------------------------------------------
log "apply: subscription catch-up"
quiet_target
sub_caught_up() {
  # A fresh psql each time: no snapshot is held open on the target.
  [ "$(sql "$tgt_port" sub_target "SELECT coalesce(pg_replication_origin_progress('pg_' || oid, false) >= '$end_lsn', false)
                                  FROM pg_subscription WHERE subname = 'bench_sub'")" = t ]
}
t0=$(now)
sql "$tgt_port" sub_target "ALTER SUBSCRIPTION bench_sub ENABLE"
wait_until 3600 0.1 sub_caught_up || die "the subscription did not catch up within an hour"
t1=$(now)
sub_s=$(elapsed "$t0" "$t1")
got=$(digest "$tgt_port" sub_target)
[ "$got" = "$expected" ] || die "the subscription's target differs from the source: $got, expected $expected"
log "  subscription: $sub_s s"
sql "$tgt_port" sub_target "ALTER SUBSCRIPTION bench_sub DISABLE" >/dev/null
sql "$tgt_port" sub_target "DROP SUBSCRIPTION bench_sub" >/dev/null

# ---- tidemark ------------------------------------------------------------------
log "apply: tidemark sync --once catch-up"
quiet_target
t0=$(now)
rc=0
/usr/bin/time -v -o "$work/agent-time.txt" "$agent" sync -c "$config" --once --report "$work/agent-report.txt" \
  >"$work/agent.out" 2>"$work/agent.err" || rc=$?
t1=$(now)
[ "$rc" -eq 0 ] || { tail -n 30 "$work/agent.err" >&2; die "tidemark sync --once failed (exit $rc)"; }
tm_s=$(elapsed "$t0" "$t1")
tm_rss=$(peak_rss_mb "$work/agent-time.txt")
tm_cpu=$(awk -F: '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$work/agent-time.txt")
got=$(digest "$tgt_port" tm_target)
[ "$got" = "$expected" ] || die "tidemark's target differs from the source: $got, expected $expected"
log "  tidemark: $tm_s s, peak RSS $tm_rss MB"

{
  echo "# Apply benchmark: catching up a backlog"
  echo
  machine_summary
  echo "backlog: pgbench $(( per_client * pgbench_clients )) transactions (-c $pgbench_clients, scale 10), then $rows" \
    "single-column updates in $txns transactions, then a marker row: $backlog_changes changes," \
    "$backlog_tx transactions; subscription binary = $sub_binary; one run each"
  echo
  echo "| applier | seconds | k changes/s | k transactions/s | agent peak RSS MB | agent CPU s |"
  echo "|---|---|---|---|---|---|"
  echo "| PostgreSQL subscription | $sub_s | $(awk -v c="$backlog_changes" -v s="$sub_s" 'BEGIN { printf "%.1f", c / s / 1000 }') |" \
    "$(awk -v c="$backlog_tx" -v s="$sub_s" 'BEGIN { printf "%.1f", c / s / 1000 }') | - | - |"
  echo "| tidemark sync --once | $tm_s | $(awk -v c="$backlog_changes" -v s="$tm_s" 'BEGIN { printf "%.1f", c / s / 1000 }') |" \
    "$(awk -v c="$backlog_tx" -v s="$tm_s" 'BEGIN { printf "%.1f", c / s / 1000 }') | $tm_rss | $tm_cpu |"
  echo
  echo "speed-up, subscription time / tidemark time: $(ratio "$sub_s" "$tm_s")"
  echo "(tidemark's time includes its process start, connections and the final report; the subscription's"
  echo "starts at ALTER SUBSCRIPTION ... ENABLE and ends when its origin has passed the backlog's end)"
} | tee "$report"
log "apply: report in $report, agent output in $work"
