#!/bin/bash
# Builds the real programs of tests/realprograms for wasm32-wasi and natively:
#   build.sh OUTDIR [PROGRAM...]        (default: all of $ALL_PROGRAMS below)
# Sources are Debian 12 source packages fetched with `apt-get source` into OUTDIR/src (once:
# a fetched package is kept), except CoreMark (EEMBC sources from COREMARK_DIR, default
# <repo>/../shared/bench/coremark, with the WASI port in bench/wasi/coremark) and the two
# programs written here, cxx_exceptions/ and simd/. Nothing third-party is kept in the
# repository. Results:
#   OUTDIR/wasm/PROGRAM.wasm    clang-19 --target=wasm32-wasi --sysroot=/usr -O2 (MVP + the
#                               features clang-19 enables by default; no threads; Wasm
#                               exception handling for lua and cxx_exceptions, SIMD for simd)
#   OUTDIR/native/PROGRAM       clang-19 -O2, the same sources and defines
#   OUTDIR/src/...              the sources (and the test data the tests use)
#   OUTDIR/python-home/lib/python3.11   python's stdlib, for both sides (see build_python)
# A program is rebuilt only when its build function, the flags, the compat files, the CoreMark
# port or its sources here changed (OUTDIR/stamps).
# Needs: clang-19, lld-19, wasi-libc, libclang-rt-19-dev-wasm32, libc++-19-dev-wasm32 and
# libc++abi-19-dev-wasm32 (cxx_exceptions), deb-src entries, dpkg-dev and tclsh
# (tests/realprograms/install.sh sets up the last three).
# Environment: CC_WASM / CC_NATIVE (default clang-19), OPT (default -O2), COREMARK_DIR.
set -euo pipefail

ALL_PROGRAMS="bzip2 zstd sqlite3 jq coremark lua cxx_exceptions simd cmark python"

if [ $# -lt 1 ]; then
  echo "usage: $0 OUTDIR [PROGRAM...]   (programs: $ALL_PROGRAMS)" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
shift
PROGRAMS="${*:-$ALL_PROGRAMS}"

CC_WASM="${CC_WASM:-clang-19}"
# clang-19 would run binaryen's wasm-opt (installed for the fuzz tests) over each module it
# links; a no-op stands in for it, so the modules are clang's own (cmake/no-wasm-opt/wasm-opt).
export PATH="$REPO/cmake/no-wasm-opt:$PATH"
CC_NATIVE="${CC_NATIVE:-clang-19}"
OPT="${OPT:--O2}"
COREMARK_DIR="${COREMARK_DIR:-$REPO/../shared/bench/coremark}"
COMPAT="$HERE/compat"

# wasm32-wasi: wasi-libc's emulations for what WASI lacks, plus our compat stand-ins (see
# compat/wasi_compat.h). The emulation libraries are linked only where a program uses them.
WASM_CFLAGS=(--target=wasm32-wasi --sysroot=/usr "$OPT"
  -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS
  -D_WASI_EMULATED_GETPID -I"$COMPAT/include" -include "$COMPAT/wasi_compat.h")
# The stack (in linear memory) is 8 MB like the native default, not wasm-ld's 64 KB; wasi-libc's
# DWARF is dropped (the name section stays).
WASM_LIBS=(-lwasi-emulated-mman -lwasi-emulated-signal -lwasi-emulated-process-clocks
  -lwasi-emulated-getpid -Wl,-z,stack-size=8388608 -Wl,--strip-debug)
NATIVE_CFLAGS=("$OPT")

mkdir -p "$OUT/src" "$OUT/obj" "$OUT/wasm" "$OUT/native" "$OUT/stamps"

# One build at a time in OUTDIR (ctest fixtures, a developer by hand).
exec 9>"$OUT/.lock"
flock 9

log() { echo "[realprograms] $*"; }
run() { nice -n 10 "$@"; }

# fetch_src PKG: Debian source package PKG, unpacked (Debian patches applied) into
# OUTDIR/src/PKG. Tries the newest version known to apt first, then older ones (a mirror may
# lack a just-superseded security update).
fetch_src() {
  local pkg="$1" dir="$OUT/src/$1"
  if [ -f "$dir/.fetched" ]; then return 0; fi
  if ! command -v dpkg-source >/dev/null; then
    echo "build.sh: dpkg-source missing: run tests/realprograms/install.sh" >&2
    return 1
  fi
  local versions
  versions="$(apt-cache showsrc "$pkg" 2>/dev/null | awk '/^Version:/ {print $2}' | sort -rV | uniq)"
  if [ -z "$versions" ]; then
    echo "build.sh: apt knows no source package $pkg: run tests/realprograms/install.sh" >&2
    return 1
  fi
  local tmp="$OUT/src/.$pkg.tmp" v ok=0
  for v in $versions; do
    rm -rf "$tmp" && mkdir -p "$tmp"
    log "fetching source package $pkg=$v"
    if (cd "$tmp" && run apt-get source -qq "$pkg=$v" >apt.log 2>&1); then ok=1; break; fi
    tail -3 "$tmp/apt.log" >&2
  done
  if [ $ok = 0 ]; then echo "build.sh: apt-get source $pkg failed" >&2; return 1; fi
  local sub
  sub="$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -1)"
  rm -rf "$dir"
  mv "$sub" "$dir"
  echo "$v" >"$dir/.fetched"
  rm -rf "$tmp"
}

# up_to_date PROGRAM: the stamp records a hash of the program's inputs (its build function,
# the flags, the compat files, the CoreMark port, the sources written here); the outputs must
# exist too.
inputs_hash() {
  { declare -f "build_$1" fetch_src; echo "$(command -v "$CC_WASM") $(command -v "$CC_NATIVE") ${WASM_CFLAGS[*]} ${WASM_LIBS[*]} ${NATIVE_CFLAGS[*]} $(realpath -m "$COREMARK_DIR")"
    cat "$COMPAT"/*.[ch] "$COMPAT"/*.cpp "$COMPAT"/include/*.h "$REPO"/bench/wasi/coremark/*.[ch] \
      "$HERE"/cxx_exceptions/*.cpp "$HERE"/simd/*.c 2>/dev/null; } |
    sha256sum | cut -c1-16
}
up_to_date() {
  [ -f "$OUT/stamps/$1" ] && [ "$(cat "$OUT/stamps/$1")" = "$(inputs_hash "$1")" ] &&
    [ -f "$OUT/wasm/$1.wasm" ] && [ -x "$OUT/native/$1" ] &&
    { [ "$1" != python ] || [ -f "$OUT/python-home/lib/python3.11/os.py" ]; }
}
stamp() { inputs_hash "$1" >"$OUT/stamps/$1"; }

# ---- bzip2 1.0.8: the bzip2 command (stdin/stdout and file modes) --------------------------
build_bzip2() {
  fetch_src bzip2
  local s="$OUT/src/bzip2"
  local srcs=("$s"/{blocksort,huffman,crctable,randtable,compress,decompress,bzlib,bzip2}.c)
  run "$CC_WASM" "${WASM_CFLAGS[@]}" -D_FILE_OFFSET_BITS=64 "${srcs[@]}" \
    "${WASM_LIBS[@]}" -o "$OUT/wasm/bzip2.wasm"
  run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" -D_FILE_OFFSET_BITS=64 "${srcs[@]}" -o "$OUT/native/bzip2"
}

# ---- zstd 1.5.4: the zstd command (single-threaded, no legacy formats, no asm) ---------------
build_zstd() {
  fetch_src zstd
  local s="$OUT/src/zstd"
  local defs=(-DZSTD_DISABLE_ASM -DZSTD_LEGACY_SUPPORT=0 -DBACKTRACE_ENABLE=0 -I"$s/lib"
    -I"$s/lib/common")
  local srcs=("$s"/lib/common/*.c "$s"/lib/compress/*.c "$s"/lib/decompress/*.c
    "$s"/lib/dictBuilder/*.c "$s"/programs/*.c)
  # One object directory per target: clang compiles the list one file at a time (-j1).
  local t
  for t in wasm native; do
    local od="$OUT/obj/zstd-$t"
    rm -rf "$od" && mkdir -p "$od"
    local objs=() f o
    for f in "${srcs[@]}"; do
      o="$od/$(basename "$(dirname "$f")")_$(basename "${f%.c}").o"
      if [ $t = wasm ]; then
        run "$CC_WASM" "${WASM_CFLAGS[@]}" "${defs[@]}" -c "$f" -o "$o"
      else
        run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" "${defs[@]}" -c "$f" -o "$o"
      fi
      objs+=("$o")
    done
    if [ $t = wasm ]; then
      run "$CC_WASM" "${WASM_CFLAGS[@]}" "${objs[@]}" "$COMPAT/wasi_compat.c" "${WASM_LIBS[@]}" \
        -o "$OUT/wasm/zstd.wasm"
    else
      run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" "${objs[@]}" -o "$OUT/native/zstd"
    fi
  done
}

# ---- sqlite 3.40.1: the sqlite3 shell over the amalgamation ---------------------------------
# sqlite3.c and shell.c are generated by sqlite's own build (configure; make sqlite3.c shell.c:
# lemon, mkkeywordhash and tcl scripts), then compiled without threads, extension loading, WAL
# or mmap. The WASI build's locks are no-ops (compat/wasi_compat.h).
build_sqlite3() {
  fetch_src sqlite3
  local s="$OUT/src/sqlite3" g="$OUT/obj/sqlite3-gen"
  if ! [ -f "$g/sqlite3.c" ] || ! [ -f "$g/shell.c" ]; then
    if ! command -v tclsh >/dev/null; then
      echo "build.sh: tclsh missing (sqlite generates its amalgamation with it): run tests/realprograms/install.sh" >&2
      return 1
    fi
    rm -rf "$g" && mkdir -p "$g"
    log "sqlite3: configure; make sqlite3.c shell.c"
    (cd "$g" && run "$s/configure" --disable-tcl --disable-readline --disable-threadsafe \
      --disable-load-extension CC="$CC_NATIVE" >configure.log 2>&1 &&
      run make -j1 sqlite3.c shell.c >make.log 2>&1) ||
      { tail -20 "$g"/configure.log "$g"/make.log >&2; return 1; }
  fi
  local defs=(-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL
    -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_MAX_MMAP_SIZE=0 -DSQLITE_ENABLE_MATH_FUNCTIONS
    -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -DHAVE_READLINE=0 -I"$g"
    -DLONGDOUBLE_TYPE=double) # long double is 80-bit natively, 128-bit (soft) on wasm32: 3.40's
                              # float-to-text then differs in the last digits (.dump of 250000.25)
  local od="$OUT/obj/sqlite3"
  mkdir -p "$od"
  run "$CC_WASM" "${WASM_CFLAGS[@]}" "${defs[@]}" -c "$g/sqlite3.c" -o "$od/sqlite3-wasm.o"
  run "$CC_WASM" "${WASM_CFLAGS[@]}" "${defs[@]}" "$g/shell.c" "$od/sqlite3-wasm.o" \
    "$COMPAT/wasi_compat.c" "${WASM_LIBS[@]}" -o "$OUT/wasm/sqlite3.wasm"
  run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" "${defs[@]}" -c "$g/sqlite3.c" -o "$od/sqlite3-native.o"
  run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" "${defs[@]}" "$g/shell.c" "$od/sqlite3-native.o" -lm \
    -o "$OUT/native/sqlite3"
}

# ---- jq 1.6: the jq command without oniguruma (no regex builtins) ---------------------------
# No configure: the HAVE_* that jq's configure would find on both glibc and wasi-libc are given
# here (every math function it probes but gamma and pow10, which one of the two lacks).
# builtin.inc and version.h are generated as jq's Makefile does; lexer.c and parser.c ship in
# the tarball. WASI: compat/include/pthread.h (pthread_once, thread-specific data) and a 32 MB
# stack: jq's regression tests recurse 10000 deep, and on wasm32 every jv (a 16-byte struct
# passed by value) goes through the stack.
build_jq() {
  fetch_src jq
  local s="$OUT/src/jq" g="$OUT/obj/jq-gen"
  rm -rf "$g" && mkdir -p "$g/src"
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$s/src/builtin.jq" >"$g/src/builtin.inc"
  echo '#define JQ_VERSION "1.6"' >"$g/src/version.h"
  local defs=(-D_GNU_SOURCE -DIEEE_8087 -DHAVE_MEMMEM -DHAVE_MKSTEMP -DHAVE_ISATTY -DHAVE_STRPTIME
    -DHAVE_STRFTIME -DHAVE_TIMEGM -DHAVE_GMTIME_R -DHAVE_GMTIME -DHAVE_LOCALTIME_R
    -DHAVE_LOCALTIME -DHAVE_GETTIMEOFDAY -DHAVE_TM_TM_GMT_OFF -DHAVE_GETENTROPY
    -DHAVE_PTHREAD_KEY_CREATE -DHAVE_PTHREAD_ONCE -DHAVE_ATEXIT -DHAVE_ALLOCA_H -Wno-everything
    -I"$g/src" -I"$g" -I"$s/src")
  local f
  for f in acos acosh asin asinh atan2 atan atanh cbrt ceil copysign cos cosh drem erf erfc \
    exp10 exp2 exp expm1 fabs fdim floor fma fmax fmin fmod frexp hypot j0 j1 jn ldexp lgamma \
    log10 log1p log2 log logb modf lgamma_r nearbyint nextafter nexttoward pow remainder rint \
    round scalb scalbln significand sin sinh sqrt tan tanh tgamma trunc y0 y1 yn; do
    defs+=("-DHAVE_$(echo "$f" | tr a-z A-Z)")
  done
  local srcs=()
  for f in builtin bytecode compile execute jq_test jv jv_alloc jv_aux jv_dtoa jv_file jv_parse \
    jv_print jv_unicode linker locfile util main parser lexer; do
    srcs+=("$s/src/$f.c")
  done
  run "$CC_WASM" "${WASM_CFLAGS[@]}" "${defs[@]}" "${srcs[@]}" "$COMPAT/wasi_compat.c" \
    "${WASM_LIBS[@]}" -lm -Wl,-z,stack-size=33554432 -o "$OUT/wasm/jq.wasm"
  run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" "${defs[@]}" "${srcs[@]}" -lm -o "$OUT/native/jq"
}

# ---- cmark 0.30.2: the CommonMark reference implementation's command --------------------------
# No CMake: the three headers its build generates are written here (config.h from config.h.in
# with stdbool, __builtin_expect and __attribute__ found, as on both targets; cmark_version.h;
# cmark_export.h for a static build, where CMARK_EXPORT is empty). scanners.c ships generated.
build_cmark() {
  fetch_src cmark
  local s="$OUT/src/cmark/src" g="$OUT/obj/cmark-gen"
  rm -rf "$g" && mkdir -p "$g"
  sed -e 's/#cmakedefine \(HAVE_[A-Z_]*\)/#define \1/' "$s/config.h.in" >"$g/config.h"
  sed -e 's/@PROJECT_VERSION_MAJOR@/0/g' -e 's/@PROJECT_VERSION_MINOR@/30/g' \
    -e 's/@PROJECT_VERSION_PATCH@/2/g' "$s/cmark_version.h.in" >"$g/cmark_version.h"
  printf '#ifndef CMARK_EXPORT_H\n#define CMARK_EXPORT_H\n#define CMARK_EXPORT\n#define CMARK_NO_EXPORT\n#endif\n' \
    >"$g/cmark_export.h"
  local srcs=() f
  for f in cmark node iterator blocks inlines scanners utf8 buffer references render man xml \
    html commonmark latex houdini_href_e houdini_html_e houdini_html_u cmark_ctype main; do
    srcs+=("$s/$f.c")
  done
  run "$CC_WASM" "${WASM_CFLAGS[@]}" -I"$g" -I"$s" "${srcs[@]}" "${WASM_LIBS[@]}" -o "$OUT/wasm/cmark.wasm"
  run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" -I"$g" -I"$s" "${srcs[@]}" -o "$OUT/native/cmark"
}

# ---- CoreMark: EEMBC sources unchanged, WASI port in bench/wasi/coremark ---------------------
build_coremark() {
  local cm="$COREMARK_DIR"
  if ! [ -f "$cm/core_main.c" ]; then
    echo "build.sh: CoreMark sources not found in COREMARK_DIR=$cm" >&2
    return 1
  fi
  local port="$REPO/bench/wasi/coremark"
  local srcs=("$cm"/core_list_join.c "$cm"/core_main.c "$cm"/core_matrix.c "$cm"/core_state.c
    "$cm"/core_util.c "$port/core_portme.c")
  local defs=(-I"$port" -I"$cm" "-DCOMPILER_FLAGS=\"$OPT\"")
  run "$CC_WASM" --target=wasm32-wasi --sysroot=/usr "$OPT" "${defs[@]}" "${srcs[@]}" \
    -o "$OUT/wasm/coremark.wasm"
  run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" "${defs[@]}" "${srcs[@]}" -o "$OUT/native/coremark"
}

# ---- Lua 5.4.4: the lua interpreter, setjmp/longjmp on Wasm exception handling ---------------
# Lua raises every error with longjmp (ldo.c, LUAI_THROW) and catches it with setjmp in each
# pcall, resume and protected parser call. clang -mllvm -wasm-enable-sjlj lowers them onto Wasm
# exception handling (clang 19: the legacy try/catch/delegate instructions, its only form);
# compat/include/setjmp.h and compat/wasm_sjlj.c are the header and runtime that wasi-libc
# lacks. The runtime is compiled without -wasm-enable-sjlj (it defines the tag the lowered
# objects use). luaconf.h's defaults, i.e. ISO C and neither LUA_USE_POSIX nor LUA_USE_DLOPEN,
# on both sides: WASI has no dlopen, popen or mkstemp (io.popen and C modules are "not
# supported", os.execute finds no shell, io.tmpfile fails: compat). os.tmpname would use
# tmpnam, which wasi-libc declares but leaves out: here it fails on both sides ("unable to
# generate a unique filename").
# Debian's luaconf.h includes lua5.4-deb-multiarch.h (module paths), which debian/rules writes:
# written here the same way, with one value for both sides (wasm32-wasi).
build_lua() {
  fetch_src lua5.4
  local s="$OUT/src/lua5.4/src" od="$OUT/obj/lua"
  rm -rf "$od" && mkdir -p "$od"
  printf '#ifndef _LUA_DEB_MULTIARCH_\n#define _LUA_DEB_MULTIARCH_\n#define DEB_HOST_MULTIARCH "wasm32-wasi"\n#endif\n' \
    >"$od/lua5.4-deb-multiarch.h"
  local defs=(-I"$od" '-Dlua_tmpnam(b,e)={ (void)(b); e = 1; }' -DLUA_TMPNAMBUFSIZE=32)
  local srcs=() f
  for f in lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes lparser \
    lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib lcorolib ldblib liolib lmathlib \
    loadlib loslib lstrlib ltablib lutf8lib linit lua; do
    srcs+=("$s/$f.c")
  done
  run "$CC_WASM" "${WASM_CFLAGS[@]}" -mexception-handling -c "$COMPAT/wasm_sjlj.c" -o "$od/wasm_sjlj.o"
  run "$CC_WASM" "${WASM_CFLAGS[@]}" -mexception-handling -mllvm -wasm-enable-sjlj "${defs[@]}" \
    "${srcs[@]}" "$od/wasm_sjlj.o" "$COMPAT/wasi_compat.c" "${WASM_LIBS[@]}" -lm -o "$OUT/wasm/lua.wasm"
  run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" "${defs[@]}" "${srcs[@]}" -lm -o "$OUT/native/lua"
}

# ---- cxx_exceptions: C++ exceptions (cxx_exceptions/main.cpp, written here) -------------------
# clang++ -fwasm-exceptions against Debian's wasm32 libc++ and libc++abi. Both are built with
# -fno-exceptions (libc++abi.a has cxa_noexception.cpp and no __cxa_throw, personality or
# unwinder), so compat/wasm_cxx_eh.cpp supplies the exception runtime. Natively: libstdc++.
build_cxx_exceptions() {
  local src="$HERE/cxx_exceptions/main.cpp"
  if ! [ -f /usr/lib/wasm32-wasi/libc++abi.a ] || ! [ -f /usr/lib/wasm32-wasi/libc++.a ]; then
    echo "build.sh: wasm32 libc++ missing: apt-get install libc++-19-dev-wasm32 libc++abi-19-dev-wasm32" >&2
    return 1
  fi
  run "$CC_WASM" --driver-mode=g++ --target=wasm32-wasi --sysroot=/usr "$OPT" -std=c++20 \
    -fwasm-exceptions "$src" "$COMPAT/wasm_cxx_eh.cpp" -Wl,-z,stack-size=8388608 \
    -Wl,--strip-debug -o "$OUT/wasm/cxx_exceptions.wasm"
  run "$CC_NATIVE" --driver-mode=g++ "${NATIVE_CFLAGS[@]}" -std=c++20 "$src" \
    -o "$OUT/native/cxx_exceptions"
}

# ---- simd: auto-vectorised C kernels (simd/kernels.c, written here) ---------------------------
# simd.wasm with -msimd128 (clang's loop and SLP vectorisers emit v128 code), simd-nosimd.wasm
# from the same source without it; natively -O2 (SSE2). All three must print the same.
build_simd() {
  local src="$HERE/simd/kernels.c"
  run "$CC_WASM" --target=wasm32-wasi --sysroot=/usr "$OPT" -msimd128 "$src" \
    -Wl,-z,stack-size=8388608 -Wl,--strip-debug -o "$OUT/wasm/simd.wasm"
  run "$CC_WASM" --target=wasm32-wasi --sysroot=/usr "$OPT" "$src" \
    -Wl,-z,stack-size=8388608 -Wl,--strip-debug -o "$OUT/wasm/simd-nosimd.wasm"
  run "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" "$src" -o "$OUT/native/simd"
}

# ---- CPython 3.11.2: the python interpreter, its C modules built in, the stdlib beside it ----------
# CPython's own build system on both sides, from the same source tree (Debian patches applied):
# first natively out of tree (the native reference, and the "build python" the cross build
# needs: it freezes and deep-freezes the startup modules and writes _sysconfigdata), then the
# wasm32-wasi cross build that CPython supports (Tools/wasm/README.md: config.site-wasm32-wasi,
# --host=wasm32-unknown-wasi, --with-build-python). No threads (WASI gets CPython's pthread
# stubs), no ensurepip, no test modules, no sqlite/ssl/ctypes/tkinter/dbm/uuid/bz2/lzma: both
# sides get the same module set, every C module linked into the binary (wasm32 has no dlopen;
# natively Modules/Setup.stdlib becomes Setup.local so that setup.py builds no shared modules).
# zlib (zlib, binascii's crc32, gzip, zipfile) is Debian's zlib 1.2.13 built here for both
# sides. The stdlib tree, OUTDIR/python-home/lib/python3.11 (Lib/ without tests, idle, tkinter,
# turtledemo, ensurepip; both sides' _sysconfigdata; an empty lib-dynload, getpath's landmark),
# serves both: natively PYTHONHOME=OUTDIR/python-home, under WASI the tree preopened as
# /usr/local/lib/python3.11 and PYTHONHOME=/usr/local. Its .pyc files are compiled once, with
# unchecked hashes, so that neither side writes into it (nor recompiles the stdlib at each run).
# Not the shared WASM_CFLAGS: configure probes functions itself and defines the _WASI_EMULATED_*
# macros (and links their libraries), and compat/wasi_compat.h's stand-ins (fchmod, fcntl locks,
# realpath...) would only make it find what WASI lacks; CPython handles that already.
build_python() {
  fetch_src python3.11
  fetch_src zlib
  local s="$OUT/src/python3.11" z="$OUT/src/zlib" od="$OUT/obj/python"
  local home="$OUT/python-home" lib="$OUT/python-home/lib/python3.11"
  rm -rf "$od" "$home" && mkdir -p "$od/zlib-wasm" "$od/zlib-native" "$od/native" "$od/wasm" "$od/nopc"
  local wcc="$CC_WASM --target=wasm32-wasi --sysroot=/usr"
  # zlib: its library sources, no configure (a static library per side)
  local f t
  for f in adler32 crc32 deflate infback inffast inflate inftrees trees zutil compress uncompr \
    gzclose gzlib gzread gzwrite; do
    run $wcc "$OPT" -w -DHAVE_UNISTD_H -DHAVE_STDARG_H -c "$z/$f.c" -o "$od/zlib-wasm/$f.o"
    run "$CC_NATIVE" "$OPT" -w -DHAVE_UNISTD_H -DHAVE_STDARG_H -c "$z/$f.c" -o "$od/zlib-native/$f.o"
  done
  for t in wasm native; do
    run "$("$CC_NATIVE" -print-prog-name=llvm-ar)" rcs "$od/zlib-$t/libz.a" "$od/zlib-$t"/*.o
  done
  # Modules left out on both sides (configure's per-module switch); OPT replaces configure's
  # "-g -O3 -Wall" (the same -O2 as the other programs).
  local common=(--without-ensurepip --disable-test-modules "OPT=-DNDEBUG -fwrapv"
    py_cv_module__ssl=n/a py_cv_module__hashlib=n/a py_cv_module__sqlite3=n/a
    py_cv_module__tkinter=n/a py_cv_module__uuid=n/a py_cv_module__lzma=n/a py_cv_module__bz2=n/a
    py_cv_module__gdbm=n/a py_cv_module_nis=n/a "ZLIB_CFLAGS=-I$z")
  log "python: native configure; make"
  (cd "$od/native" && MODULE_BUILDTYPE=static run "$s/configure" -C CC="$CC_NATIVE" CFLAGS="$OPT" \
      "${common[@]}" "ZLIB_LIBS=$od/zlib-native/libz.a" >configure.log 2>&1 &&
    sed '/^\*shared\*/,$d' Modules/Setup.stdlib >Modules/Setup.local &&
    run make -j1 python pybuilddir.txt >make.log 2>&1) ||
    { tail -20 "$od"/native/configure.log "$od"/native/make.log >&2; return 1; }
  # The cross build. Its configure must not see the host's libraries: no pkg-config
  # (PKG_CONFIG_LIBDIR empty), and the headers that clang finds in /usr/include after
  # /usr/include/wasm32-wasi (--sysroot=/usr) though wasi-libc lacks them, set absent.
  # clang 19 makes -Wint-conversion an error (CPython 3.11 was built with clang 14 for WASI):
  # timemodule.c passes wasi-libc's CLOCK_* (pointers) as ints. The stack is 8 MB (configure
  # says 512 KB), still first in memory as upstream has it (an overflow traps instead of
  # overwriting data), and with it Python's default recursion limit as natively (upstream lowers
  # it to 600 on WASI for that 512 KB).
  log "python: wasm32-wasi configure; make"
  (cd "$od/wasm" && CONFIG_SITE="$s/Tools/wasm/config.site-wasm32-wasi" PKG_CONFIG_LIBDIR="$od/nopc" \
      PKG_CONFIG_PATH="" run "$s/configure" -C --host=wasm32-unknown-wasi \
      --build="$("$s/config.guess")" --with-build-python="$od/native/python" CC="$wcc" \
      AR="$("$CC_NATIVE" -print-prog-name=llvm-ar)" RANLIB="$("$CC_NATIVE" -print-prog-name=llvm-ranlib)" \
      CFLAGS="$OPT -DPy_DEFAULT_RECURSION_LIMIT=1000 -Wno-error=int-conversion" \
      "${common[@]}" "ZLIB_LIBS=$od/zlib-wasm/libz.a" ac_cv_header_bzlib_h=no ac_cv_header_lzma_h=no \
      ac_cv_header_curses_h=no ac_cv_header_ncurses_h=no ac_cv_header_uuid_uuid_h=no \
      ac_cv_header_linux_memfd_h=no ac_cv_header_linux_wait_h=no >configure.log 2>&1 &&
    run make -j1 CONFIGURE_LDFLAGS_NODIST="-Wl,-z,stack-size=8388608 -Wl,--stack-first -Wl,--strip-debug" \
      python.wasm pybuilddir.txt >make.log 2>&1) ||
    { tail -20 "$od"/wasm/configure.log "$od"/wasm/make.log >&2; return 1; }
  # The stdlib. Debian's sysconfigdata-name.diff renames _sysconfigdata_{abiflags}_{platform}_
  # {multiarch} to _sysconfigdata_{abiflags}_{multiarch} in Lib/sysconfig.py and the Makefile
  # but in configure.ac only, and debian/rules regenerates configure: with the shipped configure
  # the cross build writes the old name (PYTHON_FOR_BUILD sets it) and sysconfig would not find
  # it. Installed under the new name, as Debian's `make install` does.
  log "python: stdlib tree"
  mkdir -p "$lib/lib-dynload"
  (cd "$s/Lib" && tar cf - --exclude=__pycache__ --exclude=./test --exclude=./idlelib \
    --exclude=./tkinter --exclude=./turtledemo --exclude=./ensurepip --exclude='./*/test' \
    --exclude='./*/tests' .) | tar xf - -C "$lib"
  cp "$od/native/$(cat "$od/native/pybuilddir.txt")"/_sysconfigdata_*.py "$lib/"
  cp "$od/wasm/$(cat "$od/wasm/pybuilddir.txt")"/_sysconfigdata__wasi_wasm32-wasi.py \
    "$lib/_sysconfigdata__wasm32-wasi.py"
  run "$od/native/python" -E -s -B -m compileall -q -j1 --invalidation-mode unchecked-hash "$lib" \
    >"$od/compileall.log" 2>&1 || { tail -20 "$od/compileall.log" >&2; return 1; }
  cp "$od/wasm/python.wasm" "$OUT/wasm/python.wasm"
  cp "$od/native/python" "$OUT/native/python"
}

status=0
for p in $PROGRAMS; do
  case " $ALL_PROGRAMS " in
    *" $p "*) ;;
    *) echo "build.sh: unknown program $p (known: $ALL_PROGRAMS)" >&2; exit 2 ;;
  esac
  if up_to_date "$p"; then
    log "$p: up to date"
    continue
  fi
  rm -f "$OUT/stamps/$p"
  log "$p: building"
  start=$SECONDS
  set +e
  ( set -e; "build_$p" ) # errexit holds in the subshell (it would not inside an `if`)
  rc=$?
  set -e
  if [ $rc = 0 ]; then
    stamp "$p"
    log "$p: built in $((SECONDS - start)) s"
  else
    echo "[realprograms] $p: BUILD FAILED" >&2
    status=1
  fi
done
exit $status
