#!/usr/bin/env bash
# `nodrop check` on 10,000 objects (4,000 Deployments, 4,000 Services, 2,000 PodDisruptionBudgets
# in 20 namespaces, one multi-document file, every tenth Deployment with findings). Prints the
# median wall time, CPU time and peak memory of 5 runs, measured with /usr/bin/time -v. Target: under 1 s.
set -euo pipefail
build=${1:-build/release}
binary="$build/nodrop"
[[ -x "$binary" ]] || { echo "bench/lint.sh: $binary not built" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench/lint.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk 'BEGIN {
  for (i = 0; i < 4000; i++) {
    ns = "team-" (i % 20); app = "app-" i
    surge = (i % 10 == 0) ? "0" : "1"
    printf "---\n# Source: chart-%d/templates/deployment.yaml\n", i
    printf "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: %s\n", app, ns
    printf "  labels: {app: %s, tier: web}\nspec:\n  replicas: %d\n", app, 2 + i % 4
    printf "  selector:\n    matchLabels: {app: %s}\n", app
    printf "  strategy:\n    rollingUpdate: {maxSurge: %s, maxUnavailable: 0}\n", surge
    printf "  template:\n    metadata:\n      labels: {app: %s, tier: web}\n    spec:\n", app
    printf "      terminationGracePeriodSeconds: 60\n      containers:\n      - name: web\n"
    printf "        image: registry.example.com/%s:1.%d\n        ports:\n        - {name: http, containerPort: 8080}\n", app, i
    printf "        readinessProbe:\n          httpGet: {path: /ready, port: http}\n          periodSeconds: 5\n"
    printf "        livenessProbe:\n          httpGet: {path: /livez, port: http}\n          failureThreshold: 6\n"
    printf "        lifecycle:\n          preStop:\n            exec: {command: [\"sh\", \"-c\", \"sleep 25\"]}\n"
    printf "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: %s\n", app, ns
    printf "spec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector: {app: %s}\n", app
    printf "  ports:\n  - {name: http, port: 80, targetPort: http}\n"
    if (i % 2 == 0) {
      printf "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: %s\n  namespace: %s\n", app, ns
      printf "spec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {app: %s}\n", app
    }
  }
}' > "$work/objects.yaml"

"$binary" check --format json --fail-on none "$work/objects.yaml" > "$work/report.json"
grep -o '"checked": [0-9]*' "$work/report.json" | sed 's/^/objects /'
grep -o '"errors": [0-9]*' "$work/report.json"

runs=5
for run in $(seq "$runs"); do
  /usr/bin/time -v "$binary" check --fail-on none "$work/objects.yaml" > /dev/null 2> "$work/time.$run"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wall=$(for run in $(seq "$runs"); do
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.$run"
done | median)
cpu=$(for run in $(seq "$runs"); do
  awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$work/time.$run"
done | median)
rss=$(for run in $(seq "$runs"); do awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.$run"; done | median)
echo "nodrop check, 10,000 objects ($(du -h "$work/objects.yaml" | cut -f1) of YAML), median of ${runs} runs:" \
  "${wall} s wall, ${cpu} s CPU (user + system), ${rss} KiB peak RSS (target: under 1 s)"
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (wall time grows with it)"
