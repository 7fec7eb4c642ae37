#!/usr/bin/env bash
# Benchmark: the memory an idle keep-alive client connection costs nodrop's HTTP data plane, and
# whether it is given back when the connections close, against HAProxy in the same run.
#
# Usage: bench/idle_memory.sh BUILD_DIR      (make bench passes build/release)
# Env:   BENCH_IDLE_CONNECTIONS (10000), BENCH_RUNS (3).
#
# For each run and each proxy (order alternating), a fresh proxy process (1 worker) in front of
# the nginx backend; idle_clients opens the connections, sends one request on each (so every
# buffer a connection needs has been used) and holds them silent; the proxy's resident memory
# (VmRSS) is read before, while they are held, and 3 s after they closed. The table shows medians
# in MiB, and the cost per idle connection in KiB ((held - before) / connections).
set -euo pipefail

build=${1:-build/release}
connections=${BENCH_IDLE_CONNECTIONS:-10000}
runs=${BENCH_RUNS:-3}
nodrop="$build/nodrop"
idle_clients="$build/bench/idle_clients"
for program in "$nodrop" "$idle_clients"; do
  [[ -x "$program" ]] || { echo "idle_memory.sh: $program not built" >&2; exit 1; }
done
# Each connection takes a descriptor in the client and one in the proxy.
ulimit -n "$(ulimit -Hn)"
# HAProxy raises its own limit to about twice its maxconn (a client and a server side per
# connection); where the hard limit is lower, measure fewer connections than asked, and say so.
fits=$((($(ulimit -n) - 100) / 2 - 1000))
if ((connections > fits)); then
  echo "idle_memory.sh: the descriptor limit $(ulimit -n) lets HAProxy hold $fits connections, not $connections; measuring $fits" >&2
  connections=$fits
fi
if (($(ulimit -n) < connections + 1000)); then
  echo "idle_memory.sh: the descriptor limit $(ulimit -n) is too low for $connections connections" >&2
  exit 1
fi

# shellcheck source=lib/backend.bash
source "$(dirname "$0")/lib/backend.bash"
start_nginx_backend

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

start_proxy() {  # haproxy|nodrop; sets proxy and proxy_port
  take_port
  proxy_port=$port
  if [[ $1 == haproxy ]]; then
    cat >"$work/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn $((connections + 1000))
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  http-reuse always
  option forwardfor
frontend front
  bind 127.0.0.1:$proxy_port
  default_backend back
backend back
  server backend 127.0.0.1:$backend_port
CONF
    "$haproxy_bin" -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  else
    "$nodrop" proxy --listen "127.0.0.1:$proxy_port" --backend "127.0.0.1:$backend_port" \
      --mode http --workers 1 --max-connections $((connections + 1000)) --idle-timeout 120s \
      >"$work/nodrop.log" 2>&1 &
  fi
  proxy=$!
  pids+=("$proxy")
  wait_listening "$proxy_port"
}

# Prints "before held after" in KiB for one proxy.
measure() {
  start_proxy "$1"
  local before held after
  before=$(rss_kib "$proxy")
  coproc clients { "$idle_clients" 127.0.0.1 "$proxy_port" "$connections" 10s; }
  local line
  read -r line <&"${clients[0]}"
  [[ $line == idle* ]] || { echo "idle_memory.sh: idle_clients failed" >&2; exit 1; }
  sleep 1
  held=$(rss_kib "$proxy")
  read -r line <&"${clients[0]}"
  [[ $line == closed ]] || { echo "idle_memory.sh: idle_clients did not close" >&2; exit 1; }
  wait "$clients_PID" 2>/dev/null || true
  sleep 3
  after=$(rss_kib "$proxy")
  kill "$proxy"
  wait "$proxy" 2>/dev/null || true
  echo "$before $held $after"
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

declare -A samples
echo "idle_memory.sh: $runs runs, $connections idle keep-alive connections, 1 worker each" >&2
for run in $(seq "$runs"); do
  order="haproxy nodrop"
  ((run % 2 == 0)) && order="nodrop haproxy"
  for name in $order; do samples["$name $run"]=$(measure "$name"); done
  echo "idle_memory.sh: run $run of $runs done" >&2
done

printf '\n%-8s | %9s %9s %9s | %13s\n' proxy "before" "held" "after" "per idle conn"
printf '%-8s | %9s %9s %9s | %13s\n' "" MiB MiB MiB KiB
declare -A per_connection
for name in haproxy nodrop; do
  declare -A med=()
  for field in 1 2 3; do
    med[$field]=$(for run in $(seq "$runs"); do
      echo "${samples["$name $run"]}" | awk -v f=$field '{print $f}'
    done | median)
  done
  per_connection[$name]=$(awk -v b="${med[1]}" -v h="${med[2]}" -v n="$connections" \
    'BEGIN {printf "%.2f", (h - b) / n}')
  printf '%-8s | %9.1f %9.1f %9.1f | %13s\n' "$name" \
    "$(awk -v k="${med[1]}" 'BEGIN {print k / 1024}')" "$(awk -v k="${med[2]}" 'BEGIN {print k / 1024}')" \
    "$(awk -v k="${med[3]}" 'BEGIN {print k / 1024}')" "${per_connection[$name]}"
done
awk -v n="${per_connection[nodrop]}" -v h="${per_connection[haproxy]}" \
  'BEGIN {printf "per idle connection, nodrop/haproxy: %.2f (target: at most 1)\n", (h > 0 ? n / h : 0)}'
