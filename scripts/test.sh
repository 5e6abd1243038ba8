#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test twice:
# first built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/),
# then the release build (build/), whose ctest summary ends the output.
# SHG_SKIP_SANITIZERS=1 skips the sanitizer pass (quicker local runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ "${SHG_SKIP_SANITIZERS:-0}" != "1" ]; then
  if [ ! -f build-asan/CMakeCache.txt ]; then
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSHG_SANITIZE=ON >/dev/null
  fi
  cmake --build build-asan -j2
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     ctest --output-on-failure -j2)
fi
bash scripts/build.sh
cd build
ctest --output-on-failure -j2
