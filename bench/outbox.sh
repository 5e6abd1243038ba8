#!/usr/bin/env bash
# bench/outbox.sh: sender throughput of the outbox dispatcher on this machine.
#
#   1. builds shg-outbox-bench (build dir `build`, configured if missing),
#   2. runs it RUNS times: it queues MESSAGES SMS in a fresh temporary SQLite
#      store, sends them with WORKERS dispatcher workers to the in-process
#      loopback fake provider, and reports messages/s (until every message is
#      accepted and durably recorded `sent`), the send latency p50/p99, CPU
#      per message and the store's commits; it checks each message reached
#      the provider exactly once,
#   3. prints the figures with the date, revision and nproc.
#
# Usage: bench/outbox.sh [extra shg-outbox-bench flags]   (from anywhere)
#   e.g. bench/outbox.sh --type kannel        bench/outbox.sh --dlrs 1
# Environment (all optional):
#   MESSAGES=20000   messages per run         WORKERS=4   dispatcher workers
#   TYPE=africastalking   channel type (africastalking, kannel, twilio, hubtel)
#   SYNCHRONOUS=FULL FULL | NORMAL | OFF      RUNS=1      runs in a row
#   BUILD=build      build directory          JOBS=2      build parallelism
#   SKIP_BUILD=1     use the binary as it is
# Exit status: 0 when every run passed its checks, else 1 (2: usage error).
set -euo pipefail

cd "$(dirname "$0")/.."

MESSAGES=${MESSAGES:-20000}
WORKERS=${WORKERS:-4}
TYPE=${TYPE:-africastalking}
SYNCHRONOUS=${SYNCHRONOUS:-FULL}
RUNS=${RUNS:-1}
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
BENCH=$BUILD/bench/shg-outbox-bench

log() { printf '[outbox.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    log "configuring $BUILD"
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  log "building shg-outbox-bench (-j$JOBS)"
  cmake --build "$BUILD" -j"$JOBS" --target shg-outbox-bench
fi
[[ -x $BENCH ]] || die "missing $BENCH"

echo "== shg-gateway outbox benchmark =="
echo "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "revision:    $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "nproc:       $(nproc)"
echo "cpu:         $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "build:       $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)"
ARGS=(--messages "$MESSAGES" --workers "$WORKERS" --type "$TYPE" --synchronous "$SYNCHRONOUS" "$@")
echo "command:     $BENCH ${ARGS[*]}"

RC=0
for ((run = 1; run <= RUNS; run++)); do
  [[ $RUNS -gt 1 ]] && echo "-- run $run of $RUNS"
  set +e
  "$BENCH" "${ARGS[@]}" 2>&1 | grep -v '^ts='  # the App's log lines (--dlrs 1)
  rc=${PIPESTATUS[0]}
  set -e
  if [[ $rc -eq 2 ]]; then exit 2; fi
  [[ $rc -eq 0 ]] || RC=1
done
exit "$RC"
