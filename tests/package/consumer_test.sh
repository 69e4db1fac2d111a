#!/usr/bin/env bash
# package/consumer: install this build into BUILD/consumer-prefix, then build tests/consumer
# against that prefix as a user would, run it and compare what it prints:
#   consumer-clang, consumer-gcc   find_package(corowasm) with clang++ and with g++
#   consumer-clang14               find_package(corowasm) with clang++-14 (the oldest clang the
#                                  public headers promise to compile with)
#   consumer-pkgconfig             one compiler command line from `pkg-config corowasm`
# Usage: consumer_test.sh BUILD SOURCE VERSION GENERATOR CLANGXX GXX PKG_CONFIG CLANG14XX
# An empty CLANGXX, GXX, PKG_CONFIG or CLANG14XX (not found at configure time): that variant is skipped,
# saying why, the others run, and the test ends with status 77 (ctest: Skipped).
set -euo pipefail
build=$1 src=$2 version=$3 generator=$4 clangxx=$5 gxx=$6 pkgconfig=$7 clang14xx=${8:-}
prefix=$build/consumer-prefix
consumer=$src/tests/consumer
skipped=()

echo "== cmake --install $build --prefix $prefix"
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" > "$build/consumer-install.log"
# The installed package must work wherever it lies: no path into the source or build folder
# (the prefix lies inside the build folder, so absolute prefix paths are caught too).
if grep -rlIF -e "$src" -e "$build" "$prefix"; then
  echo "FAIL: the installed files above name the source or build folder"
  exit 1
fi

expected="corowasm $version, package $version
call_sync add(2, 40) = 42
call_sync scaled_sum(2, 3) = 50
async_call fetch_plus(7) = 121
done"

check() {  # name, compiler the first line must name (clang or gcc), the program
  local name=$1 compiler=$2 out
  out=$("$3") || { printf '%s\n' "$out"; echo "FAIL [$name]: $3 exited with status $?"; exit 1; }
  printf '%s\n' "$out" | sed "s/^/  [$name] /"
  if [[ "$(printf '%s\n' "$out" | head -n 1)" != "compiled by: $compiler"* ]]; then
    echo "FAIL [$name]: expected a build by $compiler"
    exit 1
  fi
  if ! diff <(printf '%s\n' "$expected") <(printf '%s\n' "$out" | tail -n +2); then
    echo "FAIL [$name]: the output differs from the expected (diff above)"
    exit 1
  fi
}

with_find_package() {  # name, the compiler the program must report (clang, gcc, clang 14), compiler
  local dir=$build/consumer-$1
  echo "== find_package(corowasm) with $3"
  rm -rf "$dir"
  cmake -S "$consumer" -B "$dir" -G "$generator" -DCMAKE_CXX_COMPILER="$3" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$prefix" > "$dir.configure.log" || { cat "$dir.configure.log"; exit 1; }
  if ! grep -qF "corowasm $version from $prefix/" "$dir.configure.log"; then
    cat "$dir.configure.log"
    echo "FAIL [$1]: find_package did not take corowasm $version from $prefix"
    exit 1
  fi
  cmake --build "$dir" > "$dir.build.log" || { cat "$dir.build.log"; exit 1; }
  check "$1" "$2" "$dir/consumer"
}

if [ -n "$clangxx" ]; then
  with_find_package clang clang "$clangxx"
else
  skipped+=("clang: clang++-19 not found (apt-get install clang-19)")
fi
if [ -n "$gxx" ]; then
  with_find_package gcc gcc "$gxx"
else
  skipped+=("gcc: g++ not found (apt-get install g++)")
fi
if [ -n "$clang14xx" ]; then
  with_find_package clang14 "clang 14" "$clang14xx"
else
  skipped+=("clang14: clang++-14 not found (apt-get install clang-14)")
fi

cxx=${gxx:-$clangxx}
if [ -n "$pkgconfig" ] && [ -n "$cxx" ]; then
  echo "== pkg-config corowasm, $cxx"
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  if [ "$("$pkgconfig" --modversion corowasm)" != "$version" ]; then
    echo "FAIL [pkgconfig]: pkg-config --modversion corowasm is not $version"
    exit 1
  fi
  mkdir -p "$build/consumer-pkgconfig"
  # shellcheck disable=SC2046  # the flags are words
  "$cxx" -std=c++20 -Wall -Wextra -Werror "-DCOROWASM_PACKAGE_VERSION=\"$version\"" "$consumer/main.cpp" \
         $("$pkgconfig" --cflags --libs corowasm) -o "$build/consumer-pkgconfig/consumer"
  if [ "$cxx" = "$gxx" ]; then compiler=gcc; else compiler=clang; fi
  check pkgconfig "$compiler" "$build/consumer-pkgconfig/consumer"
else
  skipped+=("pkgconfig: pkg-config or a compiler not found (apt-get install pkgconf)")
fi

if [ ${#skipped[@]} -gt 0 ]; then
  printf 'skipped %s\n' "${skipped[@]}"
  exit 77
fi
echo "package/consumer: all three consumer builds print the expected output"
