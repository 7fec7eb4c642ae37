#!/usr/bin/env bash
# End to end: the real kubectl drives `nodrop up` through its Kubernetes API, with nothing but
# KUBECONFIG: apply, apply again (unchanged), diff, an edited image rolled out, rollout status,
# get in each output format, get -w seeing the rollout, describe, logs, scale, rollout history,
# undo, pause/resume, restart, wait, events, patches of each type, server-side dry runs, Strict
# field validation, kubectl's own error messages (NotFound, AlreadyExists, Conflict, Unauthorized),
# and a cascading delete; an env var removed from the file is gone after apply (strategic merge by
# key). Then requests kubectl would never send: no token, a wrong token, malformed, truncated,
# oversized and slow requests, each answered (or dropped) without taking the server down or
# storing anything.
#
# Each run has its own HOME (kubectl's discovery cache starts empty) and the API on a free port.
# Addresses: 127.0.100.0/24 (nodes), 127.0.101.0/24 (pods), 127.0.102.0/24 (load balancers),
# 127.0.103.0/24 (clusterIPs), used by no other test. Every wait is bounded.
# No pipefail: "kubectl ... | grep -q" would fail when grep stops reading early (SIGPIPE);
# each pipeline is judged by the grep that checks its output.
set -eu
nodrop=$1
demo_app=$2
if ! command -v kubectl >/dev/null; then
  echo "SKIP: kubectl is not installed; this test needs the real kubectl"
  exit 77
fi
work=$(mktemp -d)
pid=""
watch_pid=""
# Runs on every exit, so nothing here may end it early (set -e is off): a watch already gone must
# not keep nodrop alive. nodrop gets SIGTERM and ten seconds to stop its pods, then SIGKILL (its
# pod supervisors then kill the pods' process groups).
cleanup() {
  set +e
  if [[ -n "$watch_pid" ]]; then kill "$watch_pid" 2>/dev/null; fi
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
export HOME=$work/home
mkdir -p "$HOME"

fail() {
  echo "FAIL: $*"
  echo "--- nodrop stdout"; cat "$work/out" 2>/dev/null
  echo "--- nodrop stderr (last 30 lines)"; tail -30 "$work/err" 2>/dev/null
  exit 1
}
# wait_for SECONDS COMMAND...: polls every 0.2 s.
wait_for() {
  local limit=$1; shift
  for _ in $(seq $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}
k() { timeout 60 kubectl --request-timeout=30s "$@"; }
step() { echo "--- $*"; }

cat >"$work/cluster.yaml" <<CONF
apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
nodes: 2
dataDir: $work/data
addresses:
  nodes: 127.0.100.0/24
  pods: 127.0.101.0/24
  loadBalancers: 127.0.102.0/24
  clusterIPs: 127.0.103.0/24
CONF
# VERSION [extra env lines]: a Deployment and its Service, with fields nodrop stores but does not
# act on (resources, securityContext, serviceAccountName, tolerations), as real apps carry them.
write_manifest() {
  cat >"$work/app/web.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: default
      tolerations:
      - {key: example.com/dedicated, operator: Exists, effect: NoSchedule}
      containers:
      - name: app
        image: demo-app:$1
        command: ["$demo_app"]
        args: ["--listen", "\$(POD_IP):8080", "--version", "$1"]
        env:
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: KEPT, value: "yes"}
        - {name: MODE, valueFrom: {configMapKeyRef: {name: web-config, key: mode}}}
        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: web-secret, key: password}}}
$2
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: http}
          periodSeconds: 1
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {memory: 128Mi}
        securityContext:
          allowPrivilegeEscalation: false
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
YAML
}
mkdir -p "$work/app"
# What a real application's directory carries beside them: stored and served, not acted on.
cat >"$work/app/config.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
stringData: {password: hunter2}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
YAML

step "nodrop up, the API on a free port"
"$nodrop" up --config "$work/cluster.yaml" --api-listen 127.0.100.250:0 >"$work/out" 2>"$work/err" &
pid=$!
wait_for 20 grep -q "^export KUBECONFIG=" "$work/out" || fail "no export KUBECONFIG line"
eval "$(grep '^export KUBECONFIG=' "$work/out")"
[[ "$KUBECONFIG" == "$work/data/kubeconfig" ]] || fail "KUBECONFIG is $KUBECONFIG"
[[ $(stat -c %a "$KUBECONFIG") == 600 ]] || fail "the kubeconfig is not 0600"
grep -q "certificate-authority-data: " "$KUBECONFIG" || fail "the kubeconfig has no CA inline"
server=$(sed -n 's/^    server: //p' "$KUBECONFIG")
wait_for 20 kubectl get --raw /readyz || fail "the API never became ready at $server"
k version | grep -q "Server Version: v1.32" || fail "kubectl version shows no server"
k get nodes | grep -q "node-2 *Ready" || fail "kubectl get nodes"

step "apply, apply again unchanged, diff shows nothing"
write_manifest v1 "        - {name: DROPPED, value: \"soon\"}"
k apply -f "$work/app" >"$work/apply1" 2>&1 || { cat "$work/apply1"; fail "apply"; }
grep -q "deployment.apps/web created" "$work/apply1" || fail "apply did not create: $(cat "$work/apply1")"
grep -q "service/web created" "$work/apply1" || fail "apply did not create the Service"
grep -q "configmap/web-config created" "$work/apply1" || fail "apply did not create the ConfigMap"
grep -q "secret/web-secret created" "$work/apply1" || fail "apply did not create the Secret"
grep -q "serviceaccount/web created" "$work/apply1" || fail "apply did not create the ServiceAccount"
k apply -f "$work/app" >"$work/apply2" 2>&1 || fail "apply again"
grep -q "deployment.apps/web unchanged" "$work/apply2" || fail "not unchanged: $(cat "$work/apply2")"
grep -q "service/web unchanged" "$work/apply2" || fail "Service not unchanged: $(cat "$work/apply2")"
grep -q "configmap/web-config unchanged" "$work/apply2" || fail "ConfigMap: $(cat "$work/apply2")"
k get secret web-secret -o jsonpath='{.data.password}' | grep -qx "aHVudGVyMg==" \
  || fail "the Secret's stringData was not folded into data"
k get cm,secret,sa | grep -q "configmap/web-config *1 " || fail "get cm,secret,sa"
k diff -f "$work/app" >"$work/diff0" 2>&1 || fail "kubectl diff of an unchanged file: $(cat "$work/diff0")"
[[ ! -s "$work/diff0" ]] || fail "diff of an unchanged file printed: $(cat "$work/diff0")"
k rollout status deploy/web --timeout=60s >/dev/null || fail "first rollout status"
k get deploy web -o jsonpath='{.spec.template.spec.containers[0].resources.limits.memory}' \
  | grep -qx 128Mi || fail "resources not kept"
# The kubelet resolved the ConfigMap's and the Secret's keys (the Secret's decoded) into the
# process's environment: found by the pod's HOSTNAME among this machine's processes.
first_pod=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
environ=""
for file in /proc/[0-9]*/environ; do
  if tr '\0' '\n' <"$file" 2>/dev/null | grep -qx "HOSTNAME=$first_pod"; then
    environ=$(tr '\0' '\n' <"$file"); break
  fi
done
[[ -n "$environ" ]] || fail "no process has HOSTNAME=$first_pod"
grep -qx "MODE=fast" <<<"$environ" || fail "configMapKeyRef not resolved: $environ"
grep -qx "PASSWORD=hunter2" <<<"$environ" || fail "secretKeyRef not resolved: $environ"

step "get -w in the background, then a rollout: new image, an env var removed"
k get deploy web -w >"$work/watch" 2>&1 &
watch_pid=$!
write_manifest v2 ""
status=0
k diff -f "$work/app" >"$work/diff1" 2>&1 || status=$?
[[ $status -eq 1 ]] || fail "diff of a changed file exited $status: $(cat "$work/diff1")"
grep -q "^+ *image: demo-app:v2" "$work/diff1" || fail "diff does not show the image: $(cat "$work/diff1")"
k apply -f "$work/app" | grep -q "deployment.apps/web configured" || fail "apply v2"
k rollout status deploy/web --timeout=60s >"$work/rollout" || fail "rollout status: $(cat "$work/rollout")"
grep -q 'deployment "web" successfully rolled out' "$work/rollout" || fail "rollout status said $(cat "$work/rollout")"
env_names=$(k get deploy web -o jsonpath='{.spec.template.spec.containers[0].env[*].name}')
[[ "$env_names" == "POD_IP KEPT MODE PASSWORD" ]] || fail "env after apply: $env_names"
k get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}' | grep -qx demo-app:v2 \
  || fail "image not v2"

step "get in each output format"
k get deploy web | head -1 | grep -Eq "^NAME +READY +UP-TO-DATE +AVAILABLE +AGE$" || fail "get columns"
k get deploy web -o wide | head -1 | grep -q "CONTAINERS *IMAGES *SELECTOR" || fail "get -o wide"
k get pods -o wide | head -1 | grep -Eq "NAME +READY +STATUS +RESTARTS +AGE +IP +NODE" || fail "pods wide"
k get svc web | head -1 | grep -Eq "NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE" || fail "svc columns"
k get deploy web -o yaml | grep -q "^kind: Deployment" || fail "get -o yaml"
k get deploy web -o json | grep -q '"kind": "Deployment"' || fail "get -o json"
k get deploy -o name | grep -qx "deployment.apps/web" || fail "get -o name"
k get pods -l app=web -o custom-columns=NAME:.metadata.name,IP:.status.podIP --no-headers \
  | grep -q "127.0.101." || fail "custom-columns"
k get rs,events,endpointslices >/dev/null || fail "get rs,events,endpointslices"
k get all | grep -q "deployment.apps/web" || fail "get all"
k describe deploy web | grep -q "ScalingReplicaSet" || fail "describe shows no events"
k describe pod -l app=web | grep -q "Readiness" || fail "describe pod"

step "events"
k events --for deploy/web | grep -q "ScalingReplicaSet" || fail "kubectl events --for deploy/web"
k get events --field-selector involvedObject.kind=Deployment,involvedObject.name=web \
  | grep -q "deployment/web" || fail "get events with a field selector"

step "patch: strategic merge, JSON merge, JSON patch"
k patch deploy web -p '{"metadata":{"labels":{"patched":"strategic"}}}' \
  | grep -q "deployment.apps/web patched" || fail "strategic merge patch"
k patch deploy web --type=merge -p '{"metadata":{"annotations":{"merged":"yes"}}}' \
  | grep -q "deployment.apps/web patched" || fail "merge patch"
k patch deploy web --type=json -p '[{"op":"add","path":"/metadata/labels/json","value":"yes"}]' \
  | grep -q "deployment.apps/web patched" || fail "JSON patch"
patched=$(k get deploy web -o jsonpath='{.metadata.labels.patched} {.metadata.annotations.merged} {.metadata.labels.json}')
[[ "$patched" == "strategic yes yes" ]] || fail "the patches left $patched"
k patch deploy web --type=json -p '[{"op":"test","path":"/spec/replicas","value":99}]' \
  >"$work/patch" 2>&1 && fail "a JSON patch whose test fails was applied"
grep -q "^Error from server" "$work/patch" || fail "failed test: $(cat "$work/patch")"

step "server-side dry run stores nothing"
k scale deploy web --replicas=9 --dry-run=server | grep -q "scaled (server dry run)" \
  || fail "scale --dry-run=server"
[[ $(k get deploy web -o jsonpath='{.spec.replicas}') == 3 ]] || fail "a dry-run scale was stored"
k delete deploy web --dry-run=server | grep -q "deleted (server dry run)" || fail "delete --dry-run"
k get deploy web >/dev/null || fail "a dry-run delete deleted"
sed 's/^  name: web$/  name: dry/' "$work/app/web.yaml" >"$work/dry.yaml"
k apply -f "$work/dry.yaml" --dry-run=server | grep -q "deployment.apps/dry created (server dry run)" \
  || fail "apply --dry-run=server"
status=0
kubectl get deploy dry >/dev/null 2>&1 || status=$?
[[ $status -ne 0 ]] || fail "a dry-run apply created a Deployment"

step "field validation and kubectl's errors"
cat >"$work/unknown.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: other}
spec:
  replicaz: 1
  selector: {matchLabels: {app: other}}
  template:
    metadata: {labels: {app: other}}
    spec:
      containers: [{name: app, image: demo-app:v1, command: ["$demo_app"]}]
YAML
k create -f "$work/unknown.yaml" >"$work/strict" 2>&1 && fail "an unknown field was accepted"
grep -q 'strict decoding error: unknown field "spec.replicaz"' "$work/strict" \
  || fail "Strict does not name the field: $(cat "$work/strict")"
k create -f "$work/unknown.yaml" --validate=warn --dry-run=server >"$work/warn" 2>&1 \
  || fail "--validate=warn refused: $(cat "$work/warn")"
grep -q 'Warning: unknown field "spec.replicaz"' "$work/warn" || fail "no warning: $(cat "$work/warn")"
k create -f "$work/app" >"$work/exists" 2>&1 && fail "create of existing objects succeeded"
grep -q 'Error from server (AlreadyExists): .*deployments.apps "web" already exists' "$work/exists" \
  || fail "AlreadyExists: $(cat "$work/exists")"
k get deploy nope >"$work/notfound" 2>&1 && fail "get of a missing Deployment succeeded"
grep -qx 'Error from server (NotFound): deployments.apps "nope" not found' "$work/notfound" \
  || fail "NotFound: $(cat "$work/notfound")"
k get deploy web -o yaml >"$work/stale.yaml"
k label deploy web touched=yes >/dev/null || fail "label"
k replace -f "$work/stale.yaml" >"$work/conflict" 2>&1 && fail "a stale replace succeeded"
grep -q 'Error from server (Conflict): .*Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again' \
  "$work/conflict" || fail "Conflict: $(cat "$work/conflict")"
k --token=wrong get pods >"$work/unauthorized" 2>&1 && fail "a wrong token was accepted"
grep -q "You must be logged in to the server (Unauthorized)" "$work/unauthorized" \
  || fail "401: $(cat "$work/unauthorized")"
# kubectl's typed commands send protobuf, which nodrop does not read: refused saying so; the same
# namespace from a file is created, applied again unchanged, and deleted.
k create namespace team >"$work/protobuf" 2>&1 && fail "a protobuf body was accepted"
grep -q "UnsupportedMediaType.*protobuf" "$work/protobuf" || fail "protobuf: $(cat "$work/protobuf")"
printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team, labels: {owner: me}}\n' >"$work/ns.yaml"
k apply -f "$work/ns.yaml" | grep -q "namespace/team created" || fail "apply a namespace"
k apply -f "$work/ns.yaml" | grep -q "namespace/team unchanged" || fail "namespace not unchanged"
k get ns team --show-labels | grep -q "owner=me" || fail "namespace labels"
k delete -f "$work/ns.yaml" | grep -q 'namespace "team" deleted' || fail "delete a namespace"

step "logs"
pod=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
wait_for 10 sh -c "kubectl logs $pod | grep -q 'demo-app v2'" || fail "logs of $pod: $(kubectl logs "$pod" 2>&1)"
k logs deploy/web --tail=1 --timestamps | grep -Eq "^20[0-9-]+T[0-9:.]+Z " || fail "logs --timestamps"
timeout 3 kubectl logs -f "$pod" >"$work/follow" 2>&1 || true
grep -q "demo-app v2" "$work/follow" || fail "logs -f"

step "scale, history, undo, pause/resume, restart, wait"
k scale deploy/web --replicas=2 | grep -q "scaled" || fail "scale"
wait_for 30 sh -c "[ \"\$(kubectl get deploy web -o jsonpath='{.status.replicas}')\" = 2 ]" \
  || fail "scale to 2 never settled"
k rollout history deploy/web >"$work/history" || fail "rollout history"
grep -Eq "^1 " "$work/history" && grep -Eq "^2 " "$work/history" || fail "history: $(cat "$work/history")"
k rollout undo deploy/web | grep -q "rolled back" || fail "rollout undo"
k rollout status deploy/web --timeout=60s >/dev/null || fail "rollout status after undo"
k get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}' | grep -qx demo-app:v1 \
  || fail "undo did not bring v1 back"
# As in Kubernetes, undo scales the first ReplicaSet up again: its template, sent back by kubectl
# with the `resources: {}` the API serves, hashes as it did.
[[ $(k get rs -o name | wc -l) == 2 ]] || fail "undo made a new ReplicaSet: $(kubectl get rs)"
k rollout pause deploy/web | grep -q paused || fail "pause"
k get deploy web -o jsonpath='{.spec.paused}' | grep -qx true || fail "not paused"
k rollout resume deploy/web | grep -q resumed || fail "resume"
k rollout restart deploy/web | grep -q restarted || fail "restart"
k rollout status deploy/web --timeout=60s >/dev/null || fail "rollout status after restart"
k wait --for=condition=Available deploy/web --timeout=30s | grep -q "condition met" || fail "wait"
kill "$watch_pid" 2>/dev/null; wait "$watch_pid" 2>/dev/null || true; watch_pid=""
[[ $(grep -c "^web " "$work/watch") -ge 3 ]] || fail "get -w saw $(cat "$work/watch")"

step "requests kubectl never sends"
ca="$work/data/tls/ca.crt"
token=$(cat "$work/data/tls/token")
api() { curl -s --max-time 10 --cacert "$ca" -o "$work/body" -w "%{http_code}" "$@"; }
[[ $(api "$server/api/v1/pods") == 401 ]] || fail "no token: not 401"
grep -q '"kind":"Status"' "$work/body" || fail "401 is not a Status"
[[ $(api -H "Authorization: Bearer wrong$token" "$server/api/v1/pods") == 401 ]] || fail "wrong token"
auth=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")
deployments="$server/apis/apps/v1/namespaces/default/deployments"
[[ $(api "${auth[@]}" -X POST --data '{"apiVersion":"apps/v1","kind":' "$deployments") == 400 ]] \
  || fail "malformed JSON: $(cat "$work/body")"
head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$work/big"
[[ $(api "${auth[@]}" -X POST --data-binary @"$work/big" "$deployments") == 413 ]] || fail "oversized"
grep -q RequestEntityTooLarge "$work/body" || fail "413 is not RequestEntityTooLarge"
[[ $(api "${auth[@]}" -X POST --data '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicaz":1}}' \
  "$deployments?fieldValidation=Strict") == 400 ]] || fail "unknown field under Strict"
grep -q 'unknown field \\"spec.replicaz\\"' "$work/body" || fail "unknown field not named: $(cat "$work/body")"
[[ $(api "${auth[@]}" -X POST --data '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":-1}}' \
  "$deployments") == 422 ]] || fail "invalid object"
grep -q '"field":"spec.replicas"' "$work/body" || fail "Invalid has no cause: $(cat "$work/body")"
[[ $(api "${auth[@]}" -X PATCH -H "Content-Type: application/apply-patch+yaml" --data '{}' \
  "$deployments/web") == 415 ]] || fail "server-side apply"
k apply --server-side -f "$work/app" >"$work/ssa" 2>&1 && fail "server-side apply succeeded"
grep -q "client-side apply" "$work/ssa" || fail "server-side apply message: $(cat "$work/ssa")"
pod=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
k exec "$pod" -- true >"$work/exec" 2>&1 && fail "exec succeeded"
grep -q "not supported by nodrop" "$work/exec" || fail "exec message: $(cat "$work/exec")"
# A truncated body (the client goes away) and a slow head: the server drops them, stores nothing,
# and answers everyone else meanwhile.
host=${server#https://}
{ printf 'POST /apis/apps/v1/namespaces/default/deployments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"truncated"}' "$token"; sleep 1; } \
  | timeout 5 openssl s_client -quiet -connect "$host" -CAfile "$ca" >/dev/null 2>&1 || true
{ printf 'GET /api/v1/pods HTTP/1.1\r\nHost: x\r\n'; sleep 4; } \
  | timeout 6 openssl s_client -quiet -connect "$host" -CAfile "$ca" >/dev/null 2>&1 &
slow=$!
sleep 0.5
k get deploy web >/dev/null || fail "the API stopped answering while a client was slow"
wait "$slow" 2>/dev/null || true
status=0
kubectl get deploy truncated >/dev/null 2>&1 || status=$?
[[ $status -ne 0 ]] || fail "a truncated request stored an object"
# A kind nodrop does not serve is refused, naming the kind.
cat >"$work/ingress.yaml" <<YAML
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
YAML
k apply -f "$work/ingress.yaml" >"$work/ingress" 2>&1 && fail "an Ingress was accepted"
grep -q "Ingress" "$work/ingress" || fail "the refusal does not name the kind: $(cat "$work/ingress")"

step "delete cascades"
k delete -f "$work/app" --timeout=60s | grep -q 'deployment.apps "web" deleted' || fail "delete"
wait_for 60 sh -c "[ -z \"\$(kubectl get pods -l app=web -o name)\" ]" || fail "pods not deleted"
[[ -z "$(k get rs -o name)" ]] || fail "replicasets left: $(kubectl get rs -o name)"

step "stop"
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$pid" 2>/dev/null && fail "nodrop did not stop"
wait "$pid" || fail "nodrop exited non-zero"
pid=""
echo "PASS"
