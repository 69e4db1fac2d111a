#!/bin/bash
# Times real wasm32-wasi programs natively, under Node's WASI and under corowasm:
#   bench/wasi/time_programs.sh OUTDIR COROWASM_BIN
# OUTDIR is tests/realprograms/build.sh's output directory (build.sh runs first, for the programs
# of the selected workloads; it does nothing when they are up to date), e.g.
# <build>/tests/realprograms/programs.
# Each workload runs REPEAT times (default 3) on each engine; the table shows the best wall time
# (process start included) and the ratios corowasm/native and corowasm/node. Every run's stdout
# is checked against the native run's (WRONG otherwise); a failed run shows as "fail".
# The last lines are the geomeans of corowasm/native and corowasm/node over the workloads, each
# with its worst workload ("real programs vs native: R ..."); the exit status is 1 when a
# workload failed or printed something else than native.
# Environment: REPEAT, NODE (default node), WORKLOADS (names to run, default all),
#              COREMARK_BENCH_ITERATIONS (default 20000, about 0.7 s natively).
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 OUTDIR COROWASM_BIN" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
COROWASM="$2"
REPEAT="${REPEAT:-3}"
NODE="${NODE:-node}"
NODE_RUNNER="$REPO/tests/realprograms/node_wasi_run.mjs"
CM_ITERS="${COREMARK_BENCH_ITERATIONS:-20000}"

# name | program | arguments (@ is the work directory: /work in the guest) | stdin file or -
WORKLOAD_TABLE="
bzip2-9        | bzip2    | -9 -c @/corpus.txt                                  | -
bzip2-d        | bzip2    | -d -c @/corpus.txt.bz2                              | -
zstd-9         | zstd     | -q -9 -c @/corpus.txt                               | -
zstd-19        | zstd     | -q -19 -c @/corpus2.txt                             | -
zstd-d         | zstd     | -q -d -c @/corpus.txt.zst @/corpus.txt.zst @/corpus.txt.zst @/corpus.txt.zst @/corpus.txt.zst @/corpus.txt.zst @/corpus.txt.zst @/corpus.txt.zst | -
sqlite3        | sqlite3  | @/bench.db                                          | sqlite_bench.sql
jq             | jq       | -n -c @JQ                                           | -
coremark       | coremark | 0x0 0x0 0x66 $CM_ITERS                              | -
cmark          | cmark    | --smart @/spec30.md                                 | -
cmark-cm       | cmark    | -t commonmark --width 72 @/spec30.md                | -
python         | python   | @/python_bench.py                                   | -
"
# jq's workload is its filter (an argument with spaces, hence the @JQ placeholder): arithmetic,
# strings, sorting and a naive prime sieve, all in jq's interpreter, little memory. (Node 20
# crashes in V8's GC on jq runs that grow memory to hundreds of MB, so no big JSON input.)
JQ_FILTER='reduce range(1500000) as $i (0; . + ($i * $i % 7)), ([range(30000) | tostring | explode | add] | sort | unique | length), ([range(1; 4000)] | map(select(. as $n | all(range(2; $n) | select(. * . <= $n); $n % . != 0))) | length)'

selected() { [ -z "${WORKLOADS:-}" ] || [[ " $WORKLOADS " == *" $1 "* ]]; }

# build.sh builds (or finds up to date) the programs the selected workloads run, and only those.
programs=""
while IFS='|' read -r name prog _; do
  name="$(echo $name)" prog="$(echo $prog)"
  [ -z "$name" ] && continue
  selected "$name" && [[ " $programs " != *" $prog "* ]] && programs="$programs $prog"
done <<<"$WORKLOAD_TABLE"
[ -z "$programs" ] && { echo "no workload selected (WORKLOADS=$WORKLOADS)" >&2; exit 2; }
# A program that fails to build leaves its workloads as "fail" (and the exit status 1).
"$REPO/tests/realprograms/build.sh" "$OUT" $programs >&2 ||
  echo "time_programs.sh: build.sh failed for some programs (see above); their workloads fail" >&2

WORK="$(mktemp -d "${TMPDIR:-/tmp}/time_programs.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Inputs: corpus.txt is 6 MB of C (the fetched sources, in a fixed order; not cmark's,
# python's and zlib's, which came later: the corpus stays what it was), corpus2.txt its first 2 MB; the
# compressed inputs are made by the native programs.
if [[ " $programs " == *" bzip2 "* || " $programs " == *" zstd "* ]]; then
  (cd "$OUT/src" && find . \( -path ./python3.11 -o -path ./zlib -o -path ./cmark \) -prune -o -type f \
    \( -name '*.c' -o -name '*.h' \) -print | LC_ALL=C sort |
    xargs cat) 2>/dev/null | head -c 6000000 >"$WORK/corpus.txt"
  head -c 2000000 "$WORK/corpus.txt" >"$WORK/corpus2.txt"
fi
[[ " $programs " == *" bzip2 "* ]] && "$OUT/native/bzip2" -9 -c "$WORK/corpus.txt" >"$WORK/corpus.txt.bz2"
[[ " $programs " == *" zstd "* ]] && "$OUT/native/zstd" -q -3 -c "$WORK/corpus.txt" >"$WORK/corpus.txt.zst"
cp "$HERE/sqlite_bench.sql" "$HERE/python_bench.py" "$WORK/"
# cmark's input: CommonMark's spec (the fetched cmark source's test/spec.txt) 30 times, 6 MB.
if [[ " $programs " == *" cmark "* ]]; then
  for ((i = 0; i < 30; i++)); do cat "$OUT/src/cmark/test/spec.txt"; done >"$WORK/spec30.md"
fi

# python: the stdlib tree build.sh made (see tests/realprograms/run_test.sh), natively as
# PYTHONHOME, under WASI preopened at the interpreter's prefix; string hashes not randomised.
PYHOME="$OUT/python-home"
PY_ENV=(PYTHONHASHSEED=0 PYTHONUTF8=1 PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1)
PY_NATIVE_ENV=(PYTHONHOME="$PYHOME" "${PY_ENV[@]}")
PY_WASM_ARGS=(--dir "$PYHOME/lib/python3.11::/usr/local/lib/python3.11" --env PYTHONHOME=/usr/local)
for v in "${PY_ENV[@]}"; do PY_WASM_ARGS+=(--env "$v"); done


now() { date +%s%N; }

# run_once ENGINE PROGRAM STDIN ARGS...: runs once in WORK, stdout to WORK/out; prints the wall
# time in ns, or "fail".
run_once() {
  local engine="$1" prog="$2" stdin="$3"
  shift 3
  local args=() a
  for a in "$@"; do
    [ "$a" = @JQ ] && a="$JQ_FILTER"
    if [ "$engine" = native ]; then args+=("${a//@/$WORK}"); else args+=("${a//@//work}"); fi
  done
  local in=/dev/null
  [ "$stdin" != - ] && in="$WORK/$stdin"
  local nenv=() wargs=()
  if [ "$prog" = python ]; then nenv=("${PY_NATIVE_ENV[@]}") wargs=("${PY_WASM_ARGS[@]}"); fi
  rm -f "$WORK/bench.db"
  local t0 t1 rc
  t0=$(now)
  case "$engine" in
    native) (cd "$WORK" && env HOME="$WORK" "${nenv[@]}" nice -n 0 "$OUT/native/$prog" "${args[@]}") ;;
    node) "$NODE" "$NODE_RUNNER" --dir "$WORK::/work" --env HOME=/work "${wargs[@]}" "$OUT/wasm/$prog.wasm" "${args[@]}" ;;
    corowasm) "$COROWASM" run --dir "$WORK::/work" --env HOME=/work "${wargs[@]}" "$OUT/wasm/$prog.wasm" "${args[@]}" ;;
  esac <"$in" >"$WORK/out" 2>"$WORK/err"
  rc=$?
  t1=$(now)
  if [ $rc != 0 ]; then
    echo fail
    echo "  $engine $prog exited with $rc: $(head -c 300 "$WORK/err")" >>"$WORK/notes"
  else
    echo $((t1 - t0))
  fi
}

# The part of stdout that must not depend on the engine (CoreMark prints its timings).
digest() {
  if [ "$1" = coremark ]; then
    grep -E '^(seedcrc|\[0\]crc)' "$WORK/out" | sha256sum
  else
    sha256sum <"$WORK/out"
  fi
}

secs() { if [ "$1" = fail ] || [ "$1" = WRONG ]; then echo "$1"; else awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }'; fi; }
ratio() {
  case "$1$2" in *fail* | *WRONG* | *-*) echo "-" ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' ;; esac
}

ENGINES="native node corowasm"
if ! command -v "$NODE" >/dev/null; then
  echo "(node not found: no node column; install Debian's nodejs for Node's node:wasi)"
  ENGINES="native corowasm"
fi
printf '%-10s %10s %10s %10s %10s %10s\n' workload native node corowasm cw/native cw/node
: >"$WORK/notes"
: >"$WORK/ratios"
while IFS='|' read -r name prog args stdin; do
  name="$(echo $name)"
  [ -z "$name" ] && continue
  selected "$name" || continue
  prog="$(echo $prog)"
  stdin="$(echo $stdin)"
  read -r -a argv <<<"$args"
  declare -A best=()
  ref=""
  best[node]=-
  for engine in $ENGINES; do
    b=-
    for ((i = 0; i < REPEAT; i++)); do
      t="$(run_once "$engine" "$prog" "$stdin" "${argv[@]}")"
      if [ "$t" = fail ]; then b=fail; break; fi
      d="$(digest "$prog")"
      if [ "$engine" = native ] && [ -z "$ref" ]; then ref="$d"; fi
      if [ "$d" != "$ref" ]; then
        b=WRONG
        echo "  $engine $name: stdout differs from native's" >>"$WORK/notes"
        break
      fi
      if [ "$b" = - ] || [ "$t" -lt "$b" ]; then b=$t; fi
    done
    best[$engine]=$b
  done
  printf '%-10s %10s %10s %10s %10s %10s\n' "$name" "$(secs "${best[native]}")" "$(secs "${best[node]}")" \
    "$(secs "${best[corowasm]}")" "$(ratio "${best[corowasm]}" "${best[native]}")" \
    "$(ratio "${best[corowasm]}" "${best[node]}")"
  echo "$name $(ratio "${best[corowasm]}" "${best[native]}") $(ratio "${best[corowasm]}" "${best[node]}")" >>"$WORK/ratios"
  unset best
done <<<"$WORKLOAD_TABLE"
status=0
if [ -s "$WORK/notes" ]; then
  echo "notes:"
  cat "$WORK/notes"
  status=1
fi
echo "(best of $REPEAT wall times in seconds, process start included; cw = corowasm)"
# Geomeans over the workloads that ran (a failed or wrong one is left out and named), with the
# worst workload beside each.
summary() { # COLUMN LABEL
  awk -v c="$1" -v label="$2" '
    $c != "-" { n++; s += log($c); if ($c > worst) { worst = $c; wname = $1 } }
    $c == "-" { miss = miss " " $1 }
    END {
      if (n == 0) { printf "%s: - (no workload ran)\n", label; exit }
      printf "%s: %.2f (geomean of %d workloads; worst %s %.2f)", label, exp(s / n), n, wname, worst
      if (miss != "") printf "; missing:%s", miss
      printf "\n"
    }' "$WORK/ratios"
}
summary 2 "real programs vs native"
if [ "$ENGINES" != "native corowasm" ]; then summary 3 "real programs vs node"; fi
exit $status
