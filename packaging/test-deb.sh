#!/usr/bin/env bash
# Tests the Debian packages without installing anything on this machine:
#   1. builds them with packaging/build-deb.sh into build/deb/
#   2. metadata (dpkg-deb -I): names, version, dependencies, conffiles
#   3. contents, unpacked with dpkg -x into a clean folder: every expected
#      file with its mode and owner
#   4. the maintainer scripts, run against a scratch root with stand-ins for
#      dpkg-statoverride and systemctl: the user, the group, the overrides
#   5. the unit: systemd-analyze verify, and a ceiling on its exposure score
#      so a dropped hardening line fails
#   6. the packaged agent: its version is the package's, the example config
#      passes its validator
#   7. the packaged plugin and agent together: a throwaway source cluster
#      loads the plugin from the unpacked package only, and the unpacked
#      agent copies, then streams, a table to a throwaway target cluster
#
#   packaging/test-deb.sh [--no-build] [--no-clusters] [--debs DIR]
#     --no-build     test the packages already built
#     --no-clusters  skip step 7 (no PostgreSQL servers started)
#     --debs DIR     where the packages are built and read (build/deb/)
# The build skips the agent's unit tests (DEB_BUILD_OPTIONS=nocheck, they
# run under `make check`) unless DEB_BUILD_OPTIONS is set.  Every check
# runs; the script lists what failed and exits 1 if anything did.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
debs=$root/build/deb
build=true
clusters=true
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=false ;;
    --no-clusters) clusters=false ;;
    --debs)
      [ $# -ge 2 ] || { echo "test-deb: --debs needs a directory" >&2; exit 2; }
      debs=$(mkdir -p "$2" && cd "$2" && pwd); shift ;;
    *) echo "test-deb: unknown argument '$1' (valid: --no-build, --no-clusters, --debs DIR)" >&2; exit 2 ;;
  esac
  shift
done

pg_major=15
pgbin=/usr/lib/postgresql/$pg_major/bin
pgcluster=$root/regress/pgcluster.sh
failures=()

fail() { failures+=("$1"); echo "FAIL  $1" >&2; }
pass() { echo "ok    $1"; }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
die() { echo "test-deb: $*" >&2; exit 1; }

work=$(mktemp -d /tmp/tidemark-test-deb.XXXXXX)
cluster_dirs=()
cleanup() {
  local dir
  for dir in "${cluster_dirs[@]}"; do "$pgcluster" destroy "$dir" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. build ---------------------------------------------------------------
if $build; then
  export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck}
  "$root/packaging/build-deb.sh" --out "$debs" >/dev/null || die "the package build failed (see above)"
fi

version=$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
plugin_deb=$debs/postgresql-${pg_major}-tidemark_${version}_${arch}.deb
agent_deb=$debs/tidemark_${version}_${arch}.deb
for deb in "$plugin_deb" "$agent_deb"; do
  [ -f "$deb" ] || die "$deb is missing; run packaging/build-deb.sh (or drop --no-build)"
done

# --- 2. metadata ------------------------------------------------------------
field() { dpkg-deb -f "$1" "$2"; }
# depends_on DEB PACKAGE: PACKAGE appears in Depends (as a whole name, with or
# without a version constraint or alternatives).
depends_on() { field "$1" Depends | tr ',|' '\n\n' | sed 's/(.*//; s/ //g' | grep -qx "$2"; }

check "plugin package is named postgresql-$pg_major-tidemark" \
  test "$(field "$plugin_deb" Package)" = "postgresql-$pg_major-tidemark"
check "agent package is named tidemark" test "$(field "$agent_deb" Package)" = tidemark
for deb in "$plugin_deb" "$agent_deb"; do
  check "$(basename "$deb") has version $version" test "$(field "$deb" Version)" = "$version"
done
check "plugin package depends on postgresql-$pg_major" depends_on "$plugin_deb" "postgresql-$pg_major"
for lib in libpq5 libstdc++6 libc6; do
  check "agent package depends on $lib (shlibs)" depends_on "$agent_deb" "$lib"
done
check "agent package depends on systemd-sysusers (or systemd) for its user" depends_on "$agent_deb" systemd
check "agent package marks /etc/tidemark/example.toml as a conffile" \
  bash -c "dpkg-deb --ctrl-tarfile '$agent_deb' | tar -xO ./conffiles | grep -qx /etc/tidemark/example.toml"

# --- 3. contents ------------------------------------------------------------
plugin_root=$work/plugin-root
agent_root=$work/agent-root
dpkg -x "$plugin_deb" "$plugin_root"
dpkg -x "$agent_deb" "$agent_root"
# The clusters of step 7 run as an unprivileged user that must read these.
chmod 755 "$work" "$plugin_root" "$agent_root"

# has_file ROOT PATH TYPE MODE OWNER:GROUP, with the archive's own owners
# (dpkg -x does not keep them).
has_file() {
  local deb=$1 path=$2 type=$3 mode=$4 owner=$5 line
  line=$(dpkg-deb -c "$deb" | awk -v p="./${path#/}" '$6 == p || $6 == p "/" { print; exit }')
  [ -n "$line" ] || { echo "  $path is not in $(basename "$deb")" >&2; return 1; }
  local perms=${line%% *} own
  own=$(echo "$line" | awk '{ print $2 }')
  local want_perms
  want_perms=$type$(perl -e 'my $m = oct(shift); my $s = ""; for my $i (reverse 0..8) { $s .= ($m >> $i) & 1 ? substr("rwxrwxrwx", 8 - $i, 1) : "-" } print $s' "$mode")
  [ "$perms" = "$want_perms" ] || { echo "  $path has mode $perms, expected $want_perms" >&2; return 1; }
  [ "$own" = "$owner" ] || { echo "  $path is owned by $own, expected $owner" >&2; return 1; }
}

pglib=usr/lib/postgresql/$pg_major/lib
pgext=usr/share/postgresql/$pg_major/extension
check "plugin: /$pglib/tidemark.so 0644 root" has_file "$plugin_deb" "$pglib/tidemark.so" - 0644 root/root
check "plugin: /$pgext/tidemark.control 0644 root" has_file "$plugin_deb" "$pgext/tidemark.control" - 0644 root/root
for script in "$root"/sql/tidemark--*.sql; do
  name=$(basename "$script")
  check "plugin: /$pgext/$name 0644 root" has_file "$plugin_deb" "$pgext/$name" - 0644 root/root
  check "plugin: $name is the tree's" cmp -s "$script" "$plugin_root/$pgext/$name"
done
default_version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$root/sql/tidemark.control")
check "plugin: the control file's default_version $default_version has its script" \
  test -f "$plugin_root/$pgext/tidemark--$default_version.sql"
check "plugin: tidemark.so is the output plugin and a loadable module" \
  bash -c "nm -D --defined-only '$plugin_root/$pglib/tidemark.so' | awk '{ print \$3 }' |
           grep -qx _PG_output_plugin_init &&
           nm -D --defined-only '$plugin_root/$pglib/tidemark.so' | awk '{ print \$3 }' | grep -qx Pg_magic_func"

check "agent: /usr/bin/tidemark 0755 root" has_file "$agent_deb" usr/bin/tidemark - 0755 root/root
check "agent: /lib/systemd/system/tidemark@.service 0644 root" \
  has_file "$agent_deb" "lib/systemd/system/tidemark@.service" - 0644 root/root
check "agent: /usr/lib/sysusers.d/tidemark.conf 0644 root" \
  has_file "$agent_deb" usr/lib/sysusers.d/tidemark.conf - 0644 root/root
check "agent: /etc/tidemark is 0750 (configs may hold secrets)" has_file "$agent_deb" etc/tidemark d 0750 root/root
check "agent: /etc/tidemark/example.toml is 0640" has_file "$agent_deb" etc/tidemark/example.toml - 0640 root/root
check "agent: example.toml is packaging/tidemark.example.toml" \
  cmp -s "$root/packaging/tidemark.example.toml" "$agent_root/etc/tidemark/example.toml"
check "agent: the unit is packaging/tidemark@.service" \
  cmp -s "$root/packaging/tidemark@.service" "$agent_root/lib/systemd/system/tidemark@.service"
for doc in install.md configuration.md; do
  check "agent: /usr/share/doc/tidemark/$doc (uncompressed: the unit and example point at it)" \
    test -f "$agent_root/usr/share/doc/tidemark/$doc"
done

# --- 4. maintainer scripts --------------------------------------------------
ctrl=$work/agent-control
dpkg-deb -e "$agent_deb" "$ctrl"
for script in postinst postrm; do
  check "agent: $script is valid sh" sh -n "$ctrl/$script"
done

# Stand-ins record what the scripts ask of dpkg-statoverride and systemctl;
# systemd-sysusers is the real one, confined to a scratch root by DPKG_ROOT
# (which debhelper's snippet passes as --root).
shims=$work/shims
scratch=$work/scratch-root
mkdir -p "$shims" "$scratch/etc" "$scratch/usr/lib/sysusers.d"
cp "$agent_root/usr/lib/sysusers.d/tidemark.conf" "$scratch/usr/lib/sysusers.d/"
calls=$work/calls
cat >"$shims/dpkg-statoverride" <<EOF
#!/bin/sh
echo "dpkg-statoverride \$*" >>"$calls"
[ "\$1" = --list ] && exit \${STATOVERRIDE_LIST_STATUS:-1}
exit 0
EOF
cat >"$shims/systemctl" <<EOF
#!/bin/sh
echo "systemctl \$*" >>"$calls"
EOF
chmod +x "$shims/dpkg-statoverride" "$shims/systemctl"
run_script() { env PATH="$shims:$PATH" DPKG_ROOT="$scratch" "$@"; }

: >"$calls"
if run_script "$ctrl/postinst" configure >"$work/postinst.out" 2>&1; then
  pass "agent: postinst configure (fresh install) succeeds"
  check "agent: postinst creates the system user tidemark with no login shell" \
    grep -q '^tidemark:x:[0-9]*:[0-9]*:[^:]*:[^:]*:/usr/sbin/nologin$' "$scratch/etc/passwd"
  check "agent: postinst creates the group tidemark" grep -q '^tidemark:x:' "$scratch/etc/group"
  check "agent: postinst gives /etc/tidemark to root:tidemark 0750" \
    grep -qx 'dpkg-statoverride --update --add root tidemark 0750 /etc/tidemark' "$calls"
  check "agent: postinst gives example.toml to root:tidemark 0640" \
    grep -qx 'dpkg-statoverride --update --add root tidemark 0640 /etc/tidemark/example.toml' "$calls"
else
  fail "agent: postinst configure (fresh install) succeeds: $(cat "$work/postinst.out")"
fi

: >"$calls"
if STATOVERRIDE_LIST_STATUS=0 run_script "$ctrl/postinst" configure 0.0.1 >"$work/postinst.out" 2>&1; then
  pass "agent: postinst configure (upgrade) succeeds"
  check "agent: an upgrade keeps existing overrides" bash -c "! grep -q -- '--add' '$calls'"
else
  fail "agent: postinst configure (upgrade) succeeds: $(cat "$work/postinst.out")"
fi

: >"$calls"
if STATOVERRIDE_LIST_STATUS=0 run_script "$ctrl/postrm" purge >"$work/postrm.out" 2>&1; then
  pass "agent: postrm purge succeeds"
  for path in /etc/tidemark /etc/tidemark/example.toml; do
    check "agent: postrm purge drops the override of $path" \
      grep -qx "dpkg-statoverride --remove $path" "$calls"
  done
else
  fail "agent: postrm purge succeeds: $(cat "$work/postrm.out")"
fi

# --- 5. the unit ------------------------------------------------------------
unit=$agent_root/lib/systemd/system/tidemark@.service
check "unit: ExecStart runs tidemark sync -c /etc/tidemark/%i.toml" \
  grep -qx 'ExecStart=/usr/bin/tidemark sync -c /etc/tidemark/%i.toml' "$unit"
check "unit: journald gets the output (no StandardOutput/StandardError redirection)" \
  bash -c "! grep -Eq '^Standard(Output|Error)=' '$unit'"
for setting in 'User=tidemark' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
  'PrivateDevices=yes' 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'CapabilityBoundingSet=' \
  'SystemCallFilter=@system-service' 'MemoryMax=512M' 'Restart=on-failure' 'RestartPreventExitStatus=2'; do
  check "unit: $setting" grep -qx "$setting" "$unit"
done
check "unit: RestartSec is set" grep -q '^RestartSec=' "$unit"
if command -v systemd-analyze >/dev/null; then
  # An instance, with ExecStart pointing at the unpacked agent because verify
  # checks that the program exists.  verify reports some mistakes (an
  # unknown address family, a misspelt setting) only as warnings, so any
  # output at all fails.
  verify_dir=$work/verify
  mkdir -p "$verify_dir"
  sed "s#^ExecStart=/usr/bin/tidemark #ExecStart=$agent_root/usr/bin/tidemark #" "$unit" >"$verify_dir/tidemark@app.service"
  if out=$(systemd-analyze verify "$verify_dir/tidemark@app.service" 2>&1) && [ -z "$out" ]; then
    pass "unit: systemd-analyze verify is silent"
  else
    fail "unit: systemd-analyze verify: ${out:-exit status non-zero}"
  fi
  # Exposure 0.0 (locked down) .. 10.0 (unprotected).  The unit scores 1.2
  # on systemd 252, the network access a sync agent needs being most of it;
  # the ceiling of 1.3 fails when ProtectSystem, PrivateDevices, the system
  # call filter, the capability set or the namespace restriction goes.
  if systemd-analyze security --offline=true --threshold=13 "$verify_dir/tidemark@app.service" >"$work/security.out" 2>&1; then
    pass "unit: $(grep -o 'Overall exposure level.*' "$work/security.out" | sed 's/ for [^:]*//') (ceiling 1.3)"
  else
    fail "unit: exposure above 1.3: $(grep -o 'Overall exposure level.*' "$work/security.out" || tail -n 3 "$work/security.out")"
  fi
else
  echo "skip  unit: systemd-analyze not installed (package systemd)"
fi

# --- 6. the packaged agent --------------------------------------------------
agent=$agent_root/usr/bin/tidemark
upstream_version=${version%-*}
check "agent: tidemark --version says $upstream_version" \
  bash -c "'$agent' --version | grep -q '^tidemark $upstream_version '"
# check-config validates the file before it tries the (unreachable) example
# hosts: the first line is the verdict on the file, and a config error would
# exit with status 2.
set +e
PGCONNECT_TIMEOUT=5 timeout 60 "$agent" check-config -c "$agent_root/etc/tidemark/example.toml" >"$work/check.out" 2>&1
status=$?
set -e
if [ $status -ne 2 ] && head -n 1 "$work/check.out" | grep -q '^ok *config:'; then
  pass "agent: the example config passes check-config's validation"
else
  fail "agent: the example config is refused (status $status): $(cat "$work/check.out")"
fi

# --- 7. plugin and agent together -------------------------------------------
if $clusters; then
  psql_at() { "$pgbin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U postgres -d postgres -c "$3"; }
  src=$work/source tgt=$work/target
  cluster_dirs=("$src" "$tgt")
  # Only the unpacked package's library directory: a tidemark.so installed on
  # this machine cannot stand in for the packaged one.
  src_port=$("$pgcluster" start "$src" "dynamic_library_path='$plugin_root/$pglib'") ||
    die "cannot start the source cluster"
  tgt_port=$("$pgcluster" start "$tgt") || die "cannot start the target cluster"

  psql_at "$src" "$src_port" "CREATE TABLE public.items (id bigint PRIMARY KEY, label text NOT NULL);
    INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 1000) g;" >/dev/null
  # Separate statements: a slot cannot be created in a transaction that
  # wrote, and the insert must be committed before it can be decoded.
  if psql_at "$src" "$src_port" "SELECT pg_create_logical_replication_slot('test_deb_probe', 'tidemark')" \
       >"$work/probe.out" 2>&1 &&
     psql_at "$src" "$src_port" "INSERT INTO public.items VALUES (0, 'probe')" >>"$work/probe.out" 2>&1 &&
     decoded=$(psql_at "$src" "$src_port" \
       "SELECT bool_or(position(convert_to('probe', 'UTF8') IN data) > 0)
          FROM pg_logical_slot_get_binary_changes('test_deb_probe', NULL, NULL)" 2>>"$work/probe.out") &&
     psql_at "$src" "$src_port" "SELECT pg_drop_replication_slot('test_deb_probe')" >>"$work/probe.out" 2>&1 &&
     [ "$decoded" = t ]; then
    pass "plugin: the server decodes an insert with the packaged tidemark.so"
  else
    fail "plugin: decoding with the packaged tidemark.so: ${decoded:+the inserted row is not in the output; }$(cat "$work/probe.out")"
  fi

  cat >"$work/pipeline.toml" <<EOF
[source]
conninfo = "host=$src port=$src_port dbname=postgres user=postgres"
slot = "test_deb"
include = ["public.items"]

[target]
conninfo = "host=$tgt port=$tgt_port dbname=postgres user=postgres"

[sync]
startup_mode = "initial"
EOF
  digest="SELECT count(*) || ' ' || md5(string_agg(id || ':' || label, ',' ORDER BY id)) FROM public.items"
  same_rows() {
    local a b
    a=$(psql_at "$src" "$src_port" "$digest" 2>&1) || true
    b=$(psql_at "$tgt" "$tgt_port" "$digest" 2>&1) || true
    [ -n "$a" ] && [ "$a" = "$b" ] || { echo "  source: $a; target: $b" >&2; return 1; }
  }
  if timeout 300 "$agent" sync -c "$work/pipeline.toml" --once >"$work/sync1.out" 2>&1; then
    check "agent + plugin: the initial copy matches the source" same_rows
  else
    fail "agent + plugin: initial sync --once failed: $(tail -n 20 "$work/sync1.out")"
  fi
  psql_at "$src" "$src_port" "INSERT INTO public.items SELECT g, 'later ' || g FROM generate_series(1001, 1500) g;
    UPDATE public.items SET label = label || ' (changed)' WHERE id % 7 = 0;
    DELETE FROM public.items WHERE id % 11 = 0;" >/dev/null
  if timeout 300 "$agent" sync -c "$work/pipeline.toml" --once >"$work/sync2.out" 2>&1; then
    check "agent + plugin: streamed inserts, updates and deletes match the source" same_rows
  else
    fail "agent + plugin: streaming sync --once failed: $(tail -n 20 "$work/sync2.out")"
  fi
else
  echo "skip  plugin and agent against throwaway clusters (--no-clusters)"
fi

if command -v lintian >/dev/null; then
  if lintian --fail-on error "$plugin_deb" "$agent_deb" >"$work/lintian.out" 2>&1; then
    pass "lintian finds no errors"
  else
    fail "lintian: $(grep '^E:' "$work/lintian.out" || tail -n 5 "$work/lintian.out")"
  fi
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "test-deb: ${#failures[@]} check(s) failed:" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "test-deb: all checks passed ($(basename "$plugin_deb"), $(basename "$agent_deb"))"
