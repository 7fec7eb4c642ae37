#!/usr/bin/env bash
# `nodrop validate` on hostile manifest files and on real ones, beside kubectl reading the same
# files (Kubernetes' own reader: go-yaml through sigs.k8s.io/yaml). For each file: its size, then
# per tool the median wall time and peak RSS of the runs (/usr/bin/time -v), peak RSS over the
# file's size, and the first line of the verdict.
#
# The bounds nodrop promises (src/manifest/file_reader.h, yaml_reader.h), each checked before its
# cost is paid: a file holds at most 64 MiB (a larger regular file is refused by its size, a pipe
# or device at the first byte past it); nesting at most 128 levels; at most 500,000 nodes plus one
# per 4 bytes of the file, keys and alias copies included, each node 64 bytes (a key 40 more); a
# duplicate key costs one hash lookup. So reading is linear in time, and the tree stays within
# about 16 times the file for its densest accepted form ("- x", 4 bytes a node).
#
# kubectl runs with `create --dry-run=client --validate=false` against a server that refuses
# connections: it reads and decodes each document before it asks the server about it, so its
# figures are those of reading (a file of one document only: it retries the server per document).
# Both tools run under a 4 GiB address-space cap and a 120 s timeout, so that a reader without
# bounds cannot take the machine down: "over 4 GiB" or "timeout" then stands in the table.
set -euo pipefail
build=${1:-build/release}
binary="$build/nodrop"
runs=${NODROP_BENCH_RUNS:-3}
[[ -x "$binary" ]] || { echo "bench/manifest.sh: $binary not built" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench/manifest.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
binary=$(realpath "$binary")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

repeat_char() { head -c "$2" /dev/zero | tr '\0' "$1"; }
: > empty.yaml  # what each tool costs before it reads anything
repeat_char '[' 200000 > nested-200KB.yaml
repeat_char '[' 2000000 > nested-2MB.yaml
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "key%06d: 1\n", i }' > keys-200000.yaml
awk 'BEGIN { for (i = 0; i < 15000000; i++) print "- x" }' > small-nodes-60MB.yaml
awk 'BEGIN { for (i = 0; i < 25000000; i++) print "- x" }' > file-100MB.yaml
{
  echo "l0: &l0 [x, x, x, x, x, x, x, x, x, x]"
  for level in 1 2 3 4 5 6 7 8 9; do
    echo "l$level: &l$level [*l$((level - 1)), *l$((level - 1)), *l$((level - 1)), *l$((level - 1)), *l$((level - 1)), *l$((level - 1)), *l$((level - 1)), *l$((level - 1)), *l$((level - 1)), *l$((level - 1))]"
  done
} > billion-laughs.yaml
# Real manifests: bench/lint.sh's 10,000 objects (Deployments, Services, PodDisruptionBudgets), as
# one kind: List document so that kubectl reads them all.
awk 'BEGIN {
  print "apiVersion: v1\nkind: List\nitems:"
  for (i = 0; i < 4000; i++) {
    app = "app-" i; ns = "team-" (i % 20)
    printf "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: %s\n    namespace: %s\n", app, ns
    printf "    labels: {app: %s, tier: web}\n  spec:\n    replicas: %d\n", app, 2 + i % 4
    printf "    selector:\n      matchLabels: {app: %s}\n", app
    printf "    strategy:\n      rollingUpdate: {maxSurge: 1, maxUnavailable: 0}\n"
    printf "    template:\n      metadata:\n        labels: {app: %s, tier: web}\n      spec:\n", app
    printf "        terminationGracePeriodSeconds: 60\n        containers:\n        - name: web\n"
    printf "          image: registry.example.com/%s:1.%d\n          ports:\n          - {name: http, containerPort: 8080}\n", app, i
    printf "          readinessProbe:\n            httpGet: {path: /ready, port: http}\n            periodSeconds: 5\n"
    printf "          lifecycle:\n            preStop:\n              exec: {command: [\"sh\", \"-c\", \"sleep 25\"]}\n"
    printf "- apiVersion: v1\n  kind: Service\n  metadata:\n    name: %s\n    namespace: %s\n", app, ns
    printf "  spec:\n    type: LoadBalancer\n    externalTrafficPolicy: Local\n    selector: {app: %s}\n", app
    printf "    ports:\n    - {name: http, port: 80, targetPort: http}\n"
    if (i % 2 == 0) {
      printf "- apiVersion: policy/v1\n  kind: PodDisruptionBudget\n  metadata:\n    name: %s\n    namespace: %s\n", app, ns
      printf "  spec:\n    maxUnavailable: 1\n    selector:\n      matchLabels: {app: %s}\n", app
    }
  }
}' > real-10000-objects.yaml

have_kubectl=0
command -v kubectl > /dev/null && have_kubectl=1
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure NAME FILE COMMAND...: runs the command $runs times under the caps; prints
# "WALL_S RSS_KB VERDICT" with the medians and the first line the command wrote that is not a
# warning (nodrop's summary line when the file had nothing worse).
measure() {
  local name=$1 file=$2
  shift 2
  local run
  for run in $(seq "$runs"); do
    (
      ulimit -v $((4 * 1024 * 1024))
      /usr/bin/time -v -o "time.$name.$run" timeout 120 "$@" > /dev/null 2> "out.$name.$run" || true
    )
  done
  local wall rss verdict status
  wall=$(for run in $(seq "$runs"); do
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "time.$name.$run"
  done | median)
  rss=$(for run in $(seq "$runs"); do awk -F': ' '/Maximum resident set size/ { print $2 }' "time.$name.$run"; done | median)
  status=$(awk -F': ' '/Exit status/ { print $2 }' "time.$name.1")
  verdict=$(awk 'NF && !/memcache.go|warning:/ { print; exit }' "out.$name.1" | sed "s|$work/||g; s|^ *||" | cut -c1-90)
  if [[ "$status" == 124 ]]; then
    verdict="timeout after 120 s"
  elif grep -q -e 'out of memory' -e 'cannot allocate memory' "out.$name.1" && [[ "$status" != 0 && "$status" != 1 ]]; then
    verdict="died: out of memory under the 4 GiB cap (exit $status)"
  fi
  echo "$wall $rss $verdict"
}

printf "%-24s %9s | %-56s | %s\n" "file" "size" "nodrop validate: wall, peak RSS, RSS/size, verdict" "kubectl: wall, peak RSS, verdict"
for file in empty.yaml nested-200KB.yaml nested-2MB.yaml keys-200000.yaml small-nodes-60MB.yaml file-100MB.yaml \
    /dev/zero billion-laughs.yaml real-10000-objects.yaml; do
  name=$(basename "$file")
  shown=$name
  [[ "$file" == /* ]] && shown=$file
  if [[ -f "$file" ]]; then size=$(stat -c %s "$file"); else size=0; fi
  read -r wall rss verdict < <(measure "nodrop-$name" "$file" "$binary" validate "$file")
  ratio="n/a"  # below 1 MiB the fixed costs (empty.yaml's row) are most of the figure
  ((size >= 1048576)) && ratio=$(awk -v r="$rss" -v s="$size" 'BEGIN { printf "%.1fx", r * 1024 / s }')
  nodrop_cell=$(printf "%6.2f s %7.1f MB %6s  %s" "$wall" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$ratio" "$verdict")
  peer_cell="kubectl not installed"
  if ((have_kubectl)); then
    read -r pwall prss pverdict < <(measure "kubectl-$name" "$file" env KUBECONFIG=/dev/null kubectl \
      --server=http://127.0.0.1:9 create --dry-run=client --validate=false -o name -f "$file")
    peer_cell=$(printf "%6.2f s %7.1f MB  %s" "$pwall" "$(awk -v r="$prss" 'BEGIN { print r / 1024 }')" "$pverdict")
  fi
  printf "%-24s %9s | %s\n%34s | %s\n" "$shown" "$(numfmt --to=si --suffix=B "$size")" "$nodrop_cell" "" "$peer_cell"
done
echo "median of $runs runs each; load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
