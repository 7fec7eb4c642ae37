#!/usr/bin/env bash
# Object writes through nodrop's Kubernetes API, durable in SQLite as `nodrop up` keeps them
# (issue: durable state). wrk drives the HTTPS API with bench/api_writes.lua, one write per
# request, each answered only after its commit (WAL, synchronous=FULL):
#   pod                create a Pod (bound to a node that does not exist: stored, never run)
#   deployment         create a Deployment of 0 replicas (the controller writes its ReplicaSet)
#   pod-patch          a JSON merge patch of a label, on 64 Pods made beforehand
#   deployment-patch   the same on 64 Deployments
# with 1 connection (one writer: the latency of one write) and 16 (throughput; commits grouped).
# Target: 5,000 writes/s or more. Medians of BENCH_RUNS runs (default 3) of BENCH_SECONDS each
# (default 3), each after the controllers finished the writes the run before made.
# Addresses: 127.0.144.0/24-127.0.147.0/24, used by no test.
set -euo pipefail
build=${1:-build/release}
runs=${BENCH_RUNS:-3}
seconds=${BENCH_SECONDS:-3}
cd "$(dirname "$0")/.."
[[ -x "$build/nodrop" ]] || { echo "api_writes.sh: $build/nodrop is not built" >&2; exit 1; }
command -v wrk >/dev/null || { echo "api_writes.sh: wrk is not installed" >&2; exit 1; }
script=$PWD/bench/api_writes.lua

work=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/cluster.yaml" <<CONF
apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
nodes: 1
dataDir: $work/data
addresses:
  nodes: 127.0.144.0/24
  pods: 127.0.145.0/24
  loadBalancers: 127.0.146.0/24
  clusterIPs: 127.0.147.0/24
CONF
"$build/nodrop" up --config "$work/cluster.yaml" --api-listen 127.0.144.250:0 \
  >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do grep -q '^export KUBECONFIG=' "$work/out" && break; sleep 0.2; done
grep -q '^export KUBECONFIG=' "$work/out" || { cat "$work/err" >&2; exit 1; }
server=$(sed -n 's/^    server: //p' "$work/data/kubeconfig")
API_TOKEN=$(cat "$work/data/tls/token")
export API_TOKEN

# post PATH BODY: one create, which must succeed.
post() {
  local code
  code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
    -H "Authorization: Bearer $API_TOKEN" -H 'Content-Type: application/json' -d "$2" "$server$1")
  [[ $code == 201 ]] || { echo "api_writes.sh: POST $1 answered $code" >&2; exit 1; }
}
for i in $(seq 0 63); do
  post /api/v1/namespaces/default/pods '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"target-'"$i"'"},"spec":{"nodeName":"absent","containers":[{"name":"app","image":"demo-app:v1","command":["/bin/true"]}]}}'
  post /apis/apps/v1/namespaces/default/deployments '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"target-'"$i"'"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"target-'"$i"'"}},"template":{"metadata":{"labels":{"app":"target-'"$i"'"}},"spec":{"containers":[{"name":"app","image":"demo-app:v1","command":["/bin/true"]}]}}}}'
done

# Waits (at most 60 s) until the store's resourceVersion stands still for half a second: the
# controllers' writes that follow a run (a Deployment's ReplicaSet and statuses) are done before
# the next run is timed, so that no run pays for the one before.
settle() {
  local last="" now
  for _ in $(seq 120); do
    now=$(curl -sk --max-time 10 -H "Authorization: Bearer $API_TOKEN" \
      "$server/api/v1/namespaces/default/configmaps?limit=1" | grep -o '"resourceVersion":"[0-9]*"' | head -1)
    [[ -n "$now" && "$now" == "$last" ]] && return
    last=$now
    sleep 0.5
  done
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# A wrk latency ("392.00us", "2.13ms", "1.02s") in milliseconds.
to_ms() {
  awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
         else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f\n", v }'
}

echo "writes through the Kubernetes API (HTTPS, SQLite, synchronous=FULL), median of $runs runs of ${seconds} s:"
printf '%-18s %11s %10s %10s %10s\n' write connections writes/s "p50 ms" "p99 ms"
run=0
for write in pod deployment pod-patch deployment-patch; do
  for connections in 1 16; do
    threads=$((connections > 1 ? 2 : 1))
    rates=() p50s=() p99s=()
    for _ in $(seq "$runs"); do
      run=$((run + 1))
      settle
      out=$(WRITE=$write RUN=w$run wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
        -s "$script" "$server")
      if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        echo "api_writes.sh: $write with $connections connections: failed writes:" >&2
        echo "$out" >&2
        exit 1
      fi
      rates+=("$(awk '/^Requests\/sec:/ { printf "%d\n", $2 }' <<<"$out")")
      p50s+=("$(awk '$1 == "50%" { print $2 }' <<<"$out" | to_ms)")
      p99s+=("$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)")
    done
    printf '%-18s %11s %10s %10s %10s\n' "$write" "$connections" \
      "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${p50s[@]}" | median)" \
      "$(printf '%s\n' "${p99s[@]}" | median)"
  done
done
echo "target: 5,000 writes/s or more with 16 connections"
