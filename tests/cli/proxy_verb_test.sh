#!/usr/bin/env bash
# End to end: `nodrop proxy` listens on the port it reports, answers 502 with a reason when its
# backend refuses, and on SIGTERM drains, prints its metrics and exits 0. Every wait is bounded.
set -euo pipefail
nodrop=$1
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# 127.0.0.1:1 (tcpmux) refuses on any machine that does not run it.
"$nodrop" proxy --listen 127.0.0.1:0 --backend 127.0.0.1:1 --mode http --workers 2 \
  --profile kubernetes >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/out" && break
  sleep 0.05
done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/out")
[[ -n "$port" ]] || { echo "no port reported"; cat "$work/out" "$work/err"; exit 1; }

exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n' >&3
reply=$(timeout 10 cat <&3)
exec 3<&-
grep -q "^HTTP/1.1 502 Bad Gateway" <<<"$reply" || { echo "unexpected reply: $reply"; exit 1; }
grep -q "nodrop: endpoint failed: connect-refused" <<<"$reply" || { echo "no reason: $reply"; exit 1; }

kill -TERM "$pid"
status=0
timeout 10 tail --pid="$pid" -f /dev/null || { echo "did not exit after SIGTERM"; exit 1; }
wait "$pid" || status=$?
[[ $status -eq 0 ]] || { echo "exit status $status"; cat "$work/err"; exit 1; }
grep -q "draining" "$work/out" || { echo "no drain"; exit 1; }
grep -q "^responses_5xx 1$" "$work/out" || { cat "$work/out"; exit 1; }
grep -q "^errors_bad_gateway 1$" "$work/out" || { cat "$work/out"; exit 1; }

# Command-line mistakes: exit 2 and a message naming the flag, before anything listens.
expect_usage() {
  local expected=$1
  shift
  local status=0
  "$nodrop" proxy "$@" >"$work/usage.out" 2>"$work/usage.err" || status=$?
  [[ $status -eq 2 ]] || { echo "exit $status for: $*"; cat "$work/usage.err"; exit 1; }
  grep -qF -- "$expected" "$work/usage.err" || {
    echo "for: $*"; echo "expected: $expected"; cat "$work/usage.err"; exit 1; }
}
expect_usage "unknown flag --frobnicate" --listen 127.0.0.1:0 --backend 127.0.0.1:1 --frobnicate
expect_usage "unknown flag --frobnicate" --frobnicate
expect_usage "--workers needs a value" --listen 127.0.0.1:0 --backend 127.0.0.1:1 --workers
expect_usage "port 0 is not a port a backend listens on" --listen 127.0.0.1:0 --backend 127.0.0.1:0
expect_usage "--idle-timeout: \"10\" is not a duration" --listen 127.0.0.1:0 --backend 127.0.0.1:1 --idle-timeout 10
expect_usage "--drain-timeout: \"2h\": expected from 1ms to 3600s" --listen 127.0.0.1:0 --backend 127.0.0.1:1 --drain-timeout=2h
echo "ok: 502 with a reason, SIGTERM drained, exit 0, bad flags named"
