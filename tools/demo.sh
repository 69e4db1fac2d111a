#!/usr/bin/env bash
# Install dependencies, build corowasm, and run the demos: fib(30) through the command line,
# then the echo service (each TCP connection served by its own Wasm guest over async imports)
# and 10,000 guests suspended at once on one thread; then three WASI C programs chained by pipes
# on one thread, each suspending on its blocking reads.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
      -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build-release --target corowasm echo_service many_guests echo_service_wasm many_guests_wasm \
      wasi_pipeline wasi_pipeline_wasm
wat2wasm examples/fib.wat -o build-release/fib.wasm
echo "\$ corowasm run --invoke fib fib.wasm 30"
./build-release/tools/corowasm/corowasm run --invoke fib build-release/fib.wasm 30
echo "\$ echo_service echo_service.wasm 50 20"
./build-release/examples/echo_service build-release/examples/echo_service.wasm 50 20
echo "\$ many_guests many_guests.wasm 10000"
./build-release/examples/many_guests build-release/examples/many_guests.wasm 10000
echo "\$ wasi_pipeline wasi_pipeline_filter.wasm 2000"
./build-release/examples/wasi_pipeline build-release/examples/wasi_pipeline_filter.wasm 2000
