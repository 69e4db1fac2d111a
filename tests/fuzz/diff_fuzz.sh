#!/usr/bin/env bash
# Differential fuzzing against binaryen: for each seed, binaryen's `wasm-opt -ttf` turns a
# deterministic pseudo-random seed file into a valid module using only features corowasm
# supports, binaryen's interpreter runs every export (`--fuzz-exec-before`), and diff_runner
# runs the same exports in corowasm and compares results, traps and log calls.
#
#   tests/fuzz/diff_fuzz.sh RUNNER N [START_SEED]
#   tests/fuzz/diff_fuzz.sh --self-check RUNNER   the comparison must catch a changed result,
#                                                 log value and trap in binaryen's output
#
# Environment: WASM_OPT (default wasm-opt), WASM_VALIDATE (default wasm-validate),
# DIFF_FUZZ_DIR (scratch directory, default a fresh mktemp -d), DIFF_FUZZ_KEEP=1 keeps every
# mismatching seed's module and both outputs there (mismatch-<seed>.*).
#
# Feature profiles, by seed: three seeds in four use MVP + sign-ext, mutable-globals,
# nontrapping-float-to-int, bulk-memory, multivalue, tail-call; every fourth seed adds
# reference-types. Binaryen 108's reference-types makes funcref a subtype of its anyref
# (encoded as externref), which the standard does not allow, so most of those modules are
# invalid: each of them is checked with wabt's wasm-validate first, and a module wabt rejects
# too is counted as "invalid (binaryen)" and not run. A module wabt accepts and corowasm
# rejects is a mismatch.
#
# Last line: "diff-fuzz: N passed, M failed" (N seeds that matched, M that did not).
set -uo pipefail
self_check=0
if [ "${1:-}" = --self-check ]; then self_check=1; shift; set -- "$1" 1 41; fi
runner=${1:?usage: diff_fuzz.sh RUNNER N [START_SEED]}
count=${2:?usage: diff_fuzz.sh RUNNER N [START_SEED]}
start=${3:-1}
wasm_opt=${WASM_OPT:-wasm-opt}
wasm_validate=${WASM_VALIDATE:-wasm-validate}
dir=${DIFF_FUZZ_DIR:-$(mktemp -d)}
mkdir -p "$dir"

for tool in "$wasm_opt" "$wasm_validate" "$runner"; do
  command -v "$tool" >/dev/null || { echo "diff-fuzz: $tool not found (tools/install-deps.sh installs binaryen and wabt)"; exit 1; }
done

base=(--mvp-features --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int
      --enable-bulk-memory --enable-multivalue --enable-tail-call)

traps=0 logs=0 generated=0 invalid=0 rejected=0 seeds_ok=0 seeds_bad=0 exports=0 matched=0 mismatched=0 stack_stops=0
# generate SEED: the seed file, feats and $dir/m.wasm; fails when -ttf does.
generate() {
  feats=("${base[@]}")
  (( $1 % 4 == 0 )) && feats+=(--enable-reference-types)
  "$runner" --make-seed "$1" "$dir/seed" || { echo "diff-fuzz: cannot write $dir/seed"; exit 1; }
  "$wasm_opt" "$dir/seed" -ttf "${feats[@]}" --denan -o "$dir/m.wasm" 2>"$dir/gen.err"
}

if [ $self_check = 1 ]; then
  # Seed 41's module (no reference types) has integer results, log calls and traps.
  generate 41 || { echo "diff-fuzz: wasm-opt -ttf failed"; exit 1; }
  "$wasm_opt" "$dir/m.wasm" "${feats[@]}" --fuzz-exec-before -q >"$dir/binaryen.txt" 2>/dev/null
  "$runner" "$dir/m.wasm" "$dir/binaryen.txt" || { echo "diff-fuzz: self-check: seed 41 itself does not match"; exit 1; }
  ok=0 bad=0
  # Pairs of (first line matching, its replacement): a result, a log value, a trap kind.
  edits=('note result: [^ ]* => -\?[0-9][0-9]*$' 'note result: X => 424242'
         'logging -\?[0-9][0-9]*\]$' 'logging 424242]'
         '^\[trap .*\]$' '[trap i32.div_s by 0]')
  for ((k = 0; k < ${#edits[@]}; k += 2)); do
    pat=${edits[k]} rep=${edits[k + 1]}
    sed "0,/$pat/s//$rep/" "$dir/binaryen.txt" >"$dir/edited.txt"
    if cmp -s "$dir/binaryen.txt" "$dir/edited.txt"; then
      echo "diff-fuzz: self-check: no line matches $pat in binaryen's output"; bad=$((bad + 1)); continue
    fi
    "$runner" "$dir/m.wasm" "$dir/edited.txt" >"$dir/runner.txt"
    rc=$?
    if [ $rc -eq 1 ] && grep -q MISMATCH "$dir/runner.txt"; then
      echo "diff-fuzz: self-check: '$rep' caught: $(grep -m1 '^  >' "$dir/runner.txt")"; ok=$((ok + 1))
    else
      echo "diff-fuzz: self-check: '$rep' NOT caught (exit $rc)"; bad=$((bad + 1))
    fi
  done
  echo "diff-fuzz: $ok passed, $bad failed"
  [ $bad -eq 0 ]
  exit
fi

for ((seed = start; seed < start + count; ++seed)); do
  (( (seed - start) % 1000 == 999 )) &&
    echo "diff-fuzz: progress: $((seed - start + 1)) seeds, $exports exports compared, $mismatched mismatched"
  if ! generate "$seed"; then
    echo "diff-fuzz: seed $seed: wasm-opt -ttf failed: $(head -c 300 "$dir/gen.err")"
    seeds_bad=$((seeds_bad + 1))
    continue
  fi
  generated=$((generated + 1))
  if (( seed % 4 == 0 )) && ! "$wasm_validate" --enable-tail-call "$dir/m.wasm" >/dev/null 2>&1; then
    invalid=$((invalid + 1))
    continue
  fi
  "$wasm_opt" "$dir/m.wasm" "${feats[@]}" --fuzz-exec-before -q >"$dir/binaryen.txt" 2>/dev/null
  "$runner" "$dir/m.wasm" "$dir/binaryen.txt" >"$dir/runner.txt" 2>&1
  rc=$?
  summary=$(grep '^diff-runner: exports compared' "$dir/runner.txt")
  if [[ $summary =~ compared:\ ([0-9]+),\ matched:\ ([0-9]+),\ mismatched:\ ([0-9]+) ]]; then
    exports=$((exports + BASH_REMATCH[1]))
    matched=$((matched + BASH_REMATCH[2]))
    mismatched=$((mismatched + BASH_REMATCH[3]))
  fi
  if [[ $summary =~ traps\ matched:\ ([0-9]+),\ log\ calls\ matched:\ ([0-9]+) ]]; then
    traps=$((traps + BASH_REMATCH[1]))
    logs=$((logs + BASH_REMATCH[2]))
  fi
  grep -q 'known equivalence' "$dir/runner.txt" && stack_stops=$((stack_stops + 1))
  if [ $rc -eq 0 ]; then
    seeds_ok=$((seeds_ok + 1))
    continue
  fi
  [ $rc -eq 2 ] && rejected=$((rejected + 1))
  seeds_bad=$((seeds_bad + 1))
  echo "diff-fuzz: seed $seed (features: ${feats[*]}) does not match:"
  sed 's/^/    /' "$dir/runner.txt"
  if [ "${DIFF_FUZZ_KEEP:-0}" = 1 ]; then
    cp "$dir/m.wasm" "$dir/mismatch-$seed.wasm"
    cp "$dir/binaryen.txt" "$dir/mismatch-$seed.binaryen.txt"
    cp "$dir/runner.txt" "$dir/mismatch-$seed.corowasm.txt"
  fi
done

echo "diff-fuzz: seeds $start..$((start + count - 1)): modules generated: $generated," \
     "invalid (binaryen, rejected by wabt too): $invalid, rejected by corowasm: $rejected"
echo "diff-fuzz: exports compared: $exports, matched: $matched, mismatched: $mismatched" \
     "(traps matched: $traps, log calls matched: $logs); modules stopped at binaryen's stack limit: $stack_stops"
echo "diff-fuzz: $seeds_ok passed, $seeds_bad failed"
# Fails too when nothing was compared at all.
[ $seeds_bad -eq 0 ] && [ $exports -gt 0 ]
