#!/usr/bin/env bash
# The Service path's timing (issue: the Service path and the kubernetes profile):
#   1. an endpoint change's way from a pod's status write to the last data plane that applied it
#      (three node proxies for each of two Services, and the ENI front load balancer), over 1,000
#      changes: with the kubernetes profile's delays (time scale 1) and with every delay at zero
#      (the nodrop profile: the machinery's own cost, on which the drain gate stands);
#   2. a real rolling update of a 6-replica Deployment with the seed's fixes, per Service mode,
#      under 200 requests/s (kubernetes profile, time scale 0.25 as in the loss scenarios).
# Medians of BENCH_RUNS runs of the propagation figures (default 3).
set -euo pipefail
build=${1:-build/release}
runs=${BENCH_RUNS:-3}
cd "$(dirname "$0")/.."
for program in "$build/bench/propagation" "$build/bench/rollout_duration" "$build/demo-app"; do
  [[ -x "$program" ]] || { echo "propagation.sh: $program is not built" >&2; exit 1; }
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "endpoint change to the last data plane applied (ms), median of $runs runs:"
printf '%-11s %-10s %8s %8s %8s\n' profile changes p50 p99 max
for profile in kubernetes nodrop; do
  out=$(mktemp)
  for _ in $(seq "$runs"); do
    if [[ $profile == kubernetes ]]; then
      "$build/bench/propagation" --profile kubernetes --changes 1000 --pods 200 --interval 20ms
    else
      "$build/bench/propagation" --profile nodrop --changes 1000 --pods 100 --interval 10ms
    fi
  done >"$out"
  p50=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "p50") print $(i + 1) }' "$out" | median)
  p99=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "p99") print $(i + 1) }' "$out" | median)
  max=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "max") print $(i + 1) }' "$out" | median)
  printf '%-11s %-10s %8s %8s %8s\n' "$profile" 1000 "$p50" "$p99" "$max"
  rm -f "$out"
done
echo
echo "rolling update of 6 replicas with the seed's fixes, 200 requests/s:"
"$build/bench/rollout_duration" --examples examples --demo-app "$build/demo-app"
