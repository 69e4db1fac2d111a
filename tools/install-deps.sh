#!/usr/bin/env bash
# Install what corowasm needs to build and test on Debian 12 (bookworm).
set -euo pipefail
PKGS=(clang-19 lld-19 libclang-rt-19-dev cmake ninja-build wabt doctest-dev
      libboost1.81-dev libboost-context1.81-dev libboost-json1.81-dev libcli11-dev wasi-libc libclang-rt-19-dev-wasm32 binaryen
      libc++-19-dev-wasm32 libc++abi-19-dev-wasm32  # real/cxx_exceptions: C++ for wasm32-wasi (built without exceptions; tests/realprograms/compat/wasm_cxx_eh.cpp adds them)
      python3  # real/cmark: cmark's own spec test driver (spec_tests.py)
      g++ clang-14 pkgconf  # package/consumer builds against the installed headers with GCC 12, clang 14, pkg-config
      doxygen)      # the API reference (ninja docs, ctest docs/doxygen)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
fi
# The real-program tests build Debian source packages: deb-src entries, dpkg-dev, tcl.
sh "$(dirname "$0")/../tests/realprograms/install.sh"
