#!/usr/bin/env bash
# End to end: nodrop's own cluster verbs drive `nodrop up` through its Kubernetes API, as a user
# with only the nodrop binary would: apply (created), apply again (unchanged), an edited image
# applied (configured) and followed with rollout status, an env var removed from the file gone
# after apply (the three-way patch), get in each output format (byte for byte as kubectl prints
# it), describe, events, get -w and logs -f following a restart, scale, logs of a Deployment, rollout history, undo,
# pause, resume and restart, delete; objects applied by kubectl then by
# nodrop, and the other way round, reported `unchanged`; and the errors a user meets first (no
# cluster at a data dir, an unknown kind, an object that does not exist).
#
# Its own HOME; addresses 127.0.170.0/24 (nodes, the API), 127.0.171.0/24 (pods), 127.0.172.0/24
# (load balancers), 127.0.173.0/24 (clusterIPs), used by no other test. Every wait is bounded.
set -eu
nodrop=$1
demo_app=$2
if ! command -v kubectl >/dev/null; then
  echo "SKIP: kubectl is not installed; this test checks that nodrop's verbs and kubectl agree"
  exit 77
fi
work=$(mktemp -d)
pid=""
# Runs on every exit: nodrop gets SIGTERM and ten seconds to stop its pods, then SIGKILL.
cleanup() {
  set +e
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
unset KUBECONFIG NODROP_DATA_DIR XDG_STATE_HOME

fail() {
  echo "FAIL: $*"
  echo "--- nodrop up stdout"; cat "$work/out" 2>/dev/null
  echo "--- nodrop up stderr (last 30 lines)"; tail -30 "$work/err" 2>/dev/null
  exit 1
}
wait_for() {
  local limit=$1; shift
  for _ in $(seq $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}
# nodrop's verbs against the test's cluster, each bounded.
n() { timeout 60 "$nodrop" "$@" --data-dir "$work/data"; }
step() { echo "--- $*"; }

step "no cluster yet: the error says how to start one"
status=0
timeout 10 "$nodrop" get pods --data-dir "$work/data" >"$work/none" 2>&1 || status=$?
[[ $status -eq 1 ]] || fail "get without a cluster exited $status"
grep -q "no cluster at data dir $work/data .*nodrop up --data-dir $work/data" "$work/none" \
  || fail "get without a cluster said: $(cat "$work/none")"
"$nodrop" get --help | grep -q "^Usage: nodrop get KIND" || fail "get --help"
"$nodrop" help | grep -q "^  rollout " || fail "help does not list rollout"

cat >"$work/cluster.yaml" <<CONF
apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
nodes: 2
dataDir: $work/data
addresses:
  nodes: 127.0.170.0/24
  pods: 127.0.171.0/24
  loadBalancers: 127.0.172.0/24
  clusterIPs: 127.0.173.0/24
CONF
# VERSION [extra env lines]
write_manifest() {
  cat >"$work/app/web.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
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
        - {name: KEPT, value: "yes"}
$2
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: http}
          periodSeconds: 1
        resources:
          requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {mode: fast, note: "a <b> & c"}
YAML
}
mkdir -p "$work/app"

step "nodrop up, the API on a free port"
"$nodrop" up --config "$work/cluster.yaml" --api-listen 127.0.170.250:0 >"$work/out" 2>"$work/err" &
pid=$!
wait_for 20 grep -q "^export KUBECONFIG=" "$work/out" || fail "no export KUBECONFIG line"
wait_for 20 n get nodes || fail "nodrop get nodes never answered"
n get nodes | grep -Eq "^node-2 +Ready" || fail "get nodes: $(n get nodes 2>&1)"

step "apply: created, then unchanged"
write_manifest v1 "        - {name: DROPPED, value: \"soon\"}"
n apply -f "$work/app" >"$work/apply1" 2>&1 || fail "apply: $(cat "$work/apply1")"
grep -qx "deployment.apps/web created" "$work/apply1" || fail "apply: $(cat "$work/apply1")"
grep -qx "service/web created" "$work/apply1" || fail "apply, Service: $(cat "$work/apply1")"
grep -qx "configmap/web-config created" "$work/apply1" || fail "apply, ConfigMap: $(cat "$work/apply1")"
n apply -f "$work/app" >"$work/apply2" 2>&1 || fail "apply again: $(cat "$work/apply2")"
[[ $(grep -c " unchanged$" "$work/apply2") -eq 3 ]] || fail "apply again: $(cat "$work/apply2")"
n rollout status deploy/web --timeout 30s >"$work/rollout1" 2>&1 \
  || fail "first rollout status: $(cat "$work/rollout1")"
tail -1 "$work/rollout1" | grep -qx 'deployment "web" successfully rolled out' \
  || fail "first rollout status said: $(cat "$work/rollout1")"

step "a new image and an env var removed: configured, rolled out"
write_manifest v2 ""
n apply -f "$work/app" >"$work/apply3" 2>&1 || fail "apply v2: $(cat "$work/apply3")"
grep -qx "deployment.apps/web configured" "$work/apply3" || fail "apply v2: $(cat "$work/apply3")"
grep -qx "service/web unchanged" "$work/apply3" || fail "apply v2, Service: $(cat "$work/apply3")"
n rollout status deploy/web --timeout 40s >"$work/rollout2" 2>&1 \
  || fail "rollout status: $(cat "$work/rollout2")"
grep -q '^Waiting for deployment "web" rollout to finish: ' "$work/rollout2" \
  || fail "rollout status showed no progress: $(cat "$work/rollout2")"
tail -1 "$work/rollout2" | grep -qx 'deployment "web" successfully rolled out' \
  || fail "rollout status said: $(cat "$work/rollout2")"
n get deploy web -o json >"$work/web.json" || fail "get -o json"
grep -q '"image": "demo-app:v2"' "$work/web.json" || fail "the image is not v2"
grep -q '"name": "KEPT"' "$work/web.json" || fail "KEPT is gone"
! grep -q "DROPPED" "$work/web.json" || fail "the env var removed from the file is still there"

step "get in each output format"
n get deploy web | head -1 | grep -Eq "^NAME +READY +UP-TO-DATE +AVAILABLE +AGE$" || fail "get columns"
n get deployments web | grep -Eq "^web +2/2 +2 +2 +[0-9]+s$" || fail "get deploy: $(n get deploy web)"
n get deploy -o wide | head -1 | grep -q "CONTAINERS *IMAGES *SELECTOR" || fail "get -o wide"
# The old pods may still be terminating for a moment after the rollout finished.
wait_for 20 sh -c "'$nodrop' get po -l app=web -o wide --data-dir '$work/data' | grep -c ' 127.0.171.' | grep -qx 2" \
  || fail "pods wide: $(n get po -o wide)"
n get deploy web -o yaml | grep -q "^kind: Deployment" || fail "get -o yaml"
n get deploy -o name | grep -qx "deployment.apps/web" || fail "get -o name"
n get cm web-config -o json | grep -qF '"note": "a \u003cb\u003e \u0026 c"' || fail "get cm -o json"
n get pods -n nothing >"$work/empty.out" 2>"$work/empty.err" || fail "get in an empty namespace"
[[ ! -s "$work/empty.out" ]] && grep -qx "No resources found in nothing namespace." "$work/empty.err" \
  || fail "empty namespace: $(cat "$work/empty.err")"
status=0
n get deploy nope >/dev/null 2>"$work/nope" || status=$?
[[ $status -eq 1 ]] && grep -qx 'Error from server (NotFound): deployments.apps "nope" not found' \
  "$work/nope" || fail "get of a missing object: $status $(cat "$work/nope")"
# The same output as kubectl's, byte for byte. An AGE may tick between the two (kubectl takes a
# second to start on a busy machine) and the objects still settle after a rollout: a few tries, a
# moment apart; if the clock wins every time, the same output with every age (and so the widths
# it sets) set aside, which still fails on any other difference.
without_ages() { sed -E 's/(^| )[0-9]+(s|m[0-9]*s?|h[0-9]*m?|d[0-9]*h?)( \(x[0-9]+ over [0-9a-z]+\))?( |$)/\1AGE\4/g; s/ +/ /g'; }
same_as_kubectl() {
  local ours theirs
  for _ in 1 2 3 4 5; do
    ours=$(n "$@"); theirs=$(KUBECONFIG=$work/data/kubeconfig kubectl "$@")
    [[ "$ours" == "$theirs" ]] && return 0
    sleep 0.3
  done
  if [[ "$(without_ages <<<"$ours")" == "$(without_ages <<<"$theirs")" ]]; then
    echo "note: nodrop $* compared without its ages (the clock ticked between the two each time)"
    return 0
  fi
  fail "nodrop $* differs from kubectl's:
$ours
---
$theirs"
}
same_as_kubectl get svc -o wide
same_as_kubectl get all
same_as_kubectl get deploy,svc,cm -o wide
same_as_kubectl get po -A -o wide
same_as_kubectl get deploy web web
same_as_kubectl get all -o name
same_as_kubectl get deploy web -o json
same_as_kubectl get cm -o json
same_as_kubectl get deploy -n nothing -o json
same_as_kubectl get deploy -n nothing -o name
same_as_kubectl describe deploy web
# Every part of a pod template nodrop stores, in a Deployment of no pods; a ConfigMap and a Secret
# of one key each (kubectl lists keys in Go's map order, which changes from run to run).
cat >"$work/extras.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: extras
  labels: {app: extras}
  annotations: {note: "first line\\nsecond line"}
spec:
  replicas: 0
  selector:
    matchLabels: {app: extras}
    matchExpressions:
    - {key: tier, operator: In, values: [web, api]}
  template:
    metadata:
      labels: {app: extras, tier: web}
    spec:
      nodeSelector: {disktype: ssd}
      tolerations:
      - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
      - {operator: Exists}
      initContainers:
      - name: setup
        image: demo-app:v1
        command: ["$demo_app", "--version"]
      containers:
      - name: app
        image: demo-app:v1
        command: ["$demo_app"]
        envFrom:
        - configMapRef: {name: extras-config}
        - {prefix: DB_, secretRef: {name: extras-secret, optional: true}}
        env:
        - {name: MODE, valueFrom: {configMapKeyRef: {name: extras-config, key: mode}}}
        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: extras-secret, key: password}}}
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        ports:
        - {name: http, containerPort: 8080}
        - {name: metrics, containerPort: 9090}
        resources:
          limits: {cpu: "1", memory: 128Mi}
        volumeMounts:
        - {name: scratch, mountPath: /tmp/scratch}
        - {name: config, mountPath: /etc/extras, readOnly: true}
        - {name: secret, mountPath: /etc/secret, readOnly: true}
      volumes:
      - {name: scratch, emptyDir: {}}
      - {name: config, configMap: {name: extras-config}}
      - {name: secret, secret: {secretName: extras-secret}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: extras-config, labels: {app: extras}}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: extras-secret}
stringData: {password: hunter2}
YAML
n apply -f "$work/extras.yaml" >"$work/extras.out" 2>&1 || fail "apply extras: $(cat "$work/extras.out")"
same_as_kubectl describe deploy extras
same_as_kubectl describe deploy
same_as_kubectl describe deploy -l app=extras
same_as_kubectl describe rs
same_as_kubectl describe svc web
same_as_kubectl describe cm extras-config
same_as_kubectl describe secret extras-secret
same_as_kubectl describe pods
same_as_kubectl describe pod web
n delete -f "$work/extras.yaml" >/dev/null 2>&1 || fail "delete extras"
status=0
n describe statefulset web >/dev/null 2>"$work/sts" || status=$?
[[ $status -eq 2 ]] && grep -q "not statefulset.apps; try nodrop get statefulset.apps web -o yaml" "$work/sts" \
  || fail "describe of a kind not described: $status $(cat "$work/sts")"
same_as_kubectl get pods -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}'
same_as_kubectl get deploy web -o 'jsonpath={.status.conditions[?(@.type=="Available")].status}'
same_as_kubectl get deploy web -o 'jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision} {.spec.template.spec.containers[*].image}'

# get output formats
same_as_kubectl get deploy web -o yaml
same_as_kubectl get po -o yaml
same_as_kubectl get cm -o yaml
same_as_kubectl get svc,cm -o yaml
same_as_kubectl get po -o 'custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,PORTS:.spec.containers[0].ports,NODE:spec.nodeName,NONE:.status.nothing'
same_as_kubectl get deploy --no-headers -o 'custom-columns=NAME:{.metadata.name},LABELS:.metadata.labels,REPLICAS:.spec.replicas'
printf 'NAME DATA\n.metadata.name .data.mode\n' >"$work/columns"
same_as_kubectl get cm -o "custom-columns-file=$work/columns"
same_as_kubectl get po -o 'jsonpath={.items[0:1].metadata.name} {.items[-1:].metadata.name} {.items[::1].kind}'
same_as_kubectl get deploy web -o "jsonpath={.spec.template.spec.containers[0]['name','image']}"
same_as_kubectl get deploy web -o 'jsonpath={.status.conditions[?(@.status!="False")].type}'
same_as_kubectl get svc web -o 'jsonpath={.spec.ports[?(@.port>=80)].name} {.spec.ports[?(@.port<80)].name}'
same_as_kubectl get cm web-config -o 'jsonpath={..mode}'
# strings go-yaml quotes, folds or writes as blocks, keys in its order
cat >"$work/tricky.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: tricky
  labels: {item10: a, item9: b, a_b: c, aB: d}
  annotations:
    note: "a long annotation that goes on and on past the eightieth column, where go-yaml folds it"
data: {flag: "true", port: "80", when: "2024-01-02", colon: "a: b", lead: " x", tab: "a\tb",
       script: "line 1\n  line 2\n", keep: "end\n\n"}
YAML
n apply -f "$work/tricky.yaml" >/dev/null || fail "apply tricky.yaml"
same_as_kubectl get cm tricky -o yaml
n delete cm tricky >/dev/null || fail "delete cm tricky"
# -w in an object's output: the object, then each change (none within two seconds here)
for format in yaml json name; do
  ours=$(timeout 2 "$nodrop" get cm web-config -w -o "$format" --data-dir "$work/data" || true)
  theirs=$(KUBECONFIG=$work/data/kubeconfig timeout 2 kubectl get cm web-config -w -o "$format" || true)
  [[ -n "$ours" && "$ours" == "$theirs" ]] || fail "get -w -o $format: $ours
---
$theirs"
done
# kubectl's events order ties (events of the same second) its own way: the same lines, in any order.
same_events() {
  [[ "$(n events --for deploy/web | without_ages | sort)" == \
     "$(KUBECONFIG=$work/data/kubeconfig kubectl events --for deploy/web | without_ages | sort)" ]]
}
for _ in 1 2 3 4 5; do same_events && break; sleep 0.3; done
same_events || fail "events --for deploy/web: $(n events --for deploy/web)
---
$(KUBECONFIG=$work/data/kubeconfig kubectl events --for deploy/web)"
n events --for deploy/web | head -1 | grep -Eq "^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$" || fail "events header"
n events --for deploy/web | grep -Eq " Deployment/web +Scaled up replica set web-" || fail "events rows"

step "scale, logs"
n scale deploy/web --replicas 3 | grep -qx "deployment.apps/web scaled" || fail "scale"
wait_for 20 sh -c "'$nodrop' get deploy web --data-dir '$work/data' | grep -Eq '^web +3/3 '" \
  || fail "not scaled to 3: $(n get deploy web)"
wait_for 10 sh -c "'$nodrop' logs deploy/web --tail 5 --data-dir '$work/data' 2>/dev/null | grep -q 'demo-app v2'" \
  || fail "logs deploy/web: $(n logs deploy/web 2>&1)"
n logs deploy/web --tail 1 2>"$work/found" | wc -l | grep -qx 1 || fail "logs --tail 1"
grep -Eq "^Found [0-9]+ pods, using pod/web-" "$work/found" || fail "logs of a Deployment: $(cat "$work/found")"

step "rollout history, undo, pause, resume, restart"
same_as_kubectl rollout history deploy/web
n rollout history deploy/web | grep -Eq "^2 +<none>$" || fail "history: $(n rollout history deploy/web)"
n rollout pause deploy/web | grep -qx "deployment.apps/web paused" || fail "pause"
status=0
n rollout pause deploy/web 2>"$work/paused" || status=$?
[[ $status -eq 1 ]] && grep -qx 'error: deployments.apps "web" is already paused' "$work/paused" \
  || fail "pause twice: $status $(cat "$work/paused")"
n rollout resume deploy/web | grep -qx "deployment.apps/web resumed" || fail "resume"
n rollout undo deploy/web | grep -qx "deployment.apps/web rolled back" || fail "undo"
n rollout status deploy/web --timeout 40s | tail -1 | grep -qx 'deployment "web" successfully rolled out' \
  || fail "rollout status after undo"
n get deploy web -o wide | grep -q " demo-app:v1 " || fail "undo did not bring v1 back: $(n get deploy web -o wide)"
n rollout undo deploy/web --to-revision 3 | grep -qx "deployment.apps/web skipped rollback (current template already matches revision 3)" \
  || fail "undo to the current revision"
n rollout undo deploy/web --to-revision 2 | grep -qx "deployment.apps/web rolled back" || fail "undo to 2"
n rollout status deploy/web --timeout 40s >/dev/null || fail "rollout status after undo to 2"
# get -w follows the restart (bounded by timeout in case the kill below never comes).
timeout 30 "$nodrop" get pods -l app=web -w --data-dir "$work/data" >"$work/watch" 2>&1 &
watch_pid=$!
sleep 0.5
n rollout restart deploy/web | grep -qx "deployment.apps/web restarted" || fail "restart"
n rollout status deploy/web --timeout 40s >/dev/null || fail "rollout status after restart"
sleep 1
kill "$watch_pid" 2>/dev/null || true  # timeout passes SIGTERM on, as Ctrl-C would end it
wait "$watch_pid" || true
head -1 "$work/watch" | grep -Eq "^NAME +READY +STATUS +RESTARTS +AGE$" || fail "get -w: $(cat "$work/watch")"
grep -Eq "^web-[a-z0-9-]+ +1/1 +Terminating +" "$work/watch" || fail "get -w saw no pod terminate: $(cat "$work/watch")"
[[ $(grep -Ec "^web-[a-z0-9-]+ +1/1 +Running +" "$work/watch") -ge 4 ]] \
  || fail "get -w saw no new pod ready: $(cat "$work/watch")"
# logs -f: a line the app writes after it started (on a request), followed, not read once.
pod=$(n get pods -l app=web -o name | head -1)
pod_ip=$(n get "$pod" -o json | sed -n 's/^        "podIP": "\(.*\)",*$/\1/p')
[[ -n "$pod_ip" ]] || fail "no podIP in $(n get "$pod" -o json)"
timeout 8 "$nodrop" logs -f "${pod#pod/}" --data-dir "$work/data" >"$work/follow" 2>&1 &
follow_pid=$!
sleep 0.5
exec 3<>"/dev/tcp/$pod_ip/8080" && printf 'GET /hello HTTP/1.0\r\n\r\n' >&3 && timeout 5 cat <&3 >/dev/null
exec 3<&-
wait_for 5 grep -q "first request from 127.0.0.1" "$work/follow" || fail "logs -f: $(cat "$work/follow")"
kill "$follow_pid" 2>/dev/null || true
n rollout history deploy/web | grep -Eq "^5 +<none>$" || fail "history after restart: $(n rollout history deploy/web)"
status=0
n rollout status deploy/web --timeout 1s -w=false >/dev/null || status=$?
[[ $status -eq 0 ]] || fail "rollout status -w=false of a finished rollout"

step "the cluster found through KUBECONFIG and NODROP_DATA_DIR alone"
KUBECONFIG=$work/data/kubeconfig timeout 30 "$nodrop" get deploy web -o name | grep -qx "deployment.apps/web" \
  || fail "KUBECONFIG"
NODROP_DATA_DIR=$work/data timeout 30 "$nodrop" get deploy web -o name | grep -qx "deployment.apps/web" \
  || fail "NODROP_DATA_DIR"
# An object created without apply's annotation (kubectl create), then applied.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: by-create}\ndata: {a: "1"}\n' >"$work/by-create.yaml"
KUBECONFIG=$work/data/kubeconfig timeout 30 kubectl create -f "$work/by-create.yaml" >/dev/null \
  || fail "kubectl create"
n apply -f - <"$work/by-create.yaml" >"$work/adopt" 2>&1 || fail "apply over an object created otherwise: $(cat "$work/adopt")"
grep -q "^Warning: resource configmaps/by-create is missing the kubectl.kubernetes.io/last-applied-configuration" \
  "$work/adopt" && grep -qx "configmap/by-create configured" "$work/adopt" \
  || fail "apply over an object created otherwise: $(cat "$work/adopt")"

step "kubectl and nodrop on the same objects"
cat >"$work/by-kubectl.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: by-kubectl, labels: {tool: kubectl}}
data: {a: "1", html: "<i>&</i>"}
YAML
sed 's/by-kubectl/by-nodrop/; s/tool: kubectl/tool: nodrop/' "$work/by-kubectl.yaml" >"$work/by-nodrop.yaml"
KUBECONFIG=$work/data/kubeconfig timeout 30 kubectl apply -f "$work/by-kubectl.yaml" \
  | grep -qx "configmap/by-kubectl created" || fail "kubectl apply"
n apply -f "$work/by-kubectl.yaml" >"$work/mixed1" 2>&1
grep -qx "configmap/by-kubectl unchanged" "$work/mixed1" || fail "kubectl then nodrop: $(cat "$work/mixed1")"
n apply -f "$work/by-nodrop.yaml" | grep -qx "configmap/by-nodrop created" || fail "nodrop apply"
KUBECONFIG=$work/data/kubeconfig timeout 30 kubectl apply -f "$work/by-nodrop.yaml" >"$work/mixed2" 2>&1
grep -qx "configmap/by-nodrop unchanged" "$work/mixed2" || fail "nodrop then kubectl: $(cat "$work/mixed2")"
KUBECONFIG=$work/data/kubeconfig timeout 30 kubectl apply -f "$work/app" >"$work/mixed3" 2>&1
grep -qx "deployment.apps/web configured" "$work/mixed3" \
  || fail "kubectl after nodrop's scale resets replicas: $(cat "$work/mixed3")"
grep -qx "service/web unchanged" "$work/mixed3" || fail "kubectl after nodrop: $(cat "$work/mixed3")"

step "delete"
# delete waits until the pod is gone (its grace period, its preStop), as kubectl does. kubectl's
# apply above set the replicas back to 2: a pod not being scaled away is picked once it has.
wait_for 20 sh -c "'$nodrop' get pods -l app=web -o name --data-dir '$work/data' | wc -l | grep -qx 2" \
  || fail "not back to 2 pods: $(n get pods)"
pod=$(n get pods -l app=web -o name | head -1)
n delete "$pod" | grep -qx "pod \"${pod#pod/}\" deleted" || fail "delete $pod"
status=0
n get "$pod" >/dev/null 2>&1 || status=$?
[[ $status -eq 1 ]] || fail "$pod is still there after delete returned: $(n get "$pod" 2>&1)"
n delete -f "$work/app" >"$work/deleted" 2>&1 || fail "delete -f: $(cat "$work/deleted")"
grep -qx 'deployment.apps "web" deleted' "$work/deleted" || fail "delete -f: $(cat "$work/deleted")"
grep -qx 'service "web" deleted' "$work/deleted" || fail "delete -f, Service: $(cat "$work/deleted")"
n delete cm by-kubectl by-nodrop by-create | grep -c " deleted$" | grep -qx 3 || fail "delete KIND NAME..."
status=0
n delete cm by-kubectl 2>"$work/gone" || status=$?
[[ $status -eq 1 ]] && grep -q "(NotFound)" "$work/gone" || fail "delete twice: $(cat "$work/gone")"
n delete cm by-kubectl --ignore-not-found || fail "--ignore-not-found"
wait_for 20 sh -c "! '$nodrop' get pods -l app=web --data-dir '$work/data' 2>&1 | grep -q web-" \
  || fail "the pods outlived their Deployment: $(n get pods)"
step "the cluster stopped: the error says how to start it again"
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
status=0
timeout 10 "$nodrop" get pods --data-dir "$work/data" >"$work/stopped" 2>&1 || status=$?
[[ $status -eq 1 ]] && grep -q "^error: no cluster answers at https://127.0.170.250:[0-9]*, the API of data dir $work/data: start it with \`nodrop up --data-dir $work/data\`$" \
  "$work/stopped" || fail "get of a stopped cluster: $status $(cat "$work/stopped")"
echo "PASS"
