#!/usr/bin/env bash
# End to end: `nodrop up -f` runs a Deployment of demo-app as real processes, prints its ready
# line and every event, rolls to a new version when the file changes and SIGHUP arrives, and on
# SIGTERM stops every pod gracefully and exits 0 with no pod process left. A configuration with
# an error is refused before anything starts. Every wait is bounded.
# Addresses: 127.0.74.0/24 (nodes), 127.0.75.0/24 (pods), used by no other test.
set -euo pipefail
nodrop=$1
demo_app=$2
work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$work/out" 2>/dev/null; echo "--- stderr"; tail -40 "$work/err" 2>/dev/null; exit 1; }
# wait_for SECONDS COMMAND...: polls every 0.1 s.
wait_for() {
  local limit=$1; shift
  for _ in $(seq $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}
# The body a pod at 127.0.75.N:8080 answers, or nothing.
ask() { curl -s --max-time 2 "http://127.0.75.$1:8080/x" || true; }
pod_processes() {
  local count=0
  for cmdline in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' <"$cmdline" 2>/dev/null | grep -q "demo-app.*127\.0\.75\." && count=$((count + 1))
  done
  echo "$count"
}

cat >"$work/cluster.yaml" <<CONF
apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
nodes: 3
dataDir: $work/data
addresses:
  nodes: 127.0.74.0/24
  pods: 127.0.75.0/24
  loadBalancers: 127.0.76.0/24
  clusterIPs: 127.0.77.0/24
CONF
write_manifest() {  # VERSION
  cat >"$work/web.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: demo-app:$1
        command: ["$demo_app"]
        args: ["--listen", "\$(POD_IP):8080", "--version", "$1"]
        env:
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: http}
          periodSeconds: 1
YAML
}

# A configuration with an error: refused, exit 2, nothing started.
sed 's/nodes: 127.0.74.0\/24/nodes: 10.0.0.0\/24/; s/^nodes: 3/nodez: 3/' "$work/cluster.yaml" >"$work/bad.yaml"
status=0
"$nodrop" up --config "$work/bad.yaml" >"$work/out" 2>"$work/err" || status=$?
[[ $status -eq 2 ]] || fail "a bad configuration exited $status"
grep -q 'bad.yaml:3: ClusterConfiguration: nodez: unknown field: did you mean "nodes"?' "$work/err" || fail "no unknown-field error"
grep -q 'bad.yaml:6: ClusterConfiguration: addresses.nodes: Invalid value: "10.0.0.0/24": must be inside 127.0.0.0/8' "$work/err" || fail "no range error"
grep -q "nothing was started" "$work/err" || fail "no refusal"
[[ ! -e "$work/data" ]] || fail "a refused configuration made the data dir"

write_manifest v1
"$nodrop" up -f "$work/web.yaml" --config "$work/cluster.yaml" >"$work/out" 2>"$work/err" &
pid=$!
wait_for 10 grep -q "^nodrop: cluster ready: 3 nodes 127.0.74.1-127.0.74.3" "$work/out" || fail "no ready line"
grep -q "^deployment.apps/web created" "$work/out" || fail "not applied"
[[ $(stat -c %a "$work/data") == 700 ]] || fail "the data dir is not owner-only"
wait_for 20 bash -c '[[ $(grep -c " Started  pod/web-" "'"$work/err"'") -ge 3 ]]' || fail "3 pods did not start"
for node in 1 2 3; do
  grep -q "Scheduled  pod/web-.* to node-$node" "$work/err" || fail "no pod on node-$node"
done
for n in 1 2 3; do wait_for 10 bash -c "curl -s --max-time 1 http://127.0.75.$n:8080/x | grep -q 'demo-app v1'" || fail "pod $n does not answer v1"; done

# A changed template, applied on SIGHUP: a rollout to v2.
write_manifest v2
kill -HUP "$pid"
wait_for 10 grep -q "^deployment.apps/web configured" "$work/out" || fail "SIGHUP did not re-apply"
wait_for 30 bash -c '[[ $(grep -c "Scaled down replica set web-[a-z0-9]* to 0" "'"$work/err"'") -ge 1 ]]' || fail "the rollout did not finish"
v2=0
for n in 4 5 6; do wait_for 10 bash -c "curl -s --max-time 1 http://127.0.75.$n:8080/x | grep -q 'demo-app v2'" && v2=$((v2 + 1)); done
[[ $v2 -eq 3 ]] || fail "$v2 of 3 new pods answer v2"

# SIGTERM: every pod stopped gracefully, exit 0, no pod process left.
[[ $(pod_processes) -ge 3 ]] || fail "the pods' processes are not visible"
kill -TERM "$pid"
status=0
timeout 40 tail --pid="$pid" -f /dev/null || fail "did not exit after SIGTERM"
wait "$pid" || status=$?
pid=""
[[ $status -eq 0 ]] || fail "exit status $status"
grep -q "^nodrop: stopped" "$work/out" || fail "no stop line"
[[ $(grep -c "Killing  pod/web-" "$work/err") -ge 6 ]] || fail "pods were not stopped gracefully"
[[ $(pod_processes) -eq 0 ]] || fail "$(pod_processes) pod processes left behind"
echo "ok: ready line, 3 pods on 3 nodes, SIGHUP rollout to v2, SIGTERM left nothing, bad config refused"
