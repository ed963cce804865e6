#!/usr/bin/env bash
# Runs the decoder's pg_regress and pg_isolation_regress suites on a
# temporary instance, against the installed extension.  pg_regress's initdb
# refuses root, and the checkout may sit where an unprivileged user cannot
# read it, so the suite is copied to a temporary folder owned by the user
# regress/pgcluster.sh runs clusters as.
#   regress/run-pg-regress.sh [regress|isolation|all]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
what=${1:-all}
pg_config=$( (command -v pg_config) || echo /usr/lib/postgresql/15/bin/pg_config)
bindir=$($pg_config --bindir)
pgxs=$(dirname "$($pg_config --pgxs)")/../..
user=$("$here/pgcluster.sh" user)

work=$(mktemp -d "${TMPDIR:-/tmp}/tidemark-regress.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
cp -r "$here/decoder" "$work/suite"
# vectors.sql reads the shared vectors from beside the suite.
cp -r "$here/vectors" "$work/vectors"
mkdir -p "$work/out"
[ "$(id -u)" -eq 0 ] && chown -R "$user" "$work"
run() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }

status=0
if [ "$what" = regress ] || [ "$what" = all ]; then
  tests=$(cd "$work/suite/sql" && ls *.sql | sed 's/\.sql$//' | sort)
  run "$pgxs/src/test/regress/pg_regress" --bindir="$bindir" --inputdir="$work/suite" \
    --outputdir="$work/out/regress" --temp-instance="$work/out/regress/tmp_check" \
    --temp-config="$work/suite/regress.conf" --port="$("$here/pgcluster.sh" port)" $tests || status=$?
fi
if { [ "$what" = isolation ] || [ "$what" = all ]; } && ls "$work/suite/specs/"*.spec >/dev/null 2>&1; then
  specs=$(cd "$work/suite/specs" && ls *.spec | sed 's/\.spec$//' | sort)
  run "$pgxs/src/test/isolation/pg_isolation_regress" --bindir="$bindir" --inputdir="$work/suite" \
    --outputdir="$work/out/isolation" --temp-instance="$work/out/isolation/tmp_check" \
    --temp-config="$work/suite/regress.conf" --port="$("$here/pgcluster.sh" port)" $specs || status=$?
fi
if [ $status -ne 0 ]; then
  for d in "$work"/out/*/regression.diffs; do [ -f "$d" ] && cat "$d"; done
  mkdir -p build/regress-failures && cp -r "$work/out/." build/regress-failures/ 2>/dev/null || true
  echo "pg_regress failed; outputs kept in build/regress-failures" >&2
fi
exit $status
