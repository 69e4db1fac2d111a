#!/usr/bin/env bash
# Driver for one WASI test (tests/wasi). Runs FILE.wasm under the WASI runner and compares its
# stdout and exit status with an expected-output file, or with the same program built natively.
#
#   run_wasi_test.sh --name NAME --runner COROWASM --wasm FILE.wasm --scratch DIR
#       [--native BIN] [--expected FILE] [--status N] [--expect-stderr]
#       [--stdin FILE | --stdin-seq N] [--setup none|sandbox|escape|readonly] [--sandbox-arg]
#       [--env K=V]... [--timeout SECONDS] [-- GUEST_ARGS...]     (@EMPTY@ = an empty argument)
#
# The runner is `COROWASM run`; the environment variable WASI_RUNNER replaces that prefix, e.g.
#   WASI_RUNNER="node tests/wasi/node_wasi_run.mjs" ctest -L wasi
# (any runner taking [--dir H::G]... [--ro-dir H::G]... [--env K=V]... FILE.wasm ARGS...).
#
# --setup sandbox   fresh directory preopened as /sandbox (natively: the same kind of directory)
# --setup escape    <scratch>/inside preopened as /sandbox, <scratch>/outside next to it, symlinks
#                   pointing out (see escape.c); the host path of outside/ is the first guest
#                   argument; outside/ must be unchanged afterwards
# --setup readonly  <scratch>/ro with a few files, preopened read-only (--ro-dir); unchanged after
# --sandbox-arg     first guest argument: "/sandbox" for wasm, the real directory natively
# Natively the program runs under `env -i` with exactly the --env variables.
set -u

name="" runner="" wasm="" native="" expected="" status=0 expect_stderr=0
stdin_file="" stdin_seq="" setup=none sandbox_arg=0 timeout_s=${WASI_TEST_TIMEOUT:-120} scratch=""
envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --name) name=$2; shift 2 ;;
    --runner) runner=$2; shift 2 ;;
    --wasm) wasm=$2; shift 2 ;;
    --native) native=$2; shift 2 ;;
    --expected) expected=$2; shift 2 ;;
    --status) status=$2; shift 2 ;;
    --expect-stderr) expect_stderr=1; shift ;;
    --stdin) stdin_file=$2; shift 2 ;;
    --stdin-seq) stdin_seq=$2; shift 2 ;;
    --setup) setup=$2; shift 2 ;;
    --sandbox-arg) sandbox_arg=1; shift ;;
    --env) envs+=("$2"); shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --scratch) scratch=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run_wasi_test.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
# CMake cannot pass an empty argument through a list: the token @EMPTY@ stands for "".
guest_args=()
for a in "$@"; do
  if [ "$a" = "@EMPTY@" ]; then guest_args+=(""); else guest_args+=("$a"); fi
done

die() { echo "FAIL [$name]: $*" >&2; exit 1; }
[ -n "$wasm" ] && [ -n "$scratch" ] || die "need --wasm and --scratch"
[ -f "$wasm" ] || die "no such wasm file: $wasm (was the corowasm_wasi_programs target built?)"

if [ -n "${WASI_RUNNER:-}" ]; then
  read -r -a prefix <<< "$WASI_RUNNER"
else
  [ -n "$runner" ] && [ -x "$runner" ] || die "corowasm binary not found: '$runner' (build the corowasm target, or set WASI_RUNNER)"
  prefix=("$runner" run)
fi

rm -rf "$scratch"
mkdir -p "$scratch" || die "cannot create $scratch"
scratch=$(cd "$scratch" && pwd -P)

feed() {
  if [ -n "$stdin_file" ]; then cat "$stdin_file"
  elif [ -n "$stdin_seq" ]; then seq 1 "$stdin_seq"
  fi
}

# Lay out the directory tree for one run under $1; prints the preopen options for the runner.
setup_tree() {
  local top=$1
  mkdir -p "$top"
  case "$setup" in
    none) ;;
    sandbox) mkdir -p "$top/sandbox" ;;
    escape)
      mkdir -p "$top/inside/sub" "$top/inside/empty" "$top/outside/target_dir" "$top/outside/empty_dir"
      echo "TOP SECRET" > "$top/outside/secret.txt"
      echo "target file" > "$top/outside/target_dir/file.txt"
      echo "inside data" > "$top/inside/data.txt"
      (
        cd "$top/inside" || exit 1
        ln -s "$top/outside/secret.txt" abs_link
        ln -s /etc/passwd etc_link
        ln -s ../outside/secret.txt rel_link
        ln -s / root_link
        ln -s chain2 chain1
        ln -s ../outside/secret.txt chain2
        ln -s sub/up_link chain_sub
        ln -s ../../outside/secret.txt sub/up_link
        ln -s .. dotdot_link
        ln -s ../outside/target_dir dir_link
        ln -s "$top/outside/target_dir" abs_dir_link
        ln -s data.txt ok_link
        ln -s ok_link ok_chain
        ln -s sub ok_dir_link
        ln -s ../data.txt sub/ok_up
        ln -s sub/../data.txt ok_dotdot
        ln -s ../outside/missing missing_link
        ln -s "$top/outside/missing" abs_missing_link
      ) || die "escape setup failed"
      ;;
    readonly)
      mkdir -p "$top/ro/sub" "$top/ro/empty"
      printf 'read only data\n' > "$top/ro/data.txt"
      printf 'inner\n' > "$top/ro/sub/inner.txt"
      ln -s data.txt "$top/ro/link"
      ;;
    *) die "unknown --setup $setup" ;;
  esac
}

# A listing of everything under $1 that a guest must not be able to change (names, types,
# sizes, modes, link targets, mtimes, contents). Access times are left out: reads change them.
snapshot() {
  (cd "$1" && find . -printf '%p %y %s %m %l %T@\n' | LC_ALL=C sort &&
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

failed=0
fail() { echo "FAIL [$name]: $*"; failed=1; }

# ---- the wasm run
wtop="$scratch/wasm"
setup_tree "$wtop"
preopen=()
pre_args=()
case "$setup" in
  sandbox) preopen=(--dir "$wtop/sandbox::/sandbox") ;;
  escape) preopen=(--dir "$wtop/inside::/sandbox"); pre_args=("$wtop/outside") ;;
  readonly) preopen=(--ro-dir "$wtop/ro::/sandbox") ;;
esac
[ "$sandbox_arg" = 1 ] && pre_args=(/sandbox)
envopts=()
for kv in "${envs[@]+"${envs[@]}"}"; do envopts+=(--env "$kv"); done
guarded=""
case "$setup" in
  escape) guarded="$wtop/outside" ;;
  readonly) guarded="$wtop/ro" ;;
esac
[ -n "$guarded" ] && snapshot "$guarded" > "$scratch/guarded.before"
# The symlinks inside before the run: any other one left afterwards must lead inside (for host
# programs following it, not only for the confined guest).
links_inside() { (cd "$1" && find . -type l | LC_ALL=C sort); }
[ "$setup" = escape ] && links_inside "$wtop/inside" > "$scratch/links.before"

cmd=("${prefix[@]}" "${preopen[@]+"${preopen[@]}"}" "${envopts[@]+"${envopts[@]}"}" "$wasm"
     "${pre_args[@]+"${pre_args[@]}"}" "${guest_args[@]+"${guest_args[@]}"}")
echo "+ ${cmd[*]}" > "$scratch/wasm.cmd"
if [ -n "$stdin_file$stdin_seq" ]; then
  feed | (cd "$wtop" && timeout "$timeout_s" "${cmd[@]}") > "$scratch/wasm.out" 2> "$scratch/wasm.err"
  wrc=${PIPESTATUS[1]}
else
  (cd "$wtop" && timeout "$timeout_s" "${cmd[@]}") < /dev/null > "$scratch/wasm.out" 2> "$scratch/wasm.err"
  wrc=$?
fi
[ "$wrc" = 124 ] && fail "wasm run timed out after ${timeout_s}s"

if [ "$setup" = escape ]; then
  links_inside "$wtop/inside" > "$scratch/links.after"
  inside_real=$(realpath "$wtop/inside")
  while IFS= read -r l; do
    dest=$(realpath -m "$wtop/inside/$l")
    case "$dest" in
      "$inside_real"|"$inside_real"/*) ;;
      *) fail "the guest left a symlink inside/$l that leads outside (to $dest)" ;;
    esac
  done < <(LC_ALL=C comm -13 "$scratch/links.before" "$scratch/links.after")
fi
if [ -n "$guarded" ]; then
  snapshot "$guarded" > "$scratch/guarded.after"
  if ! diff -u "$scratch/guarded.before" "$scratch/guarded.after" > "$scratch/guarded.diff"; then
    fail "the guest changed files it must not touch ($guarded):"
    cat "$scratch/guarded.diff"
  fi
fi

# ---- the native run (same program, same arguments, same environment)
if [ -n "$native" ]; then
  [ -x "$native" ] || die "native binary missing: $native"
  ntop="$scratch/native"
  setup_tree "$ntop"
  npre=()
  [ "$sandbox_arg" = 1 ] && npre=("$ntop/sandbox")
  ncmd=(timeout "$timeout_s" env -i "${envs[@]+"${envs[@]}"}" "$native" "${npre[@]+"${npre[@]}"}"
        "${guest_args[@]+"${guest_args[@]}"}")
  if [ -n "$stdin_file$stdin_seq" ]; then
    feed | (cd "$ntop" && "${ncmd[@]}") > "$scratch/native.out" 2> "$scratch/native.err"
    nrc=${PIPESTATUS[1]}
  else
    (cd "$ntop" && "${ncmd[@]}") < /dev/null > "$scratch/native.out" 2> "$scratch/native.err"
    nrc=$?
  fi
  if [ "$nrc" != "$status" ]; then
    fail "native exit status $nrc, expected $status (the test itself is broken on this host?)"
    cat "$scratch/native.out"
  fi
fi

# ---- compare
if [ "$wrc" != "$status" ]; then
  fail "wasm exit status $wrc, expected $status"
fi
if [ -n "$expected" ]; then
  if ! diff -u --label "expected ($(basename "$expected"))" --label "wasm stdout" "$expected" "$scratch/wasm.out"; then
    fail "stdout differs from $(basename "$expected")"
  fi
fi
if [ -n "$native" ]; then
  if ! diff -u --label "native stdout" --label "wasm stdout" "$scratch/native.out" "$scratch/wasm.out"; then
    fail "stdout differs from the native build"
  fi
fi
if [ -z "$expected" ] && [ -z "$native" ]; then
  fail "nothing to compare against (need --expected or --native)"
fi
if [ "$expect_stderr" = 1 ] && [ ! -s "$scratch/wasm.err" ]; then
  fail "expected a message on stderr, got none"
fi

if [ "$failed" != 0 ]; then
  echo "---- command: $(cat "$scratch/wasm.cmd")"
  echo "---- wasm stderr (last 40 lines):"
  tail -n 40 "$scratch/wasm.err"
  exit 1
fi
echo "PASS [$name] (status $wrc)"
exit 0
