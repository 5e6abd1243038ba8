#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test twice:
# first built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/),
# then the release build (build/), whose ctest summary ends the output.
# SHG_SKIP_SANITIZERS=1 skips the sanitizer pass (quicker local runs).
# A throwaway PostgreSQL server (scripts/pg-cluster.sh, in a folder of its
# own, run as the postgres user) serves the tests' "pg/" runs and the schema
# equivalence test; it is stopped and removed when this script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
bash scripts/install-deps.sh

PG_DIR="$(mktemp -d /tmp/shg-test-pg.XXXXXX)"
chmod 755 "$PG_DIR"
# An absolute path: the script ends in build/ (ctest), where a relative one
# would not be found and the server would outlive its removed folder.
trap 'bash "$ROOT/scripts/pg-cluster.sh" destroy "$PG_DIR/cluster" >/dev/null 2>&1 || true; rm -rf "$PG_DIR"' EXIT
for attempt in 1 2 3 4 5; do
  PG_PORT=$(( 20000 + RANDOM % 40000 ))
  if SHG_TEST_POSTGRES_URL="$(bash scripts/pg-cluster.sh start "$PG_DIR/cluster" "$PG_PORT" 2>"$PG_DIR/start.log")"; then
    break
  fi
  SHG_TEST_POSTGRES_URL=""
  bash scripts/pg-cluster.sh destroy "$PG_DIR/cluster" >/dev/null 2>&1 || true
done
if [ -z "${SHG_TEST_POSTGRES_URL:-}" ]; then
  cat "$PG_DIR/start.log" >&2
  echo "could not start the tests' PostgreSQL server" >&2
  exit 1
fi
export SHG_TEST_POSTGRES_URL
echo "PostgreSQL for the tests on 127.0.0.1:$PG_PORT ($PG_DIR/cluster)"
if [ "${SHG_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSHG_SANITIZE=ON -DSHG_BUILD_BENCH=OFF \
    >/dev/null
  cmake --build build-asan -j2
  # Each test binary runs once, two at a time, rather than one process per
  # test as ctest does: an ASan process start costs about 0.3 s, which over
  # 1,300 tests was most of this pass. Only failures are printed in full.
  (cd build-asan/tests &&
     find . -maxdepth 1 -type f -executable -name '*_test' | sort |
     ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
       xargs -P2 -I{} sh -c '
         if timeout 900 "{}" --gtest_brief=1 > "{}.log" 2>&1; then
           echo "sanitizers: {} $(grep -o "[0-9]* tests\?" "{}.log" | tail -n 1) passed"
         else
           cat "{}.log"; echo "sanitizers: {} FAILED"; exit 255
         fi')
fi
bash scripts/build.sh
cd build
ctest --output-on-failure -j2
