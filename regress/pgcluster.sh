#!/usr/bin/env bash
# The one place that knows how tidemark's throwaway PostgreSQL clusters are
# made: the agent's multi-cluster tests (through regress/agent/harness), the
# demo, the benchmarks and the vector generator all call it.
#
#   pgcluster.sh start DIR [name=value ...]   initdb if needed, start; prints the port
#                                             (ssl=on also makes a certificate)
#   pgcluster.sh stop DIR [fast|immediate]     stop (no error if not running)
#   pgcluster.sh restart DIR                   stop fast, start on the same port
#   pgcluster.sh kill DIR                      SIGKILL the postmaster (crash test)
#   pgcluster.sh user                          the user clusters run as
#   pgcluster.sh port                          a free loopback port
#   pgcluster.sh destroy DIR                   stop immediately and remove DIR
#
# Clusters listen on 127.0.0.1 only, on a free port, with a socket in DIR,
# wal_level = logical and tidemark allowed as an output plugin.  initdb
# refuses to run as root, so as root the clusters run as an unprivileged
# user that is created if missing.
set -euo pipefail

bindir=${PG_BINDIR:-$( (pg_config --bindir 2>/dev/null) || echo /usr/lib/postgresql/15/bin)}
[ -x "$bindir/postgres" ] || bindir=/usr/lib/postgresql/15/bin
test_user=${TIDEMARK_TEST_USER:-tidemark_test}

die() { echo "pgcluster: $*" >&2; exit 1; }

cluster_user() {
  if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
  if ! id -u "$test_user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$test_user" \
      2>/dev/null || id -u "$test_user" >/dev/null 2>&1 || die "cannot create user $test_user"
  fi
  echo "$test_user"
}

as_user() {
  local user; user=$(cluster_user)
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( (RANDOM * 32768 + RANDOM) % 30000 + 20000 ))
    if port_free "$p"; then echo "$p"; return; fi
  done
  die "no free loopback port found"
}

write_config() {
  local dir=$1; shift
  cat >"$dir/data/postgresql.auto.conf" <<CONF
# written by regress/pgcluster.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
wal_level = logical
max_wal_senders = 20
# Also the number of replication origin states: each pipeline that ever
# wrote to a cluster keeps 1 + copy_jobs of them, and a test program's
# pipelines all write to the same target cluster.
max_replication_slots = 64
max_worker_processes = 16
max_logical_replication_workers = 8
track_commit_timestamp = on
output_plugin_libraries = 'pgoutput, test_decoding, tidemark'
wal_sender_timeout = 60s
fsync = off
synchronous_commit = on
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%a '
CONF
  local kv
  for kv in "$@"; do
    printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$dir/data/postgresql.auto.conf"
  done
}

# ssl=on: a self-signed certificate for 127.0.0.1, made by the cluster's
# user in the data directory, so that the server accepts its key's owner
# and mode.  A client verifies it with sslmode=verify-full and
# sslrootcert=DIR/data/server.crt (it is its own root).
make_certificate() {
  local dir=$1
  [ -f "$dir/data/server.key" ] && return 0
  command -v openssl >/dev/null || die "ssl=on needs openssl"
  as_user openssl req -new -x509 -days 30 -nodes -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >"$dir/openssl.log" 2>&1 \
    || { cat "$dir/openssl.log" >&2; die "could not make a certificate in $dir"; }
  chmod 600 "$dir/data/server.key"
}

start() {
  local dir=${1:?usage: pgcluster.sh start DIR [name=value ...]}; shift
  local user; user=$(cluster_user)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" -eq 0 ] && chown "$user" "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_user "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed in $dir"; }
    cat >"$dir/data/pg_hba.conf" <<HBA
local all all trust
local replication all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
HBA
    write_config "$dir" "$@"
  elif [ $# -gt 0 ]; then
    write_config "$dir" "$@"
  fi
  case " $* " in *" ssl=on "*) make_certificate "$dir" ;; esac
  local port tries
  for tries in 1 2 3 4 5; do
    if [ -f "$dir/port" ] && [ "$tries" -eq 1 ]; then port=$(cat "$dir/port"); else port=$(pick_port); fi
    if as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start \
      >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      [ "$(id -u)" -eq 0 ] && chown "$user" "$dir/port"
      echo "$port"
      return 0
    fi
    # Someone took the port between the check and the start: try another.
    grep -q 'could not bind\|Address already in use' "$dir/server.log" 2>/dev/null || break
  done
  tail -n 20 "$dir/server.log" >&2 || true
  die "could not start the cluster in $dir"
}

stop() {
  local dir=${1:?usage: pgcluster.sh stop DIR [fast|immediate]} mode=${2:-fast}
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_user "$bindir/pg_ctl" -D "$dir/data" -m "$mode" -w -t 120 stop >/dev/null 2>&1 && return 0
  [ -f "$dir/data/postmaster.pid" ] || return 0
  # Starting again now would only fail on the old postmaster's lock file and
  # hide why: something held the shutdown.
  tail -n 20 "$dir/server.log" >&2 || true
  die "could not stop the cluster in $dir within 120 s ($mode shutdown)"
}

restart() {
  local dir=${1:?usage: pgcluster.sh restart DIR}
  stop "$dir" fast
  start "$dir"
}

kill_cluster() {
  local dir=${1:?usage: pgcluster.sh kill DIR}
  [ -f "$dir/data/postmaster.pid" ] || return 0
  local pid children
  pid=$(head -n 1 "$dir/data/postmaster.pid")
  # Like a power cut: the postmaster and every backend die at once, so the
  # next start runs crash recovery.  Children are killed too, because a new
  # postmaster refuses to start while old ones still hold shared memory.
  children=$(pgrep -P "$pid" 2>/dev/null || true)
  kill -KILL "$pid" $children 2>/dev/null || true
  for _ in $(seq 1 200); do
    local alive=0 p
    for p in $pid $children; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && return 0
    sleep 0.05
  done
  die "postmaster $pid or its children survived SIGKILL"
}

destroy() {
  local dir=${1:?usage: pgcluster.sh destroy DIR}
  (stop "$dir" immediate) || kill_cluster "$dir"
  rm -rf --one-file-system "$dir"
}

cmd=${1:-}
shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  restart) restart "$@" ;;
  kill) kill_cluster "$@" ;;
  destroy) destroy "$@" ;;
  user) cluster_user ;;
  port) pick_port ;;
  *) die "unknown command '${cmd}' (valid: start, stop, restart, kill, destroy, user, port)" ;;
esac
