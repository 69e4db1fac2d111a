#!/usr/bin/env bash
# package/deb: `cpack -G DEB` in the build folder, then check the package: its control fields,
# the files it installs, and that tests/consumer builds and runs against the unpacked tree
# (find_package from <root>/usr, with clang++).
# Usage: deb_test.sh BUILD SOURCE VERSION GENERATOR CPACK CLANGXX
# Without dpkg-deb (not Debian) or clang++-19 the test is skipped (status 77), saying why.
set -euo pipefail
build=$1 src=$2 version=$3 generator=$4 cpack=$5 clangxx=$6
out=$build/package-deb
if ! command -v dpkg-deb > /dev/null; then echo "skipped: dpkg-deb not found (not Debian)"; exit 77; fi
if [ -z "$clangxx" ]; then echo "skipped: clang++-19 not found"; exit 77; fi

echo "== cpack -G DEB"
rm -rf "$out"
(cd "$build" && "$cpack" -G DEB -B "$out" > "$out.log" 2>&1) || { cat "$out.log"; exit 1; }
debs=("$out"/corowasm_"$version"_*.deb)
[ -f "${debs[0]}" ] || { cat "$out.log"; echo "FAIL: no corowasm_${version}_*.deb in $out"; exit 1; }
deb=${debs[0]}
echo "${deb#"$build"/}"
dpkg-deb --field "$deb" Package Version Architecture Depends | sed 's/^/  /'
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ] || { echo "FAIL: the package's Version is not $version"; exit 1; }

contents=$(dpkg-deb --contents "$deb" | awk '{print $NF}')
for f in ./usr/bin/corowasm ./usr/include/corowasm/corowasm.h ./usr/include/corowasm/traps.def \
         ./usr/include/corowasm/version.h ./usr/include/corowasm/async.h ./usr/include/corowasm/bind.h \
         ./usr/include/corowasm/bind_async.h ./usr/include/corowasm/typed.h \
         ./usr/include/corowasm/wasi.h ./usr/lib/libcorowasm_vm.a ./usr/lib/libcorowasm_async.a \
         ./usr/lib/libcorowasm_host.a ./usr/lib/cmake/corowasm/corowasmConfig.cmake \
         ./usr/lib/cmake/corowasm/corowasmConfigVersion.cmake ./usr/lib/cmake/corowasm/corowasmTargets.cmake \
         ./usr/lib/pkgconfig/corowasm.pc; do
  grep -qxF "$f" <<< "$contents" || { echo "FAIL: the package lacks $f"; exit 1; }
done
echo "  holds the CLI, the 6 public headers, 3 libraries, the CMake package and corowasm.pc"

echo "== tests/consumer against the unpacked package"
root=$out/root
dpkg-deb -x "$deb" "$root"
dir=$out/consumer
cmake -S "$src/tests/consumer" -B "$dir" -G "$generator" -DCMAKE_CXX_COMPILER="$clangxx" \
      -DCMAKE_PREFIX_PATH="$root/usr" > "$dir.configure.log" || { cat "$dir.configure.log"; exit 1; }
grep -qF "corowasm $version from $root/usr/lib/cmake/corowasm" "$dir.configure.log" \
  || { cat "$dir.configure.log"; echo "FAIL: find_package did not take corowasm from the package"; exit 1; }
cmake --build "$dir" > "$dir.build.log" || { cat "$dir.build.log"; exit 1; }
"$dir/consumer" | tail -n 1 | grep -qx done || { echo "FAIL: the consumer did not finish"; exit 1; }
echo "package/deb: the package builds and runs tests/consumer"
