#!/bin/bash
# Runs one real program's test under a WASI runner and natively, and compares:
#   run_test.sh PROGRAM OUTDIR RUNNER...
#     PROGRAM  bzip2 | zstd | sqlite3 | jq | coremark | lua | cxx_exceptions | simd | cmark |
#              python (built by build.sh into OUTDIR)
#     RUNNER   the command that runs a wasm32-wasi command with the CLI of `corowasm run`:
#              RUNNER [--dir HOST::GUEST] [--env K=V] FILE.wasm ARGS...
#              e.g. "/path/to/corowasm run" or "node tests/realprograms/node_wasi_run.mjs"
# The same script of commands runs twice: natively in WORK/native and as wasm in WORK/wasm,
# which the guest sees as /work (preopened). Each command's stdout, stderr and exit status are
# kept in NAME.out / NAME.err / NAME.rc beside the files the program writes. The test passes
# when the program's own expectations hold on both sides (e.g. bzip2's sample files, CoreMark's
# CRCs) and the wasm side's files equal the native side's (paths normalised, stderr compared
# where it does not name the program). Exits 1 with a diff otherwise; the work directory is kept.
# Environment: COREMARK_ITERATIONS (default 4000), KEEP_WORK=1 keeps the work directory,
# CMD_TIMEOUT (default 300): seconds one wasm command may take (then it fails with status 124).
set -uo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 PROGRAM OUTDIR RUNNER..." >&2
  exit 2
fi
PROG="$1"
OUT="$(cd "$2" && pwd)" || exit 2
shift 2
RUNNER=("$@")
HERE="$(cd "$(dirname "$0")" && pwd)"
WASM="$OUT/wasm/$PROG.wasm"
NATIVE="$OUT/native/$PROG"
SRC="$OUT/src"
for f in "$WASM" "$NATIVE"; do
  if ! [ -f "$f" ]; then
    echo "run_test.sh: $f missing: run tests/realprograms/build.sh $OUT $PROG" >&2
    exit 1
  fi
done

CMD_TIMEOUT="${CMD_TIMEOUT:-300}" # seconds for one command of the wasm side (exit 124 past it)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/realprograms-$PROG.XXXXXX")"
mkdir -p "$WORK/native" "$WORK/wasm"
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# What a program needs beyond its work directory: NATIVE_ENV (VAR=VALUE for the native run) and
# WASM_ARGS (more --dir/--env for the runner).
NATIVE_ENV=()
WASM_ARGS=()
if [ "$PROG" = python ]; then
  # The stdlib tree build.sh made, for both sides: natively as PYTHONHOME, under WASI preopened
  # where the interpreter's compiled-in prefix (/usr/local) puts it. Both sides: string hashes
  # not randomised, UTF-8 mode (the native side's locale does not matter), no user site
  # directory, no .pyc written (the stdlib's are compiled already).
  PYHOME="$OUT/python-home"
  if ! [ -f "$PYHOME/lib/python3.11/os.py" ]; then
    echo "run_test.sh: $PYHOME missing: run tests/realprograms/build.sh $OUT python" >&2
    exit 1
  fi
  py_env=(PYTHONHASHSEED=0 PYTHONUTF8=1 PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1)
  NATIVE_ENV=(PYTHONHOME="$PYHOME" "${py_env[@]}")
  WASM_ARGS=(--dir "$PYHOME/lib/python3.11::/usr/local/lib/python3.11" --env PYTHONHOME=/usr/local)
  for v in "${py_env[@]}"; do WASM_ARGS+=(--env "$v"); done
fi

# x MODE ARGS...: runs the program (stdin/stdout/stderr as given); MODE is native or wasm.
x() {
  local m="$1"
  shift
  if [ "$m" = native ]; then
    (cd "$WORK/native" && env HOME="$WORK/native" TZ=UTC "${NATIVE_ENV[@]}" "$NATIVE" "$@")
  else
    timeout -k 10 "$CMD_TIMEOUT" "${RUNNER[@]}" --dir "$WORK/wasm::/work" --env HOME=/work \
      "${WASM_ARGS[@]}" "$WASM" "$@"
  fi
}
# dir MODE: the work directory as the program sees it.
dir() { if [ "$1" = native ]; then echo "$WORK/native"; else echo /work; fi; }
# rec MODE NAME ARGS...: x, with stdout, stderr and status kept as NAME.out, NAME.err, NAME.rc.
rec() {
  local m="$1" n="$2"
  shift 2
  x "$m" "$@" >"$WORK/$m/$n.out" 2>"$WORK/$m/$n.err"
  echo $? >"$WORK/$m/$n.rc"
}
# setup_both CMD...: runs CMD once in each work directory (cwd), e.g. to copy the inputs.
setup_both() {
  local m
  for m in native wasm; do (cd "$WORK/$m" && "$@") || { echo "setup failed: $*"; exit 1; }; done
}
# expect_same_file MODE FILE REF: FILE (in MODE's work dir) must equal REF (a host path).
expect_same_file() {
  if ! cmp -s "$WORK/$1/$2" "$3"; then
    fail "$1: $2 differs from $(basename "$3") ($(cmp "$WORK/$1/$2" "$3" 2>&1 | head -1))"
  fi
}
expect_rc() { # MODE NAME WANT
  local got
  got="$(cat "$WORK/$1/$2.rc")"
  if [ "$got" != "$3" ]; then
    fail "$1: '$2' exited with $got, expected $3; stderr: $(head -c 600 "$WORK/$1/$2.err")"
  fi
}
expect_rc_nonzero() { # MODE NAME
  if [ "$(cat "$WORK/$1/$2.rc")" = 0 ]; then fail "$1: '$2' exited with 0, expected an error"; fi
}
# Flips one byte of FILE at OFFSET (to make corrupt inputs).
corrupt() { printf '\x55' | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

# compare_dirs [--stderr]: every file of WORK/wasm must equal WORK/native's (and the same set).
# *.err are compared only with --stderr. Host paths of the native side are first rewritten to
# /work in the .out/.err files.
compare_dirs() {
  local with_err=0
  [ "${1:-}" = --stderr ] && with_err=1
  local f
  for f in "$WORK"/native/*.out "$WORK"/native/*.err; do
    [ -f "$f" ] && sed -i "s|$WORK/native|/work|g" "$f"
  done
  local excl=()
  [ $with_err = 0 ] && excl=(-x '*.err')
  if ! diff -rq "${excl[@]}" "$WORK/native" "$WORK/wasm" >"$WORK/diff.txt" 2>&1; then
    fail "wasm output differs from native:"
    sed "s|$WORK/||g" "$WORK/diff.txt" | head -20
    local line a b
    while read -r line; do
      case "$line" in
        Files\ *\ differ)
          a="$(echo "$line" | awk '{print $2}')"
          b="$(echo "$line" | awk '{print $4}')"
          if grep -Iq . "$a" 2>/dev/null && grep -Iq . "$b" 2>/dev/null; then
            echo "--- diff ${a#"$WORK"/} ${b#"$WORK"/}"
            diff "$a" "$b" | head -40
          else
            echo "--- $(cmp "$a" "$b" 2>&1 | sed "s|$WORK/||g") (sizes $(stat -c %s "$a") / $(stat -c %s "$b"))"
          fi
          ;;
      esac
    done <"$WORK/diff.txt"
    # The stderr of the failing commands helps: show the wasm side's non-empty ones.
    for f in "$WORK"/wasm/*.err; do
      if [ -s "$f" ] && ! cmp -s "$f" "$WORK/native/$(basename "$f")"; then
        echo "--- wasm stderr of $(basename "$f" .err): $(head -c 400 "$f")"
      fi
    done
  fi
}

# ---- bzip2: upstream's `make test` (sample files compressed at -1/-2/-3 must equal the shipped
# .bz2, which must decompress to the .ref) plus file mode, multiple files, concatenated streams,
# integrity test and corrupt input, all compared with native.
test_bzip2() {
  local s="$SRC/bzip2"
  setup_both cp "$s"/sample1.ref "$s"/sample2.ref "$s"/sample3.ref "$s"/sample1.bz2 \
    "$s"/sample2.bz2 "$s"/sample3.bz2 .
  setup_both sh -c 'cat sample1.bz2 sample3.bz2 >cat.bz2 && cp sample2.ref f.txt &&
                    cp sample1.bz2 bad.bz2'
  setup_both corrupt bad.bz2 20000
  local m D
  for m in native wasm; do
    D="$(dir $m)"
    rec $m c1 -1 <"$s/sample1.ref"
    rec $m c2 -2 <"$s/sample2.ref"
    rec $m c3 -3 <"$s/sample3.ref"
    rec $m d1 -d <"$s/sample1.bz2"
    rec $m d2 -d <"$s/sample2.bz2"
    rec $m d3 -ds <"$s/sample3.bz2"
    rec $m cat -dc <"$WORK/$m/cat.bz2"
    rec $m keep -9 -k "$D/f.txt"
    rec $m test -t -v "$D/f.txt.bz2"
    rm -f "$WORK/$m/f.txt"
    rec $m dec -d "$D/f.txt.bz2"
    rec $m multi -k -4 "$D/sample1.ref" "$D/sample3.ref"
    rec $m exists -k "$D/sample1.ref"
    rec $m bad -t "$D/bad.bz2"
    rec $m baddc -dc <"$WORK/$m/bad.bz2"
    local i
    for i in 1 2 3; do
      expect_same_file $m c$i.out "$s/sample$i.bz2"
      expect_same_file $m d$i.out "$s/sample$i.ref"
      expect_rc $m c$i 0
      expect_rc $m d$i 0
    done
    cat "$s/sample1.ref" "$s/sample3.ref" >"$WORK/cat.ref"
    expect_same_file $m cat.out "$WORK/cat.ref"
    expect_rc $m keep 0
    expect_rc $m test 0
    expect_rc $m dec 0
    expect_same_file $m f.txt "$s/sample2.ref"
    [ -e "$WORK/$m/f.txt.bz2" ] && fail "$m: bzip2 -d kept f.txt.bz2"
    expect_rc $m multi 0
    expect_rc $m exists 1
    expect_rc $m bad 2
    expect_rc $m baddc 2
  done
  rm -f "$WORK/cat.ref"
  compare_dirs
}

# ---- zstd: zstd's golden files (decompression, compression at levels 1..19 with round trips,
# the golden dictionary), dictionary training, file mode (-k, -l, -t, -d -o), long mode,
# several files and corrupt input, all compared byte for byte with native.
test_zstd() {
  local s="$SRC/zstd"
  setup_both cp "$s"/tests/golden-decompression/empty-block.zst \
    "$s"/tests/golden-decompression/rle-first-block.zst "$s"/tests/golden-compression/http \
    "$s"/tests/golden-compression/huffman-compressed-larger \
    "$s"/tests/golden-compression/large-literal-and-match-lengths \
    "$s"/tests/golden-compression/PR-3517-block-splitter-corruption-test \
    "$s"/tests/golden-dictionaries/http-dict-missing-symbols .
  # corpus.txt: zstd's own compressor sources (800 KB of C); samples/: 2 KB pieces of it.
  (cd "$s" && cat $(find lib/compress -name '*.c' | LC_ALL=C sort)) >"$WORK/corpus.txt"
  setup_both cp "$WORK/corpus.txt" .
  setup_both sh -c 'mkdir samples && cd samples && head -c 400000 ../corpus.txt | split -b 2000 -a 3 - s'
  rm -f "$WORK/corpus.txt"
  "$NATIVE" -q -3 -c "$WORK/native/corpus.txt" >"$WORK/bad.zst"
  corrupt "$WORK/bad.zst" 5000
  setup_both cp "$WORK/bad.zst" .
  rm -f "$WORK/bad.zst"
  local samples
  samples="$(cd "$WORK/native/samples" && ls | LC_ALL=C sort)"
  local m D f l
  for m in native wasm; do
    D="$(dir $m)"
    for f in empty-block rle-first-block; do
      rec $m gd-$f -d -c <"$WORK/$m/$f.zst"
      expect_rc $m gd-$f 0
    done
    for f in http huffman-compressed-larger large-literal-and-match-lengths \
      PR-3517-block-splitter-corruption-test corpus.txt; do
      for l in 1 3 9 19; do
        local size=()
        # -19 with an unknown input size sets up tables for large inputs (0.25 s natively even
        # for a 1 KB input): tell it the size. The corpus gets -12 instead.
        [ $l = 19 ] && size=(--stream-size="$(stat -c %s "$WORK/$m/$f")")
        [ $f = corpus.txt ] && [ $l = 19 ] && l=12 && size=()
        rec $m c$l-$f -$l "${size[@]}" -c <"$WORK/$m/$f"
        rec $m r$l-$f -d -c <"$WORK/$m/c$l-$f.out"
        expect_rc $m c$l-$f 0
        expect_same_file $m r$l-$f.out "$WORK/$m/$f"
      done
    done
    rec $m dict-c -5 -D "$D/http-dict-missing-symbols" -c <"$WORK/$m/http"
    rec $m dict-d -d -D "$D/http-dict-missing-symbols" -c <"$WORK/$m/dict-c.out"
    expect_same_file $m dict-d.out "$WORK/$m/http"
    local args=()
    for f in $samples; do args+=("$D/samples/$f"); done
    rec $m train --train -q --maxdict=16384 "${args[@]}" -o "$D/trained.dict"
    expect_rc $m train 0
    rec $m tdict-c -3 -D "$D/trained.dict" -c <"$WORK/$m/http"
    rec $m tdict-d -d -D "$D/trained.dict" -c <"$WORK/$m/tdict-c.out"
    expect_same_file $m tdict-d.out "$WORK/$m/http"
    rec $m file-c -q -k -6 "$D/corpus.txt"
    rec $m file-l -l "$D/corpus.txt.zst"
    rec $m file-t -q -t "$D/corpus.txt.zst"
    rec $m file-d -q -d "$D/corpus.txt.zst" -o "$D/corpus.back"
    for f in file-c file-l file-t file-d; do expect_rc $m $f 0; done
    expect_same_file $m corpus.back "$WORK/$m/corpus.txt"
    rec $m long -q --long=24 -4 -c "$D/corpus.txt"
    rec $m long-d -q -d --long=24 -c "$D/long.out"
    expect_same_file $m long-d.out "$WORK/$m/corpus.txt"
    rec $m multi -q -k -2 "$D/http" "$D/large-literal-and-match-lengths"
    expect_rc $m multi 0
    rec $m bad -q -t "$D/bad.zst"
    expect_rc_nonzero $m bad
  done
  compare_dirs
}

# ---- sqlite3: sqlite/test.sql (tables, indexes, joins, window functions, CTEs, JSON, FTS5,
# R*Tree, triggers, savepoints, errors, output modes, .import/.output/.once/.dump/.read/.backup,
# VACUUM INTO) against a database file in the preopened directory, then the shell's command
# line modes on the result; stdout, stderr, exit codes and every database file must equal native.
test_sqlite3() {
  setup_both cp "$HERE/sqlite/extra.sql" .
  local m D
  for m in native wasm; do
    D="$(dir $m)"
    sed "s|@DIR@|$D|g" "$HERE/sqlite/test.sql" >"$WORK/$m.sql"
    rec $m script "$D/test.db" <"$WORK/$m.sql"
    rm -f "$WORK/$m.sql"
    rec $m dump "$D/test.db" .dump
    rec $m json -json "$D/copy.db" "SELECT name, salary FROM emp ORDER BY salary DESC, id LIMIT 5"
    rec $m csv -csv -header "$D/backup.db" "SELECT * FROM kv ORDER BY k LIMIT 10"
    rec $m readonly -readonly "$D/test.db" "INSERT INTO dept VALUES (9, 'x', 1)"
    rec $m missing "$D/no/such/dir/x.db" "SELECT 1"
    rec $m check "$D/copy.db" "PRAGMA integrity_check; SELECT count(*), sum(salary) FROM emp"
    expect_rc $m script 1 # the script's deliberate errors (with .bail off) make the exit status 1
    expect_rc $m dump 0
    expect_rc $m check 0
    expect_rc_nonzero $m readonly
    expect_rc_nonzero $m missing
    grep -qx 'ok' "$WORK/$m/script.out" || fail "$m: PRAGMA integrity_check did not print ok"
    grep -q '^90|2880067194370816120$' "$WORK/$m/script.out" || fail "$m: fib(90) missing"
  done
  compare_dirs --stderr
}

# ---- jq: jq's own test suites (tests/jq.test, base64.test, optional.test with --run-tests,
# which checks every result against the file; the modules of tests/modules; utf8-truncate.jq),
# then filters over a generated JSON file (grouping, sorting, paths, streams, dates, formats,
# slurp, raw input, errors), all compared with native.
test_jq() {
  local s="$SRC/jq/tests"
  setup_both cp -r "$s/modules" "$s/jq.test" "$s/base64.test" "$s/optional.test" \
    "$s/utf8-truncate.jq" .
  "$NATIVE" -n -c '[range(3000) | {id: ., name: "item\(.)", price: (. * 37 % 1000 / 8),
      tags: [range(. % 4) | "t\(.)"], ts: (1500000000 + . * 86399), ok: (. % 3 == 0)}]' \
    >"$WORK/items.json" || fail "native jq cannot generate items.json"
  setup_both cp "$WORK/items.json" .
  rm -f "$WORK/items.json"
  local m D t
  for m in native wasm; do
    D="$(dir $m)"
    for t in jq base64 optional; do
      rec $m suite-$t -L "$D/modules" --run-tests <"$WORK/$m/$t.test"
      expect_rc $m suite-$t 0
      grep -Eq '^([0-9]+) of \1 tests passed \(0 malformed\)$' "$WORK/$m/suite-$t.out" ||
        fail "$m: $t.test: $(tail -1 "$WORK/$m/suite-$t.out" | head -c 300)"
    done
    rec $m utf8 -n -f "$D/utf8-truncate.jq"
    [ "$(cat "$WORK/$m/utf8.out")" = true ] || fail "$m: utf8-truncate.jq did not print true"
    local i=0 q
    while IFS= read -r q; do
      [ -z "$q" ] && continue
      i=$((i + 1))
      rec $m q$i -c "$q" "$D/items.json"
      expect_rc $m q$i 0
    done <<'QUERIES'
group_by(.id % 7) | map({k: (.[0].id % 7), n: length, sum: (map(.price) | add), max: (map(.price) | max)})
map(select(.tags | length > 2)) | sort_by(-.price, .name) | .[:5]
.[:40] | map(.ts | todate)
.[:40] | map(.ts | gmtime | mktime) == (.[:40] | map(.ts))
.[:10] | map(.ts | strftime("%A %d %B %Y %H:%M:%S %j %U"))
["2015-03-05T23:51:47Z", "1999-12-31T23:59:59Z"] | map(fromdate)
.[:20] | map("\(.id),\(.name)" | @base64 | [., @base64d])
.[:20][] | [.id, .name, .price, .ok] | @csv, @tsv, @sh, @html, @uri
[paths] | length
[.[:5] | tostream] | (length, (fromstream(.[]) | length))
reduce .[] as $x ({}; .[$x.tags | join(",")] += 1)
[.[] | .price] | (add / length), (sort | .[length / 2 | floor]), min, max, (map(sqrt) | add | floor)
map(.name | ascii_upcase | explode | add) | unique | length
[limit(5; .[] | select(.ok))] | map(del(.tags) | to_entries | from_entries | keys)
[.[:200][] | {(.name): .price}] | add | with_entries(select(.value > 120)) | length
.[:3] | tojson | fromjson | walk(if type == "number" then . + 1 else . end)
[splits("\\d+"; null)?] | length, ([range(0; 10)] | combinations(2)? // "no combinations")
(.[0] | getpath(["tags"])), ([.[:100][] | .id] | indices([3, 4])), ("a,b, c" | split(", "))
[.[] | .price | tostring | length] | group_by(.) | map([.[0], length])
QUERIES
    rec $m slurp -s -c 'map(length)' "$D/modules/data.json" "$D/items.json"
    expect_rc $m slurp 0
    rec $m raw -R -s -c 'split("\n") | map(length) | add' "$D/jq.test"
    rec $m args -n -c --arg a x --argjson b '{"c":[1,2]}' '[$a, $b.c[1], $__loc__]'
    rec $m sorted -S --indent 1 '.[:2]' "$D/items.json"
    rec $m stream --stream -c 'select(length == 2) | .[0] | length' "$D/modules/data.json"
    rec $m error '.[0].name.x' "$D/items.json"
    expect_rc $m error 5
    rec $m missing . "$D/no-such-file.json"
    expect_rc_nonzero $m missing
  done
  compare_dirs
}

# ---- cmark: CommonMark's own spec tests (test/spec_tests.py: the 652 examples of spec.txt, the
# smart-punctuation and regression examples; one process per example, the markdown on stdin),
# then whole documents in every output format and option, compared with native. Needs python3
# on the host (the test driver is cmark's). The wasm program is given to spec_tests.py as
# "RUNNER... cmark.wasm", which it splits at spaces.
test_cmark() {
  local t="$SRC/cmark/test"
  if ! command -v python3 >/dev/null; then
    fail "python3 not found (cmark's spec_tests.py needs it: apt-get install python3)"
    return
  fi
  setup_both cp "$t/spec.txt" "$t/smart_punct.txt" "$t/regression.txt" .
  local m prog s
  for m in native wasm; do
    if [ $m = native ]; then prog="$NATIVE"; else prog="${RUNNER[*]} $WASM"; fi
    for s in spec:spec.txt: smart:smart_punct.txt:--smart regression:regression.txt:; do
      IFS=: read -r name file opt <<<"$s"
      python3 "$t/spec_tests.py" --no-normalize --spec "$t/$file" --program "$prog${opt:+ $opt}" \
        >"$WORK/$m/suite-$name.log" 2>&1
      tail -1 "$WORK/$m/suite-$name.log" >"$WORK/$m/suite-$name.out"
      grep -Eq '^[1-9][0-9]* passed, 0 failed, 0 errored, 0 skipped$' "$WORK/$m/suite-$name.out" ||
        fail "$m: spec_tests.py $file: $(tail -c 400 "$WORK/$m/suite-$name.log")"
      rm -f "$WORK/$m/suite-$name.log"
    done
    local D f
    D="$(dir $m)"
    for f in html xml man commonmark latex; do
      rec $m to-$f -t $f "$D/spec.txt"
      expect_rc $m to-$f 0
    done
    rec $m wrapped -t commonmark --width 60 --smart "$D/spec.txt"
    rec $m sourcepos --sourcepos --hardbreaks --unsafe -t xml "$D/spec.txt"
    rec $m safe --safe --validate-utf8 --nobreaks <"$WORK/$m/regression.txt"
    rec $m two-files "$D/smart_punct.txt" "$D/regression.txt"
    rec $m missing "$D/no-such-file.md"
    expect_rc_nonzero $m missing
  done
  grep -q '^652 passed' "$WORK/wasm/suite-spec.out" ||
    fail "wasm: expected 652 spec examples, got: $(cat "$WORK/wasm/suite-spec.out")"
  compare_dirs
}

# ---- CoreMark (2K performance run, seeds 0 0 0x66): the CRC lines must equal native's, the
# known-seed check must pass (no "ERROR! ... crc" lines). CoreMark counts a run shorter than 10 s
# as an error, so "Correct operation validated" appears only in runs of 10 s or more; a shorter
# run must have that as its only error.
test_coremark() {
  local iters="${COREMARK_ITERATIONS:-4000}" m
  for m in native wasm; do
    rec $m cm 0x0 0x0 0x66 "$iters"
    expect_rc $m cm 0
    local o="$WORK/$m/cm.out"
    grep -E '^(seedcrc|\[0\]crclist|\[0\]crcmatrix|\[0\]crcstate|\[0\]crcfinal|Iterations  |CoreMark Size)' \
      "$o" >"$WORK/$m/crc.txt"
    grep -q '^2K performance run parameters for coremark\.$' "$o" || fail "$m: not the 2K performance run"
    grep -q 'ERROR!.*crc' "$o" && fail "$m: CRC errors: $(grep 'ERROR!.*crc' "$o")"
    [ "$(grep -c . "$WORK/$m/crc.txt")" = 7 ] || fail "$m: missing CRC lines in the report"
    if ! grep -q '^Correct operation validated' "$o"; then
      if grep -v 'Must execute for at least 10 secs' "$o" | grep -q 'ERROR'; then
        fail "$m: errors in the report"
      fi
      grep -q 'Must execute for at least 10 secs' "$o" || fail "$m: neither validated nor short"
    fi
    mv "$o" "$WORK/cm-$m.report" # timings differ: not compared
    rm -f "$WORK/$m/cm.err"
  done
  compare_dirs
  echo "coremark ($iters iterations):"
  sed 's/^/  /' "$WORK/wasm/crc.txt"
}

# ---- lua: lua/test.lua (errors of every type through pcall/xpcall, 5000 and 20000 frames deep,
# nested pcalls to Lua's C-level limit, errors in metamethods, to-be-closed variables and
# finalizers, coroutines with errors and yields across pcall, strings, patterns, numbers, io/os
# in the preopened directory), ending with an uncaught runtime error: stdout, stderr (the
# program name normalised to "lua") and exit status 1 must equal native.
test_lua() {
  setup_both cp "$HERE/lua/test.lua" .
  local m D
  for m in native wasm; do
    D="$(dir $m)"
    rec $m test "$D/test.lua" "$D"
    expect_rc $m test 1
    grep -q '^137 gc count is a number: float; done, 137 checks$' "$WORK/$m/test.out" ||
      fail "$m: test.lua did not get to its last check: $(tail -1 "$WORK/$m/test.out" | head -c 300)"
    # lua.c prefixes its messages with argv[0]
    sed -i -e "s|^$NATIVE:|lua:|" -e "s|^$WASM:|lua:|" "$WORK/$m/test.err"
    grep -q "^lua: $D/test.lua:[0-9]*: attempt to index a nil value (local 'missing')\$" \
      "$WORK/$m/test.err" || fail "$m: not the final runtime error: $(head -c 300 "$WORK/$m/test.err")"
  done
  compare_dirs --stderr
  echo "lua: $(grep -c . "$WORK/wasm/test.out") lines of output compared"
}

# ---- cxx_exceptions: cxx_exceptions/main.cpp (throw across frames, a class hierarchy, rethrow,
# nested try in catch, std::function, destructors during unwinding with RAII counters,
# exception_ptr, library exceptions); exits 3 from the exception it catches last.
test_cxx_exceptions() {
  local m
  for m in native wasm; do
    rec $m run
    expect_rc $m run 3
    grep -q '^constructed [0-9]* destroyed [0-9]* live 0$' "$WORK/$m/run.out" ||
      fail "$m: objects leaked or the program stopped early: $(tail -1 "$WORK/$m/run.out" | head -c 300)"
    local a b
    a="$(sed -n 's/^constructed \([0-9]*\) destroyed \([0-9]*\).*/\1/p' "$WORK/$m/run.out")"
    b="$(sed -n 's/^constructed \([0-9]*\) destroyed \([0-9]*\).*/\2/p' "$WORK/$m/run.out")"
    [ "$a" = "$b" ] || fail "$m: $a objects constructed, $b destroyed"
  done
  compare_dirs --stderr
  echo "cxx_exceptions: $(grep -c . "$WORK/wasm/run.out") lines of output compared"
}

# ---- simd: simd/kernels.c, with -msimd128 (simd.wasm) and without (simd-nosimd.wasm), both
# against native: the checksums of every kernel must agree.
test_simd() {
  local nosimd="$OUT/wasm/simd-nosimd.wasm"
  if ! [ -f "$nosimd" ]; then
    echo "run_test.sh: $nosimd missing: run tests/realprograms/build.sh $OUT simd" >&2
    exit 1
  fi
  local m
  for m in native wasm; do
    rec $m kernels 2000
    expect_rc $m kernels 0
    grep -q '^all kernels done$' "$WORK/$m/kernels.out" || fail "$m: kernels did not finish"
  done
  # The variant without SIMD, beside the wasm side's (compared with native's kernels.out).
  timeout -k 10 "$CMD_TIMEOUT" "${RUNNER[@]}" "$nosimd" 2000 >"$WORK/nosimd.out" 2>"$WORK/nosimd.err"
  echo $? >"$WORK/nosimd.rc"
  [ "$(cat "$WORK/nosimd.rc")" = 0 ] || fail "simd-nosimd.wasm exited with $(cat "$WORK/nosimd.rc"): $(head -c 300 "$WORK/nosimd.err")"
  cmp -s "$WORK/nosimd.out" "$WORK/native/kernels.out" ||
    { fail "simd-nosimd.wasm differs from native:"; diff "$WORK/native/kernels.out" "$WORK/nosimd.out" | head -20; }
  rm -f "$WORK/nosimd.out" "$WORK/nosimd.err" "$WORK/nosimd.rc"
  compare_dirs --stderr
  # SIMD instructions (prefix 0xfd) in each module, when wabt is there to count them.
  local v128="" v0
  if command -v wasm-objdump >/dev/null; then
    v128="$(wasm-objdump -d "$WASM" | grep -cE '^ *[0-9a-f]+: fd ')"
    v0="$(wasm-objdump -d "$nosimd" | grep -cE '^ *[0-9a-f]+: fd ')"
    [ "$v128" -gt 0 ] || fail "simd.wasm has no v128 instructions"
    [ "$v0" = 0 ] || fail "simd-nosimd.wasm has $v0 v128 instructions"
    v128=", $v128 v128 instructions in simd.wasm"
  fi
  echo "simd: $(grep -c . "$WORK/wasm/kernels.out") lines compared (simd.wasm and simd-nosimd.wasm$v128)"
}

# ---- python: python/test.py (bignums, float repr, unicode, dicts/sets, classes and dunder
# methods, generators, coroutines, closures, exceptions with tracebacks and exception groups,
# recursion 10000 deep and a RecursionError, re, json, struct, pickle, hashlib, zlib/gzip,
# collections, itertools, functools, decimal, fractions, datetime, files in the preopened
# directory, sorting 200000 numbers), ending with an uncaught JSONDecodeError: stdout, stderr
# (the chained traceback through json's modules, the stdlib's path normalised) and exit status 1
# must equal native. Then small scripts: sys.exit codes, a SyntaxError, a script on stdin.
test_python() {
  setup_both cp "$HERE/python/test.py" .
  local m D
  for m in native wasm; do
    D="$(dir $m)"
    rec $m test "$D/test.py" "$D"
    expect_rc $m test 1
    grep -q '^[ 0-9]* done, [0-9]* checks$' "$WORK/$m/test.out" ||
      fail "$m: test.py did not get to its last check: $(tail -1 "$WORK/$m/test.out" | head -c 300)"
    grep -q '^json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)$' \
      "$WORK/$m/test.err" || fail "$m: not the final uncaught JSONDecodeError: $(tail -c 300 "$WORK/$m/test.err")"
    rec $m exit3 -c 'import sys; print("bye"); sys.exit(3)'
    expect_rc $m exit3 3
    rec $m exitmsg -c 'raise SystemExit("fatal: message")'
    expect_rc $m exitmsg 1
    rec $m syntax -c 'x = (1,'
    expect_rc $m syntax 1
    rec $m stdin - a b <<<'import sys; print(sys.argv[1:], sum(range(10**5)), "é".encode())'
    expect_rc $m stdin 0
  done
  # stderr names the stdlib only through its path: natively the build's tree, /usr/local/lib in
  # the guest.
  sed -i "s|$PYHOME/lib/python3.11|/usr/local/lib/python3.11|g" "$WORK"/native/*.err
  compare_dirs --stderr
  echo "python: $(grep -c . "$WORK/wasm/test.out") lines of output compared"
}

case "$PROG" in
  bzip2 | zstd | sqlite3 | jq | coremark | lua | cxx_exceptions | simd | cmark | python) "test_$PROG" ;;
  *)
    echo "run_test.sh: unknown program $PROG" >&2
    rm -rf "$WORK"
    exit 2
    ;;
esac

if [ $failures -gt 0 ]; then
  echo "real/$PROG: $failures failure(s); work directory kept: $WORK"
  exit 1
fi
echo "real/$PROG: wasm output matches native ($(ls "$WORK/wasm" | wc -l) files compared)"
if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work directory: $WORK"; else rm -rf "$WORK"; fi
exit 0
