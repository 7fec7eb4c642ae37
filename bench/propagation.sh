#!/usr/bin/env bash
# The Service path's timing (issue: the Service path and the kubernetes profile):
#   1. an endpoint change's way from a pod's status write to the last data plane that applied it
#      (three node proxies for each of two Services, and the ENI front load balancer), over 1,000
#      changes: with the kubernetes profile's delays (time scale 1) and with every delay at zero
#      (the nodrop profile: the machinery's own cost, on which the drain gate stands);
#      The nodrop profile's removals alone (a pod leaving rotation, what the drain gate waits
#      for) over 1,000 removals, three nodes: removal to the last acknowledgement;
#   2. a real rolling update of a 6-replica Deployment with the seed's fixes, per Service mode,
#      under 200 requests/s (kubernetes profile, time scale 0.25 as in the loss scenarios);
#   3. the drain gate's issue: the same app rolled with the naive manifest under the nodrop profile
#      against the article's fixes under the kubernetes profile (time scale 1), maxSurge 1/0 and
#      50 %/0, and the ratio of their durations (target: at most 0.2).
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
printf '%-14s %-10s %8s %8s %8s\n' profile changes p50 p99 max
database=$(mktemp -d)/propagation.db
trap 'rm -rf "$(dirname "$database")"' EXIT
for profile in kubernetes nodrop nodrop+sqlite; do
  out=$(mktemp)
  for _ in $(seq "$runs"); do
    case $profile in
      kubernetes)
        "$build/bench/propagation" --profile kubernetes --changes 1000 --pods 200 --interval 20ms ;;
      nodrop)  # 2,000 flips: 1,000 removals and 1,000 returns
        "$build/bench/propagation" --profile nodrop --changes 2000 --pods 100 --interval 10ms ;;
      nodrop+sqlite)  # the same with the store durable in SQLite, as nodrop up keeps it
        "$build/bench/propagation" --profile nodrop --changes 2000 --pods 100 --interval 10ms \
          --database "$database" ;;
    esac
  done >"$out"
  for what in changes removals; do
    grep -q " $what " "$out" || continue
    [[ $profile == kubernetes && $what == removals ]] && continue
    field() { grep " $what " "$out" | awk -v f="$1" '{ for (i = 1; i <= NF; i++) if ($i == f) print $(i + 1) }' | median; }
    printf '%-14s %-10s %8s %8s %8s\n' "$profile" "$what" "$(field p50)" "$(field p99)" "$(field max)"
  done
  rm -f "$out"
done
echo
echo "rolling update of 6 replicas with the seed's fixes, 200 requests/s:"
"$build/bench/rollout_duration" --set fixes --examples examples --demo-app "$build/demo-app"
echo
echo "rolling update of 6 replicas, nodrop with naive manifests against kubernetes with the fixes:"
"$build/bench/rollout_duration" --set compare --examples examples --demo-app "$build/demo-app"
