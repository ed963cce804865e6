#!/usr/bin/env bash
# bench/apply.sh AGENT: how fast a target catches up a backlog: PostgreSQL's
# own subscription against `tidemark sync --once`, without and with conflict
# detection ([conflicts] default = "last_write_wins"), on the same backlog
# retained by three slots of one source.
# Must not: judge the figures; it fails when a tool fails or when a target
# does not end up equal to the source.
#
# Backlog: a pgbench run of small transactions, then single-column updates of
# 1M rows in 10 transactions (sizes times BENCH_SCALE), then one marker row.
# For scale, it also times those bulk updates run directly on a copy of the
# target, without replication: the work one target session cannot avoid.
# Environment: BENCH_SCALE, BENCH_TXNS (transactions of the bulk update,
# default 10), BENCH_SUB_BINARY (on: the subscription uses
# binary = true), BENCH_SAMPLE_WAITS (1: log what the servers wait on),
# BENCH_WORK, BENCH_OUT.
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
# The processes a cluster keeps when no one is connected: checkpointer,
# writers, launchers.
launchers_up() { pgrep -P "$(postmaster_pid "$1")" -f 'logical replication launcher' >/dev/null; }
wait_until 30 0.1 launchers_up "$BENCH_WORK/apply-src" && wait_until 30 0.1 launchers_up "$BENCH_WORK/apply-tgt" \
  || die "the clusters' background processes did not start"
src_aux=$(child_count "$BENCH_WORK/apply-src")
tgt_aux=$(child_count "$BENCH_WORK/apply-tgt")
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

# Every target starts as an exact copy of the source.  The one with
# conflict detection is loaded under the replication origin of its pipeline,
# as tidemark's own copy writes it: its rows are this source's, not a local
# user's (which every first change would then conflict with).
sql "$tgt_port" postgres "SELECT pg_replication_origin_create('tidemark_bench_tm_detect')" >/dev/null
for t in sub_target tm_target tm_detect_target floor_target; do
  sql "$tgt_port" postgres "CREATE DATABASE $t"
  # The dump of schema public creates it.
  sql "$tgt_port" "$t" "DROP SCHEMA public"
  {
    [ "$t" = tm_detect_target ] && echo "SELECT pg_replication_origin_session_setup('tidemark_bench_tm_detect');"
    pg_dump -h 127.0.0.1 -p "$src_port" -U postgres -n public --no-publications --no-subscriptions "$db"
  } | sql_file "$tgt_port" "$t" >/dev/null
  sql "$tgt_port" "$t" "VACUUM ANALYZE" >/dev/null
done

# The subscription's slot and tidemark's slot are both created before the
# backlog, so both retain exactly the same changes.
log "apply: creating the subscription (disabled) and tidemark's slot and state"
sql "$tgt_port" sub_target "CREATE SUBSCRIPTION bench_sub
  CONNECTION '$(conninfo "$src_port" "$db")' PUBLICATION p
  WITH (copy_data = false, create_slot = true, enabled = false, slot_name = 'bench_sub', binary = $sub_binary)"

# tidemark's config: FILE SLOT TARGET-DB [EXTRA-SECTIONS]; its first run
# creates the slot and the state (startup_mode latest: nothing to apply).
tidemark_config() {
  cat >"$1" <<TOML
[source]
conninfo = "$(conninfo "$src_port" "$db")"
slot = "$2"

[target]
conninfo = "$(conninfo "$tgt_port" "$3")"
create_tables = true

[sync]
startup_mode = "latest"
${4:-}
TOML
  "$agent" sync -c "$1" --once >"${1%.toml}-setup.out" 2>"${1%.toml}-setup.err" \
    || { cat "${1%.toml}-setup.err" >&2; die "tidemark sync -c $1 (before the backlog) failed"; }
}
config="$work/tidemark.toml"
tidemark_config "$config" bench_tm tm_target
# The same with conflict detection on, on its own slot and target.
detect_config="$work/tidemark-detect.toml"
tidemark_config "$detect_config" bench_tm_detect tm_detect_target $'[conflicts]\ndefault = "last_write_wins"'

log "apply: writing the backlog"
t0=$(now)
per_client=$(( (pgbench_tx + pgbench_clients - 1) / pgbench_clients ))
pgbench -n -c "$pgbench_clients" -j 2 -t "$per_client" -h 127.0.0.1 -p "$src_port" -U postgres "$db" \
  >"$work/pgbench-run.log" 2>&1 || { cat "$work/pgbench-run.log" >&2; die "pgbench failed"; }
# The pgbench part of the backlog ends before phase_lsn, the bulk updates
# after it: each applier's time to pass it splits its catch-up in two.
phase_lsn=$(sql "$src_port" "$db" "SELECT pg_current_wal_lsn()")
per=$(( (rows + txns - 1) / txns ))
bulk_updates() {
  local lo
  for (( lo = 0; lo < rows; lo += per )); do
    echo "UPDATE bench_rows SET a = a + 1 WHERE id > $lo AND id <= $(( lo + per ));"
  done
}
bulk_updates | sql_file "$src_port" "$db"
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

# No autovacuum left from the backlog or the previous run, dirty buffers
# written: neither applier pays for the other's work.
no_autovacuum() {
  [ "$(sql "$1" postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ]
}
quiet() {
  local p
  for p in "$src_port" "$tgt_port"; do
    wait_until 600 1 no_autovacuum "$p" || log "  (autovacuum still busy after 600 s)"
    sql "$p" postgres "CHECKPOINT" >/dev/null
  done
}

# CPU spent by each side's server processes while an applier runs: the
# walsender and other backends on the source; the apply worker or the agent's
# backends, and any autovacuum the applied changes set off, on the target.
# Each side must have only its idle processes (plus the poller) at both ends.
# cpu_start EXTRA_TARGET_BACKENDS (the poller's session, if one is open)
cpu_start() {
  src_idle=$(( src_aux + sampler_sessions ))
  tgt_idle=$(( tgt_aux + $1 + sampler_sessions ))
  settle_children "$BENCH_WORK/apply-src" "$src_idle"
  settle_children "$BENCH_WORK/apply-tgt" "$tgt_idle"
  src_cpu0=$(reaped_cpu "$BENCH_WORK/apply-src")
  tgt_cpu0=$(reaped_cpu "$BENCH_WORK/apply-tgt")
}
cpu_end() {
  settle_children "$BENCH_WORK/apply-src" "$src_idle"
  settle_children "$BENCH_WORK/apply-tgt" "$tgt_idle"
  src_cpu=$(awk -v a="$src_cpu0" -v b="$(reaped_cpu "$BENCH_WORK/apply-src")" 'BEGIN { printf "%.1f", b - a }')
  tgt_cpu=$(awk -v a="$tgt_cpu0" -v b="$(reaped_cpu "$BENCH_WORK/apply-tgt")" 'BEGIN { printf "%.1f", b - a }')
}

# BENCH_SAMPLE_WAITS=1: what the server processes wait on during each run,
# sampled from pg_stat_activity every 0.2 s by one session per cluster (so
# the CPU figures include two more idle sessions).  For diagnosis.
sample_waits=${BENCH_SAMPLE_WAITS:-0}
sampler_pids=()
sampler_start() {
  [ "$sample_waits" = 1 ] || return 0
  rm -f "$work/sampler.stop"
  local side p
  for side in source:"$src_port" target:"$tgt_port"; do
    p=${side#*:}
    (
      while [ ! -f "$work/sampler.stop" ]; do
        echo "SELECT '${side%%:*}', backend_type, coalesce(nullif(application_name, ''), '-'), coalesce(wait_event_type, 'running'),
                     coalesce(wait_event, '-')
              FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'
                AND backend_type IN ('client backend', 'walsender', 'logical replication worker');"
        sleep 0.2
      done | psql -X -q -At -F ' ' -h 127.0.0.1 -p "$p" -U postgres -d postgres >>"$work/waits-$1.txt"
    ) &
    sampler_pids+=($!)
  done
  wait_until 10 0.05 test -s "$work/waits-$1.txt" || true
}
sampler_stop() {
  [ "$sample_waits" = 1 ] || return 0
  touch "$work/sampler.stop"
  wait "${sampler_pids[@]}" 2>/dev/null || true
  sampler_pids=()
  log "  waits sampled every 0.2 s (side, process, application, wait type, wait event: samples):"
  sort "$work/waits-$1.txt" | uniq -c | sort -rn | head -n 12 | sed 's/^/    /' >&2
}
sampler_sessions=0
[ "$sample_waits" = 1 ] && sampler_sessions=1

# One psql session polls the target: each query is its own transaction, so
# no snapshot stays open on the target between polls, and polling forks no
# backends.  open_poller DB, poll QUERY, close_poller.
open_poller() {
  coproc POLL { psql -X -q -At -h 127.0.0.1 -p "$tgt_port" -U postgres -d "$1" 2>&1; }
  poll "SELECT 1;" >/dev/null
}
poll() {
  local line
  echo "$1" >&"${POLL[1]}"
  read -r -t 60 line <&"${POLL[0]}" || die "the polling session on the target does not answer"
  echo "$line"
}
close_poller() {
  echo '\q' >&"${POLL[1]}"
  wait "$POLL_PID" 2>/dev/null || true
}
# origin_passed ORIGIN-EXPRESSION LSN: the origin has applied everything before LSN.
origin_passed() {
  [ "$(poll "SELECT coalesce(pg_replication_origin_progress($1, false) >= '$2', false);")" = t ]
}
# note_phase ORIGIN-EXPRESSION T0 DONE-COMMAND...: one poll; notes in
# phase1_s the seconds from T0 until the origin passed phase_lsn (the
# pgbench part applied), and succeeds when DONE-COMMAND does.
note_phase() {
  local origin=$1 t0=$2; shift 2
  [ -z "$phase1_s" ] && origin_passed "$origin" "$phase_lsn" && phase1_s=$(elapsed "$t0" "$(now)")
  "$@"
}
# watch_phases ORIGIN-EXPRESSION T0 DONE-COMMAND...: polls every 0.1 s until
# DONE-COMMAND succeeds (within an hour); sets phase1_s.
watch_phases() {
  phase1_s=""
  wait_until 3600 0.1 note_phase "$@" || return 1
  [ -n "$phase1_s" ] || phase1_s=$(elapsed "$2" "$(now)")
}

# ---- PostgreSQL's subscription -----------------------------------------------
log "apply: subscription catch-up"
quiet
open_poller sub_target
sub_origin="(SELECT 'pg_' || oid FROM pg_subscription WHERE subname = 'bench_sub')"
sampler_start subscription
cpu_start 1
t0=$(now)
[ "$(poll "ALTER SUBSCRIPTION bench_sub ENABLE; SELECT 'enabled';")" = enabled ] \
  || die "ALTER SUBSCRIPTION bench_sub ENABLE failed"
watch_phases "$sub_origin" "$t0" origin_passed "$sub_origin" "$end_lsn" \
  || die "the subscription did not catch up within an hour"
t1=$(now)
sub_s=$(elapsed "$t0" "$t1")
sub_p1=$phase1_s
poll "ALTER SUBSCRIPTION bench_sub DISABLE; SELECT 'disabled';" >/dev/null
cpu_end
sampler_stop subscription
sub_src_cpu=$src_cpu sub_tgt_cpu=$tgt_cpu
close_poller
got=$(digest "$tgt_port" sub_target)
[ "$got" = "$expected" ] || die "the subscription's target differs from the source: $got, expected $expected"
log "  subscription: $sub_s s (pgbench part $sub_p1 s), server CPU: source $sub_src_cpu s, target $sub_tgt_cpu s"
sql "$tgt_port" sub_target "DROP SUBSCRIPTION bench_sub" >/dev/null

# ---- tidemark, without and with conflict detection ---------------------------
# One timed catch-up: NAME (its files in $work) CONFIG TARGET-DB ORIGIN WHAT.
# Sets run_s, run_p1 (until the pgbench part was applied), run_rss,
# run_cpu (the agent's), run_src_cpu and run_tgt_cpu.
measure_tidemark() {
  local name=$1 cfg=$2 target_db=$3 origin=$4 what=$5 t0 t1 rc=0 got pid
  log "apply: tidemark sync --once catch-up$what"
  quiet
  open_poller "$target_db"
  sampler_start "$name"
  cpu_start 1
  t0=$(now)
  /usr/bin/time -v -o "$work/$name-time.txt" "$agent" sync -c "$cfg" --once --report "$work/$name-report.txt" \
    >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  agent_done() { ! kill -0 "$pid" 2>/dev/null; }
  watch_phases "'$origin'" "$t0" agent_done || die "tidemark sync --once$what did not end within an hour"
  wait "$pid" || rc=$?
  t1=$(now)
  [ "$rc" -eq 0 ] || { tail -n 30 "$work/$name.err" >&2; die "tidemark sync --once$what failed (exit $rc)"; }
  close_poller
  cpu_end
  sampler_stop "$name"
  run_src_cpu=$src_cpu run_tgt_cpu=$tgt_cpu
  run_s=$(elapsed "$t0" "$t1")
  run_p1=$phase1_s
  run_rss=$(peak_rss_mb "$work/$name-time.txt")
  run_cpu=$(awk -F: '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$work/$name-time.txt")
  got=$(digest "$tgt_port" "$target_db")
  [ "$got" = "$expected" ] || die "tidemark's target$what differs from the source: $got, expected $expected"
}

measure_tidemark agent "$config" tm_target tidemark_bench_tm ""
tm_s=$run_s tm_p1=$run_p1 tm_rss=$run_rss tm_cpu=$run_cpu tm_src_cpu=$run_src_cpu tm_tgt_cpu=$run_tgt_cpu
log "  tidemark: $tm_s s (pgbench part $tm_p1 s), peak RSS $tm_rss MB, CPU: agent $tm_cpu s, source $tm_src_cpu s, target $tm_tgt_cpu s"

measure_tidemark agent-detect "$detect_config" tm_detect_target tidemark_bench_tm_detect " with conflict detection"
dt_s=$run_s dt_p1=$run_p1 dt_rss=$run_rss dt_cpu=$run_cpu dt_src_cpu=$run_src_cpu dt_tgt_cpu=$run_tgt_cpu
dt_conflicts=$(sql "$tgt_port" tm_detect_target "SELECT count(*) FROM tidemark.conflicts")
log "  tidemark with detection: $dt_s s (pgbench part $dt_p1 s), peak RSS $dt_rss MB, CPU: agent $dt_cpu s, source $dt_src_cpu s," \
  "target $dt_tgt_cpu s, conflicts logged: $dt_conflicts"

# ---- the target's own time for the bulk part: no replication -----------------
# The bulk updates run on a copy of the target made before the backlog, as
# the source ran them: one UPDATE statement per transaction, one session.
# An applier that keeps each source transaction whole applies it on one
# target session, and that session has at least this work to do.
log "apply: the bulk updates run directly on the target (no replication)"
quiet
t0=$(now)
bulk_updates | sql_file "$tgt_port" floor_target
floor_s=$(elapsed "$t0" "$(now)")
[ "$(sql "$tgt_port" floor_target "SELECT sum(a) FROM bench_rows")" = "$(sql "$src_port" "$db" "SELECT sum(a) FROM bench_rows")" ] \
  || die "the bulk updates run on the target's copy did not give the source's rows"
log "  the target's own bulk updates: $floor_s s"

{
  echo "# Apply benchmark: catching up a backlog"
  echo
  machine_summary
  echo "backlog: pgbench $(( per_client * pgbench_clients )) transactions (-c $pgbench_clients, scale 10), then $rows" \
    "single-column updates in $txns transactions, then a marker row: $backlog_changes changes," \
    "$backlog_tx transactions; subscription binary = $sub_binary; one run each"
  echo
  # applier seconds pgbench-part-seconds: the table's first columns.
  time_columns() {
    printf '| %s | %s | %s | %s | %s | %s |' "$1" "$2" "$3" "$(elapsed "$3" "$2")" \
      "$(awk -v c="$backlog_changes" -v s="$2" 'BEGIN { printf "%.1f", c / s / 1000 }')" \
      "$(awk -v c="$backlog_tx" -v s="$2" 'BEGIN { printf "%.1f", c / s / 1000 }')"
  }
  echo "| applier | seconds | of which pgbench part | bulk part | k changes/s | k transactions/s" \
    "| CPU s: source server | target server | agent | agent peak RSS MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  echo "$(time_columns "PostgreSQL subscription" "$sub_s" "$sub_p1") $sub_src_cpu | $sub_tgt_cpu | - | - |"
  echo "$(time_columns "tidemark sync --once" "$tm_s" "$tm_p1") $tm_src_cpu | $tm_tgt_cpu | $tm_cpu | $tm_rss |"
  echo "$(time_columns "tidemark sync --once, conflict detection on" "$dt_s" "$dt_p1") $dt_src_cpu | $dt_tgt_cpu | $dt_cpu | $dt_rss |"
  echo
  echo "speed-up, subscription time / tidemark time: $(ratio "$sub_s" "$tm_s")" \
    "(pgbench part $(ratio "$sub_p1" "$tm_p1"), bulk part $(ratio "$(elapsed "$sub_p1" "$sub_s")" "$(elapsed "$tm_p1" "$tm_s")"))"
  echo "conflict detection cost, time with detection / time without: $(ratio "$dt_s" "$tm_s") ($dt_conflicts conflicts logged)"
  echo "the bulk updates run directly on the target, one UPDATE per transaction as on the source, no replication:" \
    "$floor_s s; the subscription's bulk part takes $(ratio "$(elapsed "$sub_p1" "$sub_s")" "$floor_s") times that," \
    "tidemark's $(ratio "$(elapsed "$tm_p1" "$tm_s")" "$floor_s")"
  echo "(tidemark's time includes its process start, connections and the final report; the subscription's"
  echo "starts at ALTER SUBSCRIPTION ... ENABLE and ends when its origin has passed the backlog's end;"
  echo "the pgbench part ends when the applier's origin has passed the last pgbench commit, polled every 0.1 s;"
  echo "server CPU: every server process that ended during the run, walsender and apply worker included)"
} | tee "$report"
log "apply: report in $report, agent output in $work"
