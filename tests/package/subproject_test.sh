#!/usr/bin/env bash
# package/subproject/<how>: configure tests/subproject, a parent project taking corowasm in by
# add_subdirectory or FetchContent, in a fresh folder with no build type; its CMakeLists.txt
# checks that corowasm left the parent alone. Configure only: the libraries are the same
# sources and targets this build compiles.
# Usage: subproject_test.sh BUILD SOURCE HOW GENERATOR CXX
set -euo pipefail
build=$1 src=$2 how=$3 generator=$4 cxx=$5
dir=$build/subproject-$how
rm -rf "$dir"
cmake -S "$src/tests/subproject" -B "$dir" -G "$generator" -DCMAKE_CXX_COMPILER="$cxx" \
      -DCOROWASM_SOURCE_DIR="$src" -DHOW="$how"
