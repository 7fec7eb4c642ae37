#!/usr/bin/env bash
# Maximum throughput of `nodrop load --rate max` against wrk: keep-alive, a 23-byte response from
# loopback_http_server, loopback, the same connection count, one client thread each (nodrop load
# runs on one thread). Runs alternate between the two tools so that a noisy machine hurts both
# alike; prints each run, the medians and the ratio nodrop/wrk (the issue's target: >= 0.8).
#
#   bench/load_vs_wrk.sh BUILD_DIR     (environment: ROUNDS=3 SECONDS_PER_RUN=5 CONNECTIONS=32)
set -euo pipefail
build=${1:-build/release}
rounds=${ROUNDS:-3}
seconds=${SECONDS_PER_RUN:-5}
connections=${CONNECTIONS:-32}
nodrop=$build/nodrop
server=$build/bench/loopback_http_server
for program in "$nodrop" "$server"; do
  [[ -x "$program" ]] || { echo "load_vs_wrk: $program is not built" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "load_vs_wrk: wrk is not installed (scripts/install-deps)" >&2; exit 2; }
((rounds >= 3)) || { echo "load_vs_wrk: ROUNDS must be at least 3" >&2; exit 2; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$server" --port-file "$work/port" >/dev/null &
server_pid=$!
for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.05; done
[[ -s "$work/port" ]] || { echo "load_vs_wrk: the server did not start" >&2; exit 1; }
url="http://127.0.0.1:$(cat "$work/port")/"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "target $url, $connections connections, ${seconds}s per run, $rounds rounds"
: >"$work/wrk"
: >"$work/nodrop"
for round in $(seq "$rounds"); do
  wrk_rate=$(wrk -t1 -c"$connections" -d"${seconds}s" "$url" | awk '/^Requests\/sec:/ { print $2 }')
  echo "$wrk_rate" >>"$work/wrk"
  "$nodrop" load "$url" --rate max --connections "$connections" --duration "${seconds}s" \
    --quiet --json "$work/nodrop.json" >/dev/null || true
  ok=$(grep -o '"ok": [0-9]*' "$work/nodrop.json" | head -1 | awk '{ print $2 }')
  failed=$(grep -o '"failed": [0-9]*' "$work/nodrop.json" | head -1 | awk '{ print $2 }')
  elapsed=$(grep -o '"elapsed_seconds": [0-9.]*' "$work/nodrop.json" | awk '{ print $2 }')
  nodrop_rate=$(awk -v ok="$ok" -v s="$elapsed" 'BEGIN { printf "%.0f", ok / s }')
  echo "$nodrop_rate" >>"$work/nodrop"
  printf 'round %d: wrk %10.0f req/s   nodrop load %10.0f req/s (%s failed)\n' \
    "$round" "$wrk_rate" "$nodrop_rate" "$failed"
done
wrk_median=$(median <"$work/wrk")
nodrop_median=$(median <"$work/nodrop")
printf 'median:  wrk %10.0f req/s   nodrop load %10.0f req/s   ratio nodrop/wrk %.2f\n' \
  "$wrk_median" "$nodrop_median" "$(awk -v a="$nodrop_median" -v b="$wrk_median" 'BEGIN { print a / b }')"
