#!/usr/bin/env bash
# bench/copy.sh AGENT: how fast a fresh target is hydrated from a pgbench
# source: tidemark's Initial Data Package (startup_mode = "initial_only",
# copy_jobs = 2) against pgcopydb clone (2 table jobs, 2 index jobs) and the
# subscription's own copy_data.
# Must not: judge the figures; it fails when a tool fails or a target does
# not hold the source's rows.
#
# Source: pgbench -i -s 100 (the scale times BENCH_SCALE, at least 1).
# Environment: BENCH_SCALE, BENCH_COPY_RUNS (runs per method, default 3),
# BENCH_COPY_METHODS (default "tidemark pgcopydb subscription"), BENCH_WORK,
# BENCH_OUT.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

agent=${1:-}
methods=(${BENCH_COPY_METHODS:-tidemark pgcopydb subscription})
runs=${BENCH_COPY_RUNS:-3}
pgbench_scale=$(scaled 100)
for m in "${methods[@]}"; do
  case "$m" in
    tidemark)
      [ -n "$agent" ] && [ -x "$agent" ] || die "no agent binary at '${agent}' (usage: bench/copy.sh PATH-TO-AGENT)"
      agent=$(cd "$(dirname "$agent")" && pwd)/$(basename "$agent") ;;
    pgcopydb) command -v pgcopydb >/dev/null || die "pgcopydb is not installed (packaging/install-deps.sh --bench)" ;;
    subscription) ;;
    *) die "unknown method '$m' (valid: tidemark pgcopydb subscription)" ;;
  esac
done

mkdir -p "$BENCH_WORK" "$BENCH_OUT"
work="$BENCH_WORK/copy"
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"
raw="$BENCH_OUT/copy-raw.tsv"
report="$BENCH_OUT/copy.md"
printf 'method\trun\tseconds\tpeak_rss_mb\n' >"$raw"

log "copy: starting the source and target clusters"
start_cluster src_port "$BENCH_WORK/copy-src"
start_cluster tgt_port "$BENCH_WORK/copy-tgt"
db=bench
sql "$src_port" postgres "CREATE DATABASE $db"
log "copy: pgbench -i -s $pgbench_scale on the source"
t0=$(now)
pgbench -i -q -s "$pgbench_scale" -h 127.0.0.1 -p "$src_port" -U postgres "$db" >"$work/pgbench-init.log" 2>&1 \
  || { cat "$work/pgbench-init.log" >&2; die "pgbench -i failed"; }
log "  loaded in $(elapsed "$t0" "$(now)") s"
sql_file "$src_port" "$db" <<'SQL'
CREATE PUBLICATION p FOR ALL TABLES;
VACUUM ANALYZE;
CHECKPOINT;
SQL
heap=$(heap_mb "$src_port" "$db")
index_mb=$(sql "$src_port" "$db" "SELECT round(sum(pg_indexes_size(c.oid)) / 1048576.0, 1) FROM pg_class c
                                  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public'")
counts_sql="SELECT (SELECT count(*) FROM pgbench_accounts) || '/' || (SELECT count(*) FROM pgbench_branches)
            || '/' || (SELECT count(*) FROM pgbench_tellers) || '/' || (SELECT count(*) FROM pgbench_history)
            || '/' || (SELECT sum(abalance) FROM pgbench_accounts)"
expected=$(sql "$src_port" "$db" "$counts_sql")
schema="$work/schema.sql"
pg_dump -h 127.0.0.1 -p "$src_port" -U postgres -s -n public --no-publications --no-subscriptions "$db" >"$schema"

# fresh_target NAME: an empty database, the previous run's gone and its pages written.
fresh_target() {
  sql "$tgt_port" postgres "DROP DATABASE IF EXISTS $1" >/dev/null
  sql "$tgt_port" postgres "CREATE DATABASE $1" >/dev/null
  sql "$tgt_port" postgres "CHECKPOINT" >/dev/null
}

check_target() {
  local got
  got=$(sql "$tgt_port" "$1" "$counts_sql")
  [ "$got" = "$expected" ] || die "$2: the target holds $got, the source $expected"
  # An index missing on the target would make the copy look cheaper than it is.
  local idx
  idx=$(sql "$tgt_port" "$1" "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                               JOIN pg_namespace n ON n.oid = c.relnamespace
                               WHERE n.nspname = 'public' AND i.indisprimary")
  [ "$idx" -ge 3 ] || die "$2: the target has $idx primary keys on the pgbench tables, expected 3"
}

# Runs one copy command under /usr/bin/time (for its peak memory), stops the
# benchmark if it fails, checks the target it filled, and records the run.
#   timed_copy METHOD RUN TARGET_DB LOG COMMAND...
timed_copy() {
  local method=$1 n=$2 target=$3 log=$4 t0 t1 rc=0
  shift 4
  t0=$(now)
  /usr/bin/time -v -o "$work/$method-$n.time" "$@" >"$log.stdout" 2>"$log" || rc=$?
  t1=$(now)
  [ "$rc" -eq 0 ] || { tail -n 30 "$log" >&2; die "$method failed (exit $rc)"; }
  check_target "$target" "$method"
  printf '%s\t%s\t%s\t%s\n' "$method" "$n" "$(elapsed "$t0" "$t1")" "$(peak_rss_mb "$work/$method-$n.time")" >>"$raw"
}

run_tidemark() {
  local n=$1 target="copy_tidemark_$n" cfg="$work/tidemark-$n.toml"
  fresh_target "$target"
  cat >"$cfg" <<TOML
[source]
conninfo = "$(conninfo "$src_port" "$db")"
slot = "bench_copy_$n"

[target]
conninfo = "$(conninfo "$tgt_port" "$target")"
create_tables = true

[sync]
startup_mode = "initial_only"
copy_jobs = 2
TOML
  timed_copy tidemark "$n" "$target" "$work/tidemark-$n.err" \
    "$agent" sync -c "$cfg" --report "$work/tidemark-$n.report"
}

run_pgcopydb() {
  local n=$1 target="copy_pgcopydb_$n" dir="$work/pgcopydb-$n"
  fresh_target "$target"
  rm -rf "$dir"
  timed_copy pgcopydb "$n" "$target" "$work/pgcopydb-$n.log" \
    pgcopydb clone --table-jobs 2 --index-jobs 2 --dir "$dir" \
    --source "postgres://postgres@127.0.0.1:$src_port/$db" \
    --target "postgres://postgres@127.0.0.1:$tgt_port/$target"
}

run_subscription() {
  local n=$1 target="copy_subscription_$n" sub="bench_copy_sub_$n"
  fresh_target "$target"
  # The subscription copies rows only: the schema, with its keys, comes first
  # (outside the timing, as a user would prepare it).
  sql "$tgt_port" "$target" "DROP SCHEMA public"
  sql_file "$tgt_port" "$target" <"$schema" >/dev/null
  all_ready() {
    [ "$(sql "$tgt_port" "$target" "SELECT count(*) = 4 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel r
                                    JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '$sub'")" = t ]
  }
  local t0 t1
  t0=$(now)
  sql "$tgt_port" "$target" "CREATE SUBSCRIPTION $sub CONNECTION '$(conninfo "$src_port" "$db")' PUBLICATION p
                             WITH (copy_data = true, slot_name = '$sub')"
  wait_until 3600 0.1 all_ready || die "the subscription's copy did not finish within an hour"
  t1=$(now)
  check_target "$target" subscription
  sql "$tgt_port" "$target" "DROP SUBSCRIPTION $sub" >/dev/null
  printf 'subscription\t%s\t%s\t-\n' "$n" "$(elapsed "$t0" "$t1")" >>"$raw"
}

# Round-robin, so that drift over time hits every method alike.
for (( n = 1; n <= runs; n++ )); do
  for m in "${methods[@]}"; do
    log "copy: $m, run $n"
    "run_$m" "$n"
    log "  $(tail -n 1 "$raw" | cut -f3) s"
    sql "$tgt_port" postgres "DROP DATABASE copy_${m}_$n" >/dev/null
  done
done

declare -A secs
{
  echo "# Copy benchmark: hydrating a fresh target"
  echo
  machine_summary
  echo "source: pgbench -i -s $pgbench_scale, $heap MB of heap, $index_mb MB of indexes; medians of $runs runs"
  echo
  echo "| method | seconds | MB/s of heap | peak RSS MB | runs (s) |"
  echo "|---|---|---|---|---|"
  for m in "${methods[@]}"; do
    secs[$m]=$(awk -F'\t' -v m="$m" 'NR > 1 && $1 == m { print $3 }' "$raw" | median)
    rss=$(awk -F'\t' -v m="$m" 'NR > 1 && $1 == m && $4 != "-" { print $4 }' "$raw" | median)
    [ "$rss" = nan ] && rss=-
    all=$(awk -F'\t' -v m="$m" 'NR > 1 && $1 == m { printf "%s%s", sep, $3; sep = ", " }' "$raw")
    echo "| $m | ${secs[$m]} | $(awk -v h="$heap" -v s="${secs[$m]}" 'BEGIN { printf "%.0f", h / s }') | $rss | $all |"
  done
  if [ -n "${secs[tidemark]:-}" ]; then
    echo
    for m in pgcopydb subscription; do
      # An "if", not "&&": a method left out by BENCH_COPY_METHODS must not
      # end the block, and with it the script, with a failed test.
      if [ -n "${secs[$m]:-}" ]; then
        echo "speed-up over $m ($m seconds / tidemark seconds): $(ratio "${secs[$m]}" "${secs[tidemark]}")"
      fi
    done
  fi
} | tee "$report"
log "copy: report in $report, tool output in $work"
