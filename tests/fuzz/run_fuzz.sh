#!/bin/sh
# Builds the libFuzzer target in build-fuzz (ASan + UBSan + libFuzzer) and fuzzes for SECONDS.
#
#   tests/fuzz/run_fuzz.sh [SECONDS]        default 60
#
# Environment: BUILD_DIR (default <repo>/build-fuzz), JOBS (ninja -j, default 1),
# COROWASM_TESTSUITE_DIR (default <repo>/../shared/wasm-testsuite).
#
# Seed corpus: every .wasm that wast2json makes of the non-SIMD core spec tests (the build's
# corowasm_unit_spec_modules target, into BUILD_DIR/unit-spec-modules) plus the unit tests'
# modules, copied into BUILD_DIR/fuzz-seeds. New inputs go to BUILD_DIR/fuzz-corpus; crashing
# inputs to tests/fuzz/crashes/ (crash-<sha1>, leak-..., timeout-..., oom-...).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
secs=${1:-60}
jobs=${JOBS:-1}
testsuite=${COROWASM_TESTSUITE_DIR:-$root/../shared/wasm-testsuite}

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCOROWASM_SANITIZE=ON -DCOROWASM_FUZZ=ON \
  -DCOROWASM_TESTSUITE_DIR="$testsuite"
ninja -C "$build" -j"$jobs" fuzz_compile corowasm_unit_spec_modules corowasm_unit_wasm

seeds=$build/fuzz-seeds
corpus=$build/fuzz-corpus
crashes=$here/crashes
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$crashes"
# Names are unique: wast2json writes <wast name>.<n>.wasm; the unit modules have plain names.
find "$build/unit-spec-modules" "$build/tests/unit/wasm" -name '*.wasm' -exec cp {} "$seeds/" \;
echo "run_fuzz.sh: $(ls "$seeds" | wc -l) seed modules, fuzzing for $secs s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$build/tests/fuzz/fuzz_compile" \
  -max_total_time="$secs" -rss_limit_mb=4096 -timeout=10 \
  -artifact_prefix="$crashes/" -print_final_stats=1 \
  "$corpus" "$seeds"
