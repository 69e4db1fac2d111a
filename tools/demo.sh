#!/usr/bin/env bash
# Install dependencies, build corowasm, and run the demo: fib(30) through the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
      -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build-release --target corowasm
wat2wasm examples/fib.wat -o build-release/fib.wasm
echo "\$ corowasm run --invoke fib fib.wasm 30"
./build-release/tools/corowasm/corowasm run --invoke fib build-release/fib.wasm 30
