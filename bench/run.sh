#!/usr/bin/env bash
# bench/run.sh AGENT: every benchmark, one after another, into one report
# ($BENCH_OUT/report.md, default build/bench).  `make bench` calls it.
# Must not: pass or fail on speed; it exits non-zero only when a benchmark
# could not run to the end (a tool failed, a target came out wrong).
#
#   bench/run.sh build/agent/tidemark
#   BENCH_SCALE=0.1 bench/run.sh build/agent/tidemark     quick smoke run
#   BENCH_ONLY="decoder copy" bench/run.sh ...            a subset
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

agent=${1:?usage: bench/run.sh PATH-TO-TIDEMARK-AGENT}
only=(${BENCH_ONLY:-decoder apply copy})
mkdir -p "$BENCH_OUT"
export BENCH_SCALE BENCH_WORK BENCH_OUT

failed=()
start=$SECONDS
for b in "${only[@]}"; do
  case "$b" in
    decoder) args=() ;;
    apply|copy) args=("$agent") ;;
    *) die "unknown benchmark '$b' (valid: decoder apply copy)" ;;
  esac
  log "run: $b"
  rm -f "$BENCH_OUT/$b.md"
  if ! "$bench_dir/$b.sh" "${args[@]}"; then
    failed+=("$b")
    log "run: $b FAILED"
  fi
done

{
  echo "# tidemark benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(( (SECONDS - start) / 60 )) min"
  for b in "${only[@]}"; do
    echo
    if [ -f "$BENCH_OUT/$b.md" ]; then sed 's/^#/##/' "$BENCH_OUT/$b.md"; else echo "## $b: did not complete"; fi
  done
} >"$BENCH_OUT/report.md"
log "run: all reports in $BENCH_OUT/report.md"
if [ ${#failed[@]} -gt 0 ]; then
  die "benchmarks that failed: ${failed[*]}"
fi
