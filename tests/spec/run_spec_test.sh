#!/bin/sh
# Runs one spec test file (called by ctest, see CMakeLists.txt):
#   run_spec_test.sh <wast2json> "<flags>" <file.wast> <out_dir> <name> <corowasm_spec> <label>
# 1. converts <file.wast> with wast2json into a fresh <out_dir>/<name>.json (a build folder,
#    never the testsuite folder), 2. replaces itself with corowasm_spec on that JSON, so the
#    runner's summary line is the last line of the test's output and its exit code is the test's.
set -u
if [ $# -ne 7 ]; then
  echo "usage: $0 <wast2json> <flags> <file.wast> <out_dir> <name> <corowasm_spec> <label>" >&2
  exit 2
fi
wast2json=$1 flags=$2 wast=$3 out=$4 name=$5 runner=$6 label=$7

if [ ! -x "$runner" ]; then
  echo "$label: $runner does not exist; build the corowasm_spec target first"
  exit 1
fi
# Guard the rm -rf below: the output folder must be a spec/<group>/<name> build folder.
case "$out" in
  */spec/*/"$name") ;;
  *) echo "$label: refusing to use output folder '$out'"; exit 1 ;;
esac
# Start empty, so that no stale module or .result file survives.
rm -rf "$out" && mkdir -p "$out" || exit 1

# $flags is unquoted on purpose: a space-separated list, possibly empty.
if ! "$wast2json" $flags "$wast" -o "$out/$name.json"; then
  echo "$label: wast2json $flags failed on $wast"
  exit 1
fi
exec "$runner" "$out/$name.json" --label "$label"
