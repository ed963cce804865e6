# bench/lib.sh: what the benchmark scripts share (sourced, not run): scale
# handling, clusters, SQL helpers, clocks, medians, result tables.
# Must not: decide what is measured or print verdicts on speed; a benchmark
# measures and prints, and fails only when a tool fails or a result is wrong.

set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$bench_dir/.." && pwd)
pgcluster="$repo_dir/regress/pgcluster.sh"
pg_bindir=${PG_BINDIR:-$( (pg_config --bindir 2>/dev/null) || echo /usr/lib/postgresql/15/bin)}
[ -x "$pg_bindir/psql" ] || pg_bindir=/usr/lib/postgresql/15/bin
export PATH="$pg_bindir:$PATH"

# BENCH_SCALE multiplies every workload size (0.1 is a quick smoke run).
BENCH_SCALE=${BENCH_SCALE:-1}
# Where clusters, drained files and results go.
BENCH_WORK=${BENCH_WORK:-/tmp/tidemark-bench}
BENCH_OUT=${BENCH_OUT:-$repo_dir/build/bench}

# The settings the peers' anchor figures were measured with.
bench_cluster_settings=(fsync=on synchronous_commit=on shared_buffers=1GB max_wal_size=8GB
  checkpoint_timeout=30min "output_plugin_libraries='pgoutput, test_decoding, tidemark, wal2json, decoderbufs'")

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# scaled N: N times BENCH_SCALE, rounded, at least 1.
scaled() {
  awk -v n="$1" -v s="$BENCH_SCALE" 'BEGIN { v = int(n * s + 0.5); if (v < 1) v = 1; print v }'
}

# Clusters started by this script, destroyed on exit whatever happens.
bench_clusters=()
bench_cleanup() {
  local d
  # A fast stop first: an immediate one leaves dynamic shared memory behind.
  for d in "${bench_clusters[@]}"; do
    "$pgcluster" stop "$d" fast >/dev/null 2>&1 || true
    "$pgcluster" destroy "$d" >/dev/null 2>&1 || true
  done
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# start_cluster VAR DIR [name=value ...]: a fresh cluster in DIR, its port in
# VAR.  Not in a command substitution: the cluster must be remembered by this
# shell to be destroyed on exit.
start_cluster() {
  local var=$1 dir=$2; shift 2
  "$pgcluster" destroy "$dir" >/dev/null 2>&1 || true
  bench_clusters+=("$dir")
  local started_on
  started_on=$("$pgcluster" start "$dir" "${bench_cluster_settings[@]}" "$@")
  printf -v "$var" '%s' "$started_on"
}

# sql PORT DB QUERY: one autocommit statement (never an open snapshot), tuples only.
sql() {
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3"
}

# sql_file PORT DB: statements on standard input, each in its own transaction.
sql_file() {
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At -h 127.0.0.1 -p "$1" -U postgres -d "$2" -f -
}

conninfo() { echo "host=127.0.0.1 port=$1 dbname=$2 user=postgres"; }

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# wait_until DEADLINE_SECONDS INTERVAL COMMAND...: polls COMMAND until it succeeds.
wait_until() {
  local limit=$1 interval=$2; shift 2
  local start=$SECONDS
  until "$@"; do
    (( SECONDS - start < limit )) || return 1
    sleep "$interval"
  done
}

# median of the numbers on standard input, one per line.
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B to two decimals ("-" when B is zero or missing).
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0 || a == "" || a == "-") print "-"; else printf "%.2f", a / b }'
}

# The heap size (MB) of the tables in DB, without indexes and TOAST.
heap_mb() {
  sql "$1" "$2" "SELECT round(sum(pg_relation_size(c.oid)) / 1048576.0, 1)
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'r' AND n.nspname = 'public'"
}

# peak_rss_mb FILE: the "Maximum resident set size" of a /usr/bin/time -v report.
peak_rss_mb() {
  awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1"
}

# CPU accounting of a cluster's server processes.  A backend's CPU time is
# added to its postmaster's cutime/cstime when it has exited and been reaped,
# so the growth of those between two quiet moments is the exact CPU of every
# server process that ended in between.
postmaster_pid() { head -n 1 "$1/data/postmaster.pid"; }
child_count() { pgrep -P "$(postmaster_pid "$1")" | wc -l; }
# reaped_ticks DIR: "user system" clock ticks of the postmaster's reaped children.
reaped_ticks() {
  local line
  read -r line <"/proc/$(postmaster_pid "$1")/stat"
  local -a f
  read -r -a f <<<"${line##*) }"
  echo "${f[13]} ${f[14]}"
}
# reaped_cpu DIR: the same, in seconds of user plus system time.
reaped_cpu() {
  local u s
  read -r u s <<<"$(reaped_ticks "$1")"
  awk -v u="$u" -v s="$s" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (u + s) / t }'
}
# settle_children DIR MAX: waits until DIR's postmaster has at most MAX children.
settle_children() {
  local dir=$1 max=$2
  few_children() { [ "$(child_count "$dir")" -le "$max" ]; }
  wait_until 120 0.05 few_children || die "the processes of $dir did not exit: $(ps -o pid=,args= --ppid "$(postmaster_pid "$dir")" | tr '\n' ';')"
}

machine_summary() {
  local mem pgv
  mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  pgv=$("$pg_bindir/postgres" --version | awk '{ print $3 }')
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $mem," \
    "PostgreSQL $pgv, BENCH_SCALE=$BENCH_SCALE; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}
