#!/usr/bin/env bash
# Install dependencies, then build and run every test twice:
#   1. Release, tail-call (musttail) dispatch: unit, spec and CLI tests.
#   2. Debug + AddressSanitizer + UndefinedBehaviorSanitizer, loop dispatch: the same tests.
#   Both share build-realprograms/: the real programs (tests/realprograms) are fetched and built
#   once, then run under each build's corowasm.
# Usage: tools/test-all.sh [extra ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
JOBS=${JOBS:-$(nproc)}
CC=clang-19 CXX=clang++-19
TESTSUITE=${COROWASM_TESTSUITE_DIR:-$PWD/../shared/wasm-testsuite}

configure() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_C_COMPILER=$CC -DCMAKE_CXX_COMPILER=$CXX \
        -DCOROWASM_TESTSUITE_DIR="$TESTSUITE" -DCOROWASM_REAL_PROGRAMS_DIR="$PWD/build-realprograms" "$@"
}

echo "=== Release build, tail dispatch ==="
configure build-release -DCMAKE_BUILD_TYPE=Release -DCOROWASM_DISPATCH=tail
cmake --build build-release -j "$JOBS"
ctest --test-dir build-release -j "$JOBS" --output-on-failure --timeout 600 "$@"

echo "=== ASan+UBSan build, loop dispatch ==="
configure build-asan -DCMAKE_BUILD_TYPE=Debug -DCOROWASM_DISPATCH=loop -DCOROWASM_SANITIZE=ON
cmake --build build-asan -j "$JOBS"
echo "ASan build: skipping real/jq (its 340-case suite takes ~70 s in Release, ~20 min under ASan)"
echo "            and real/python (test.py takes ~25 s in Release, over 5 min under ASan, past the"
echo "            per-command limit); every other real program runs under the sanitizers."
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -j "$JOBS" --output-on-failure --timeout 900 -E '^real/(jq|python)$' "$@"
