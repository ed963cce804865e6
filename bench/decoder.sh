#!/usr/bin/env bash
# bench/decoder.sh: how fast each output plugin drains a pre-filled slot, how
# many bytes it emits per change and how much walsender CPU each change costs.
# tidemark (binary and text) runs side by side with pgoutput, wal2json,
# decoderbufs and test_decoding on one cluster, on the same WAL.
# Must not: judge the figures (it prints them; it fails only when a tool
# fails or a plugin does not see the changes the workload made).
#
#   bench/decoder.sh            full size (about 10 minutes on 2 cores)
#   BENCH_SCALE=0.1 bench/decoder.sh
# Environment: BENCH_SCALE, BENCH_TXNS (transactions per row phase, default
# 10), BENCH_DRAINS (drains per plugin and phase, default 3), BENCH_PHASES
# (default "insert update delete pgbench"), BENCH_PLUGINS (configuration
# names, default all), BENCH_REPORT_ONLY (1: report from an earlier run's
# files), BENCH_WORK, BENCH_OUT.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rows=$(scaled 1000000)
txns=${BENCH_TXNS:-10}
pgbench_tx=$(scaled 200000)
pgbench_clients=8
drains=${BENCH_DRAINS:-3}
phases=(${BENCH_PHASES:-insert update delete pgbench})

# name | plugin | options, as name=value words
configs=(
  "tidemark_bin|tidemark|binary=on"
  "tidemark_text|tidemark|"
  "pgoutput_bin|pgoutput|proto_version=1 publication_names=p binary=true"
  "pgoutput_text|pgoutput|proto_version=1 publication_names=p"
  "wal2json_f1|wal2json|"
  "wal2json_f2|wal2json|format-version=2"
  "decoderbufs|decoderbufs|"
  "test_decoding|test_decoding|"
)
if [ -n "${BENCH_PLUGINS:-}" ]; then
  selected=()
  for c in "${configs[@]}"; do
    for want in $BENCH_PLUGINS; do [ "${c%%|*}" = "$want" ] && selected+=("$c"); done
  done
  [ ${#selected[@]} -gt 0 ] || die "BENCH_PLUGINS matches none of the configurations"
  configs=("${selected[@]}")
fi

raw="$BENCH_OUT/decoder-raw.tsv"
bytes_tsv="$BENCH_OUT/decoder-bytes.tsv"
phases_tsv="$BENCH_OUT/decoder-phases.tsv"
report="$BENCH_OUT/decoder.md"

# BENCH_REPORT_ONLY=1 rebuilds the report from the files of an earlier run.
if [ "${BENCH_REPORT_ONLY:-0}" != 1 ]; then
mkdir -p "$BENCH_WORK" "$BENCH_OUT"
cluster="$BENCH_WORK/decoder-src"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then drain_dir=/dev/shm/tidemark-bench-$$; else drain_dir=$BENCH_WORK/drain; fi
mkdir -p "$drain_dir"
trap 'rm -rf "$drain_dir"; bench_cleanup' EXIT

printf 'phase\tconfig\tdrain\tseconds\tcpu_user_s\tcpu_sys_s\tcpu_polled_s\twalsender_hwm_kb\tfile_bytes\n' >"$raw"
printf 'phase\tconfig\tbytes\tpayloads\n' >"$bytes_tsv"
printf 'phase\tchanges\twrite_seconds\n' >"$phases_tsv"
echo "rows per phase: $rows in $txns transactions; pgbench: $(( (pgbench_tx + pgbench_clients - 1) / pgbench_clients * pgbench_clients )) transactions (-c $pgbench_clients -j 2 -t, scale 10); medians of $drains drains" \
  >"$BENCH_OUT/decoder-workload.txt"

# Autovacuum is off so that the only child of the postmaster that exits during
# a drain is the walsender: its exact CPU time is then the growth of the
# postmaster's cutime/cstime once it has been reaped.  Phases VACUUM by hand.
log "decoder: starting the source cluster"
start_cluster port "$cluster" autovacuum=off max_replication_slots=32 max_wal_senders=8 \
  logical_decoding_work_mem=64MB
db=bench
sql "$port" postgres "CREATE DATABASE $db"
pm_pid=$(postmaster_pid "$cluster")
clk_tck=$(getconf CLK_TCK)
# The auxiliary processes (checkpointer, writers, launcher): children that
# stay.  Anything above this count is a backend.
launcher_up() { pgrep -P "$pm_pid" -f 'logical replication launcher' >/dev/null; }
wait_until 30 0.1 launcher_up || die "the source's background processes did not start"
idle_children=$(child_count "$cluster")

sql_file "$port" "$db" <<'SQL'
CREATE TABLE bench_rows (id bigint PRIMARY KEY, a int NOT NULL, b text NOT NULL, c timestamptz NOT NULL,
                         d numeric NOT NULL);
CREATE PUBLICATION p FOR ALL TABLES;
SQL
log "decoder: pgbench -i -s 10"
pgbench -i -q -s 10 -h 127.0.0.1 -p "$port" -U postgres "$db" >"$BENCH_WORK/pgbench-init.log" 2>&1 \
  || { cat "$BENCH_WORK/pgbench-init.log" >&2; die "pgbench -i failed"; }

# Each phase writes through the functions below and returns its change count.
write_insert() {
  local per=$(( (rows + txns - 1) / txns )) lo hi
  for (( lo = 0; lo < rows; lo += per )); do
    hi=$(( lo + per < rows ? lo + per : rows ))
    echo "INSERT INTO bench_rows
          SELECT i, (i % 1000003)::int, repeat(md5(i::text), 3) || left(md5((i + 1)::text), 4),
                 timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second', round((i % 1000000) / 7.0, 2)
          FROM generate_series($((lo + 1)), $hi) i;"
  done | sql_file "$port" "$db"
  echo "$rows"
}
# The update and delete phases touch the rows in `txns` transactions of
# consecutive id ranges.
write_in_ranges() {
  local statement=$1 per=$(( (rows + txns - 1) / txns )) lo
  for (( lo = 0; lo < rows; lo += per )); do
    echo "$statement WHERE id > $lo AND id <= $(( lo + per ));"
  done | sql_file "$port" "$db"
  echo "$rows"
}
write_update() { write_in_ranges "UPDATE bench_rows SET a = a + 1"; }
write_delete() { write_in_ranges "DELETE FROM bench_rows"; }
write_pgbench() {
  local per_client=$(( (pgbench_tx + pgbench_clients - 1) / pgbench_clients ))
  pgbench -n -c "$pgbench_clients" -j 2 -t "$per_client" -h 127.0.0.1 -p "$port" -U postgres "$db" \
    >"$BENCH_WORK/pgbench-run.log" 2>&1 || { cat "$BENCH_WORK/pgbench-run.log" >&2; die "pgbench failed"; }
  grep -E '^(tps|number of transactions actually processed)' "$BENCH_WORK/pgbench-run.log" >&2
  # The default script makes four changes per transaction: three updates and
  # one insert.
  echo $(( per_client * pgbench_clients * 4 ))
}

# peek_args "name=value ..." -> ", 'name', 'value'" for the SQL functions.
peek_args() {
  local kv out=""
  for kv in $1; do out+=", '${kv%%=*}', '${kv#*=}'"; done
  echo "$out"
}

# Waits until every backend the script used has exited and been reaped, so
# that nothing but the next walsender adds to the postmaster's cutime.
settle() { settle_children "$cluster" "$idle_children"; }

# Follows the walsender during a drain: the last utime+stime seen and its
# peak memory, written to FILE when it is gone (reaped, not just a zombie).
# A drain can be over before the walsender is seen; the exact CPU figure
# does not depend on this one.  The walsender is found as the postmaster's
# only walsender child rather than through pg_stat_replication: a query would
# start a backend whose CPU time would land in the drain's figure.
follow_walsender() {
  local recv_pid=$1 out=$2 ws="" state last_cpu=- hwm=- line
  while [ -z "$ws" ]; do
    ws=$(pgrep -P "$pm_pid" -f 'walsender' | head -n 1 || true)
    if [ -z "$ws" ]; then
      kill -0 "$recv_pid" 2>/dev/null || { echo "- - -" >"$out"; return; }
      sleep 0.01
    fi
  done
  while [ -r "/proc/$ws/stat" ]; do
    if read -r line <"/proc/$ws/stat" 2>/dev/null; then
      state=${line##*) }; state=${state%% *}
      if [ "$state" != Z ]; then
        local -a f
        read -r -a f <<<"${line##*) }"
        last_cpu=$(( f[11] + f[12] ))
        local k v _
        while read -r k v _; do
          [ "$k" = VmHWM: ] && { [ "$hwm" = - ] || [ "$v" -gt "$hwm" ]; } && hwm=$v
        done 2>/dev/null <"/proc/$ws/status" || true
      fi
    fi
    sleep 0.05
  done
  echo "$ws $last_cpu $hwm" >"$out"
}

# drain PHASE CONFIG DRAIN_NO ENDPOS: copies the phase's base slot to a slot
# of the configuration's plugin, drains it to ENDPOS, records one raw line.
drain() {
  local phase=$1 cfg=$2 n=$3 endpos=$4
  local name plugin opts
  IFS='|' read -r name plugin opts <<<"$cfg"
  local slot="d_${name}" file="$drain_dir/${phase}_${name}_${n}.out" follow="$drain_dir/follow"
  # decoderbufs says INFO at every start-up; INFO always reaches the client.
  sql "$port" "$db" "SELECT pg_copy_logical_replication_slot('base', '$slot', false, '$plugin')" \
    2> >(grep -v '^INFO:  Exiting startup callback' >&2) >/dev/null
  local -a oargs=()
  local kv
  for kv in $opts; do oargs+=(-o "$kv"); done
  local before after t0 t1 rc=0
  settle
  before=$(reaped_ticks "$cluster")
  t0=$(now)
  pg_recvlogical -d "$(conninfo "$port" "$db") application_name=bench_$name" --slot="$slot" --start \
    --endpos="$endpos" --no-loop -F 0 -f "$file" "${oargs[@]}" 2>"$drain_dir/recv.err" &
  local recv_pid=$!
  follow_walsender "$recv_pid" "$follow" &
  local follow_pid=$!
  wait "$recv_pid" || rc=$?
  t1=$(now)
  wait "$follow_pid" || true
  if [ "$rc" -ne 0 ]; then
    cat "$drain_dir/recv.err" >&2
    die "pg_recvlogical failed for $name in phase $phase (exit $rc)"
  fi
  settle
  after=$(reaped_ticks "$cluster")
  local ws polled hwm
  read -r ws polled hwm <"$follow"
  local bytes
  bytes=$(stat -c %s "$file")
  rm -f "$file"
  sql "$port" "$db" "SELECT pg_drop_replication_slot('$slot')" >/dev/null
  # shellcheck disable=SC2086
  set -- $before $after
  local cu cs
  cu=$(awk -v a="$1" -v b="$3" -v t="$clk_tck" 'BEGIN { printf "%.2f", (b - a) / t }')
  cs=$(awk -v a="$2" -v b="$4" -v t="$clk_tck" 'BEGIN { printf "%.2f", (b - a) / t }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$name" "$n" "$(elapsed "$t0" "$t1")" "$cu" "$cs" \
    "$(awk -v c="$polled" -v t="$clk_tck" 'BEGIN { if (c == "-") print "-"; else printf "%.2f", c / t }')" "$hwm" "$bytes" >>"$raw"
  log "  $phase $name #$n: $(elapsed "$t0" "$t1") s, walsender cpu ${cu}+${cs} s (polled ${polled} ticks), peak ${hwm} kB"
}

# measure_bytes PHASE CONFIG ENDPOS: the exact output size, through the SQL
# interface on a twin slot (one row per plugin write, no newline added).
measure_bytes() {
  local phase=$1 cfg=$2 endpos=$3 name plugin opts
  IFS='|' read -r name plugin opts <<<"$cfg"
  sql "$port" "$db" "SELECT pg_copy_logical_replication_slot('base', 'peek', false, '$plugin')" \
    2> >(grep -v '^INFO:  Exiting startup callback' >&2) >/dev/null
  local res
  res=$(sql "$port" "$db" "SELECT coalesce(sum(octet_length(data)), 0) || ' ' || count(*) || ' '
                                  || count(*) FILTER (WHERE substr(data, 1, 6) = 'table '::bytea)
                           FROM pg_logical_slot_peek_binary_changes('peek', '$endpos', NULL$(peek_args "$opts"))" \
          2> >(grep -v '^INFO:  Exiting startup callback' >&2))
  sql "$port" "$db" "SELECT pg_drop_replication_slot('peek')" >/dev/null
  local bytes payloads tdrows
  read -r bytes payloads tdrows <<<"$res"
  printf '%s\t%s\t%s\t%s\n' "$phase" "$name" "$bytes" "$payloads" >>"$bytes_tsv"
  # test_decoding writes one "table ..." row per change: the workload's count
  # must be what decoding sees, or every per-change figure is wrong.
  if [ "$name" = test_decoding ] && [ "$tdrows" -ne "$changes" ]; then
    die "phase $phase: test_decoding saw $tdrows changes, the workload made $changes"
  fi
}

for phase in "${phases[@]}"; do
  declare -F "write_$phase" >/dev/null || die "unknown phase '$phase' (valid: insert update delete pgbench)"
  log "decoder: phase $phase"
  sql "$port" "$db" "VACUUM ANALYZE" >/dev/null
  sql "$port" "$db" "CHECKPOINT" >/dev/null
  sql "$port" "$db" "SELECT pg_create_logical_replication_slot('base', 'test_decoding')" >/dev/null
  t0=$(now)
  changes=$("write_$phase")
  t1=$(now)
  log "  wrote $changes changes in $(elapsed "$t0" "$t1") s"
  printf '%s\t%s\t%s\n' "$phase" "$changes" "$(elapsed "$t0" "$t1")" >>"$phases_tsv"
  endpos=$(sql "$port" "$db" "SELECT pg_current_wal_lsn()")
  # Dirty pages are written now rather than by a checkpoint during a drain.
  sql "$port" "$db" "CHECKPOINT" >/dev/null
  for cfg in "${configs[@]}"; do measure_bytes "$phase" "$cfg" "$endpos"; done
  # Round-robin, so that drift over time hits every plugin alike.
  for (( n = 1; n <= drains; n++ )); do
    for cfg in "${configs[@]}"; do drain "$phase" "$cfg" "$n" "$endpos"; done
  done
  sql "$port" "$db" "SELECT pg_drop_replication_slot('base')" >/dev/null
done
fi

# ---- report -----------------------------------------------------------------
# med PHASE CONFIG COLUMN: median of a raw column over the drains.
med() {
  awk -F'\t' -v p="$1" -v c="$2" -v col="$3" 'NR > 1 && $1 == p && $2 == c && $col != "-" { print $col }' "$raw" | median
}
bytes_of() { awk -F'\t' -v p="$1" -v c="$2" 'NR > 1 && $1 == p && $2 == c { print $3 }' "$bytes_tsv"; }
payloads_of() { awk -F'\t' -v p="$1" -v c="$2" 'NR > 1 && $1 == p && $2 == c { print $4 }' "$bytes_tsv"; }

declare -A rate bpc cpu_us phase_changes=()
phases=()
while IFS=$'\t' read -r phase ch _; do
  phases+=("$phase"); phase_changes[$phase]=$ch
done < <(tail -n +2 "$phases_tsv")
{
  echo "# Decoder benchmark"
  echo
  machine_summary
  cat "$BENCH_OUT/decoder-workload.txt"
  for phase in "${phases[@]}"; do
    ch=${phase_changes[$phase]}
    echo
    echo "## $phase ($ch changes)"
    echo
    echo "| plugin | s | k changes/s | bytes/change | writes/1k changes | walsender CPU µs/change | of which kernel | walsender busy | walsender peak MB |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for cfg in "${configs[@]}"; do
      name=${cfg%%|*}
      s=$(med "$phase" "$name" 4)
      cu=$(med "$phase" "$name" 5)
      cs=$(med "$phase" "$name" 6)
      hwm=$(med "$phase" "$name" 8)
      rate[$phase,$name]=$(awk -v c="$ch" -v s="$s" 'BEGIN { printf "%.1f", c / s / 1000 }')
      bpc[$phase,$name]=$(awk -v b="$(bytes_of "$phase" "$name")" -v c="$ch" 'BEGIN { printf "%.1f", b / c }')
      cpu_us[$phase,$name]=$(awk -v u="$cu" -v k="$cs" -v c="$ch" 'BEGIN { printf "%.2f", (u + k) * 1e6 / c }')
      kshare=$(awk -v u="$cu" -v k="$cs" 'BEGIN { if (u + k > 0) printf "%.0f %%", 100 * k / (u + k); else print "-" }')
      busy=$(awk -v u="$cu" -v k="$cs" -v s="$s" 'BEGIN { printf "%.0f %%", 100 * (u + k) / s }')
      wpk=$(awk -v w="$(payloads_of "$phase" "$name")" -v c="$ch" 'BEGIN { printf "%.2f", w * 1000 / c }')
      echo "| $name | $s | ${rate[$phase,$name]} | ${bpc[$phase,$name]} | $wpk | ${cpu_us[$phase,$name]} | $kshare | $busy | $(awk -v h="$hwm" 'BEGIN { if (h == "nan") print "-"; else printf "%.1f", h / 1024 }') |"
    done
  done
  echo
  echo "## Ratios (tidemark / peer; changes/s above 1 and bytes/change below 1 favour tidemark)"
  echo
  echo "| phase | tidemark | peer | changes/s ratio | bytes/change ratio | CPU/change ratio |"
  echo "|---|---|---|---|---|---|"
  for phase in "${phases[@]}"; do
    for pair in tidemark_bin:pgoutput_bin tidemark_bin:wal2json_f1 tidemark_text:pgoutput_text; do
      t=${pair%%:*}; p=${pair#*:}
      [ -n "${rate[$phase,$t]:-}" ] && [ -n "${rate[$phase,$p]:-}" ] || continue
      echo "| $phase | $t | $p | $(ratio "${rate[$phase,$t]}" "${rate[$phase,$p]}") |" \
        "$(ratio "${bpc[$phase,$t]}" "${bpc[$phase,$p]}") | $(ratio "${cpu_us[$phase,$t]}" "${cpu_us[$phase,$p]}") |"
    done
  done
} | tee "$report"
log "decoder: report in $report, raw drains in $raw"
