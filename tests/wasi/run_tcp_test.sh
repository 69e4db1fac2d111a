#!/usr/bin/env bash
# `corowasm run --tcplisten`: starts tcp_echo.wasm on 127.0.0.1 with a port the kernel picks,
# reads the port from --verbose, connects twice with bash's /dev/tcp and checks the replies and
# the server's output and exit status.
#   run_tcp_test.sh COROWASM TCP_ECHO_WASM SCRATCH
set -euo pipefail
corowasm=$1 wasm=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
# The loop below may read err before the background shell has opened it: it must exist already.
: >"$scratch/err"
"$corowasm" run --verbose --tcplisten 127.0.0.1:0 "$wasm" 2 >"$scratch/out" 2>"$scratch/err" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
# No wall-clock limits (a loaded machine could exceed them): wait while the server lives; a
# server that hangs is left to ctest's TIMEOUT.
port=""
while :; do
  port=$(sed -n 's/^corowasm: listening on 127\.0\.0\.1:\([0-9]*\) (guest fd 3)$/\1/p' "$scratch/err")
  [ -n "$port" ] && break
  kill -0 $server 2>/dev/null || { echo "FAIL: the server exited without a 'listening on' line"; cat "$scratch/err"; exit 1; }
  sleep 0.1
done
for msg in "hello tcp" "second client"; do
  exec 5<>"/dev/tcp/127.0.0.1/$port"
  printf '%s\n' "$msg" >&5
  IFS= read -r reply <&5 || { echo "FAIL: no reply to '$msg' (connection closed)"; exit 1; }
  exec 5>&-
  want=$(printf '%s' "$msg" | tr '[:lower:]' '[:upper:]')
  [ "$reply" = "$want" ] || { echo "FAIL: sent '$msg', got '$reply', want '$want'"; exit 1; }
  echo "reply ok: $reply"
done
status=0
wait $server || status=$?
trap - EXIT
printf 'connection 1: 10 bytes echoed\nconnection 2: 14 bytes echoed\n' > "$scratch/want"
diff -u "$scratch/want" "$scratch/out" || { echo "FAIL: server output differs"; cat "$scratch/err"; exit 1; }
[ "$status" = 0 ] || { echo "FAIL: server exit status $status"; cat "$scratch/err"; exit 1; }
echo "PASS: two TCP clients served by a WASI guest through --tcplisten"
