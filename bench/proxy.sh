#!/usr/bin/env bash
# Benchmark: nodrop's data plane against HAProxy, same mode and worker count, on loopback.
#
# Usage: bench/proxy.sh BUILD_DIR      (make bench passes build/release)
# Env:   BENCH_SECONDS (5) per run, BENCH_RUNS (3) interleaved runs, BENCH_CONNECTIONS (50),
#        BENCH_WORKERS ("1 2"),
#        BENCH_PROFILE: run nodrop with --profile BENCH_PROFILE (nodrop or kubernetes) instead of
#          its defaults,
#        BENCH_BASELINE: the path of another nodrop binary (an earlier commit's release build),
#          measured in the same interleaved runs; a second table compares this build with it.
#
# An nginx backend answers every request with a 2-byte body. For each row (L7/L4, keep-alive or a
# new connection per request, 1 or 2 workers), wrk drives HAProxy and nodrop, BENCH_RUNS times
# interleaved (odd runs HAProxy first, even runs nodrop first, so neither always runs second on a
# warmer or busier machine); the table shows medians: requests/s, p50 and p99 latency, and the proxy
# process's CPU time per request (user+system from /proc), plus the ratio nodrop/HAProxy
# (requests/s: higher is better; p99: lower is better), and how often the proxy was preempted per
# 1,000 requests (involuntary context switches of its threads): on a machine whose cores the proxy
# shares with wrk and nginx, that is what decides the ratio (see src/live/sockets/send_batch.h).
#
# Both proxies do the same work: in L7, HAProxy adds X-Forwarded-For (option forwardfor) and
# X-Forwarded-Proto as nodrop does, and reuses upstream connections (http-reuse always, its best).
#
# Everything runs on this machine: wrk, nginx and the proxy share its cores, so absolute figures
# depend on the host; the ratios are what to read.
set -euo pipefail

build=${1:-build/release}
seconds=${BENCH_SECONDS:-5}
runs=${BENCH_RUNS:-3}
connections=${BENCH_CONNECTIONS:-50}
worker_counts=${BENCH_WORKERS:-"1 2"}
nodrop="$build/nodrop"
[[ -x "$nodrop" ]] || { echo "proxy.sh: $nodrop not built" >&2; exit 1; }
baseline=${BENCH_BASELINE:-}
[[ -z "$baseline" || -x "$baseline" ]] || { echo "proxy.sh: $baseline is not executable" >&2; exit 1; }
profile_args=()
[[ -n "${BENCH_PROFILE:-}" ]] && profile_args=(--profile "$BENCH_PROFILE")
proxies=(haproxy nodrop)
[[ -n "$baseline" ]] && proxies+=(baseline)

# shellcheck source=lib/backend.bash
source "$(dirname "$0")/lib/backend.bash"
start_nginx_backend

# --- proxies -------------------------------------------------------------------------------
declare -A proxy_pid proxy_port
start_haproxy() {  # mode workers
  local mode=$1 workers=$2
  take_port
  local config="$work/haproxy-$mode-$workers.cfg"
  cat >"$config" <<CONF
global
  nbthread $workers
  maxconn 8000
defaults
  mode $mode
  timeout connect 2s
  timeout client 60s
  timeout server 60s
$([[ $mode == http ]] && printf '  %s\n' "http-reuse always" "option forwardfor")
frontend front
  bind 127.0.0.1:$port
$([[ $mode == http ]] && echo "  http-request set-header X-Forwarded-Proto http")
  default_backend back
backend back
  server backend 127.0.0.1:$backend_port
CONF
  "$haproxy_bin" -f "$config" >"$work/haproxy-$mode-$workers.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  proxy_pid["haproxy-$mode-$workers"]=$pid
  proxy_port["haproxy-$mode-$workers"]=$port
  wait_listening "$port"
}
start_nodrop() {  # name binary mode workers
  local name=$1 binary=$2 mode=$3 workers=$4
  take_port
  "$binary" proxy --listen "127.0.0.1:$port" --backend "127.0.0.1:$backend_port" --mode "$mode" \
    --workers "$workers" --max-connections 8000 "${profile_args[@]}" \
    >"$work/$name-$mode-$workers.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  proxy_pid["$name-$mode-$workers"]=$pid
  proxy_port["$name-$mode-$workers"]=$port
  wait_listening "$port"
}
for workers in $worker_counts; do
  for mode in http tcp; do
    start_haproxy "$mode" "$workers"
    start_nodrop nodrop "$nodrop" "$mode" "$workers"
    [[ -n "$baseline" ]] && start_nodrop baseline "$baseline" "$mode" "$workers"
  done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Times the proxy's threads were preempted (involuntary context switches), summed over threads.
preemptions() { cat /proc/"$1"/task/*/status | awk '/^nonvoluntary_ctxt_switches/ {n += $2} END {print n}'; }

# Prints "rps p50_us p99_us cpu_us_per_request preemptions_per_1000_requests" for one wrk run
# against proxy $1.
measure() {
  local name=$1 connection=$2
  local pid=${proxy_pid[$name]} port=${proxy_port[$name]}
  local header=()
  [[ $connection == new ]] && header=(-H "Connection: close")
  local before after switched_before switched_after
  before=$(cpu_ticks "$pid")
  switched_before=$(preemptions "$pid")
  local output
  output=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "${header[@]}" "http://127.0.0.1:$port/" 2>&1)
  after=$(cpu_ticks "$pid")
  switched_after=$(preemptions "$pid")
  echo "$output" >>"$work/wrk.log"
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    -v switched=$((switched_after - switched_before)) '
    function micros(text) {
      if (text ~ /us$/) return text + 0;
      if (text ~ /ms$/) return (text + 0) * 1000;
      if (text ~ /s$/) return (text + 0) * 1000000;
      return text + 0;
    }
    /^ +50%/ { p50 = micros($2) }
    /^ +99%/ { p99 = micros($2) }
    /^ +[0-9]+ requests in/ { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx|Socket errors/ { errors = errors " " $0 }
    END {
      cpu = requests > 0 ? ticks * 1000000 / hz / requests : 0;
      preempted = requests > 0 ? switched * 1000 / requests : 0;
      printf "%.0f %.0f %.0f %.2f %.1f\n", rps, p50, p99, cpu, preempted;
      if (errors != "") print "proxy.sh: wrk reported:" errors > "/dev/stderr";
    }' <<<"$output"
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

declare -A samples
rows=()
for workers in $worker_counts; do
  for mode in http tcp; do
    for connection in keepalive new; do rows+=("$mode $connection $workers"); done
  done
done

echo "proxy.sh: $runs interleaved runs of ${seconds}s, $connections connections, backend nginx," \
  "proxies: ${proxies[*]}${BENCH_PROFILE:+, nodrop --profile $BENCH_PROFILE}" >&2
[[ -n "$baseline" ]] && echo "proxy.sh: baseline is $baseline" >&2
for run in $(seq "$runs"); do
  # Each run starts with the next proxy in turn, so that none always runs first or last on a
  # warmer or busier machine.
  order=()
  for i in "${!proxies[@]}"; do order+=("${proxies[(i + run - 1) % ${#proxies[@]}]}"); done
  for row in "${rows[@]}"; do
    read -r mode connection workers <<<"$row"
    for proxy in "${order[@]}"; do
      samples["$row $proxy $run"]=$(measure "$proxy-$mode-$workers" "$connection")
    done
  done
  echo "proxy.sh: run $run of $runs done" >&2
done

# Prints the table of medians comparing proxy $2 ("nd" columns) with proxy $1.
compare() {
  local first=$1 second=$2 first_label=$3 second_label=$4
  printf '\n%-4s %-10s %-2s | %9s %9s %5s | %7s %7s | %7s %7s %5s | %8s %8s | %7s %7s\n' \
    mode connection w "$first" "$second" ratio "p50 $first_label" "p50 $second_label" \
    "p99 $first_label" "p99 $second_label" ratio "cpu/r $first_label" "cpu/r $second_label" \
    "pre $first_label" "pre $second_label"
  printf '%-4s %-10s %-2s | %9s %9s %5s | %7s %7s | %7s %7s %5s | %8s %8s | %7s %7s\n' \
    "" "" "" "req/s" "req/s" "$second_label/$first_label" "us" "us" "us" "us" \
    "$second_label/$first_label" "us" "us" "/kreq" "/kreq"
  for row in "${rows[@]}"; do
    read -r mode connection workers <<<"$row"
    declare -A med=()
    for proxy in "$first" "$second"; do
      for field in 1 2 3 4 5; do
        med["$proxy $field"]=$(for run in $(seq "$runs"); do
          echo "${samples["$row $proxy $run"]}" | awk -v f=$field '{print $f}'
        done | median)
      done
    done
    label=$([[ $mode == http ]] && echo L7 || echo L4)
    printf '%-4s %-10s %-2s | %9.0f %9.0f %5.2f | %7.0f %7.0f | %7.0f %7.0f %5.2f | %8.2f %8.2f | %7.1f %7.1f\n' \
      "$label" "$connection" "$workers" "${med[$first 1]}" "${med[$second 1]}" \
      "$(awk -v a="${med[$second 1]}" -v b="${med[$first 1]}" 'BEGIN {print (b > 0 ? a / b : 0)}')" \
      "${med[$first 2]}" "${med[$second 2]}" "${med[$first 3]}" "${med[$second 3]}" \
      "$(awk -v a="${med[$second 3]}" -v b="${med[$first 3]}" 'BEGIN {print (b > 0 ? a / b : 0)}')" \
      "${med[$first 4]}" "${med[$second 4]}" "${med[$first 5]}" "${med[$second 5]}"
  done
}

compare haproxy nodrop ha nd
if [[ -n "$baseline" ]]; then
  echo
  echo "this build (nodrop, nd) against BENCH_BASELINE (baseline, bl), same runs:"
  compare baseline nodrop bl nd
fi
