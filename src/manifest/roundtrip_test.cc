// Objects written back as YAML or JSON read back as the same objects.
#include <gtest/gtest.h>

#include "api/defaults.h"
#include "manifest/decode.h"
#include "manifest/encode.h"
#include "manifest/writer.h"
#include "manifest/yaml_reader.h"

namespace nodrop::manifest {
namespace {

api::Object read_object(const std::string& text) {
  YamlDocuments documents = read_yaml_stream(text);
  EXPECT_TRUE(documents.is_ok()) << documents.error().status().to_string() << "\n" << text;
  DecodeResult decoded = decode_object(documents->front().root);
  EXPECT_TRUE(decoded.errors.empty()) << decoded.errors.front().to_string() << "\n" << text;
  EXPECT_TRUE(decoded.warnings.empty()) << decoded.warnings.front().to_string() << "\n" << text;
  return *decoded.object;
}

void expect_round_trip(const std::string& text) {
  api::Object original = read_object(text);
  api::set_defaults(original);
  const Node encoded = encode_object(original);
  const std::string yaml = write_yaml(encoded);
  EXPECT_EQ(read_object(yaml), original) << yaml;
  const std::string json = write_json(encoded);
  EXPECT_EQ(read_object(json), original) << json;
}

TEST(RoundTrip, EventKeepsItsMicrosecondTime) {
  expect_round_trip(R"(apiVersion: v1
kind: Event
metadata:
  name: web-7d9f-x2b4c.187a3f2c9d
  namespace: shop
involvedObject:
  apiVersion: v1
  kind: Pod
  namespace: shop
  name: web-7d9f-x2b4c
  uid: 11-22
  fieldPath: spec.containers{app}
reason: Killing
message: Stopping container app
type: Warning
source:
  component: kubelet
  host: node-2
firstTimestamp: "2026-11-30T10:00:01Z"
lastTimestamp: "2026-11-30T10:00:01Z"
count: 1
eventTime: "2026-11-30T10:00:01.250125Z"
reportingComponent: kubelet
reportingInstance: node-2
)");
}

TEST(RoundTrip, DeploymentWithEveryFieldTheMissionUses) {
  expect_round_trip(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  uid: 6b1c-11
  generation: 4
  creationTimestamp: "2024-01-01T00:00:00Z"
  labels: {app: web, "example.com/team": checkout}
  annotations: {deployment.kubernetes.io/revision: "3", note: "yes", empty: ""}
spec:
  replicas: 10
  paused: true
  minReadySeconds: 5
  revisionHistoryLimit: 3
  progressDeadlineSeconds: 120
  selector:
    matchLabels: {app: web}
    matchExpressions: [{key: tier, operator: NotIn, values: [db]}]
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 50%, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 45
      nodeSelector: {disk: ssd}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a, b]}]}]
          preferredDuringSchedulingIgnoredDuringExecution:
          - {weight: 10, preference: {matchFields: [{key: metadata.name, operator: In, values: [node-1]}]}}
      containers:
      - name: web
        image: example/web:1.2
        command: [/bin/web]
        args: ["--listen=$(POD_IP):8080", "--name", "a: b # not a comment"]
        workingDir: /srv
        env:
        - {name: MODE, value: "true"}
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        ports: [{name: http, containerPort: 8080}, {containerPort: 9090, protocol: UDP}]
        startupProbe: {exec: {command: [test, -f, /tmp/started]}, failureThreshold: 30, periodSeconds: 1}
        livenessProbe: {tcpSocket: {port: 8080}, initialDelaySeconds: 3, terminationGracePeriodSeconds: 10}
        readinessProbe:
          httpGet: {path: /ready, port: http, httpHeaders: [{name: X-Probe, value: "1"}]}
          timeoutSeconds: 2
          successThreshold: 2
        lifecycle:
          preStop: {httpGet: {path: /drain, port: 8080}}
      - name: sidecar
        image: example/sidecar
        command: [/bin/sidecar]
        lifecycle: {preStop: {sleep: {seconds: 0}}}
status:
  observedGeneration: 4
  replicas: 10
  updatedReplicas: 4
  readyReplicas: 9
  availableReplicas: 8
  unavailableReplicas: 2
  collisionCount: 1
  conditions:
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated, message: 'ReplicaSet "web-5d4f" is progressing.',
     lastUpdateTime: "2024-01-01T00:01:00Z", lastTransitionTime: "2024-01-01T00:00:30Z"}
)");
}

TEST(RoundTrip, RecreateDeploymentAndReplicaSet) {
  expect_round_trip(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: batch}
spec:
  replicas: 0
  selector: {matchLabels: {app: batch}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: batch}}
    spec: {containers: [{name: b, image: x, command: [run]}]}
)");
  expect_round_trip(R"(apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-7c9f
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true, blockOwnerDeletion: true}]
spec:
  replicas: 3
  minReadySeconds: 2
  selector: {matchLabels: {app: web, pod-template-hash: 7c9f}}
  template:
    metadata: {labels: {app: web, pod-template-hash: 7c9f}}
    spec: {containers: [{name: web, image: "x:1", command: [run]}]}
status: {replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1}
)");
}

TEST(RoundTrip, PodWithStatus) {
  expect_round_trip(R"(apiVersion: v1
kind: Pod
metadata:
  name: web-7c9f-abcde
  deletionTimestamp: "2024-01-01T00:05:00Z"
  deletionGracePeriodSeconds: 30
spec:
  nodeName: node-1
  restartPolicy: Always
  initContainers: [{name: setup, image: "x:1", command: [setup]}]
  containers: [{name: web, image: "x:1", command: [run]}]
status:
  phase: Running
  podIP: 127.0.2.7
  hostIP: 127.0.1.1
  startTime: "2024-01-01T00:00:00Z"
  conditions:
  - {type: Ready, status: "True", lastTransitionTime: "2024-01-01T00:00:04Z"}
  initContainerStatuses:
  - name: setup
    ready: false
    restartCount: 1
    image: "x:1"
    state: {terminated: {exitCode: 0, reason: Completed, finishedAt: "2024-01-01T00:00:02Z"}}
  containerStatuses:
  - name: web
    ready: true
    started: true
    restartCount: 2
    image: "x:1"
    state: {running: {startedAt: "2024-01-01T00:00:03Z"}}
    lastState: {terminated: {exitCode: 137, signal: 9, reason: Error, finishedAt: "2024-01-01T00:00:02Z"}}
)");
}

TEST(RoundTrip, ServicesEndpointSlicesAndNodes) {
  expect_round_trip(R"(apiVersion: v1
kind: Service
metadata:
  name: web
  annotations: {service.beta.kubernetes.io/backend-type: eni}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  healthCheckNodePort: 32100
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http, nodePort: 30080}
  - {name: admin, port: 9000, targetPort: 9001}
status: {loadBalancer: {ingress: [{ip: 127.0.0.1}]}}
)");
  expect_round_trip(R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
endpoints:
- addresses: [127.0.2.7]
  conditions: {ready: false, serving: true, terminating: true}
  nodeName: node-1
  targetRef: {kind: Pod, namespace: default, name: web-7c9f-abcde, uid: u2}
- addresses: [127.0.2.8]
  conditions: {}
ports: [{name: http, protocol: TCP, port: 8080}]
)");
  expect_round_trip(R"(apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {kubernetes.io/hostname: node-1}}
spec: {unschedulable: true}
status:
  addresses: [{type: InternalIP, address: 127.0.1.1}]
  conditions: [{type: Ready, status: "True"}]
)");
}

TEST(Writer, QuotesStringsThatWouldReadBackAsSomethingElse) {
  Node root = Node::mapping();
  for (const char* text : {"yes", "80", "", "null", "~", "a: b", "x #y", "-dash", " padded",
                           "line\nbreak", "1.5", "on"}) {
    root.set(std::string("k") + std::to_string(root.entries().size()), Node::string(text));
  }
  YamlDocuments read = read_yaml_stream(write_yaml(root));
  ASSERT_TRUE(read.is_ok()) << write_yaml(root);
  const Node& back = read->front().root;
  ASSERT_EQ(back.entries().size(), root.entries().size());
  for (std::size_t i = 0; i < root.entries().size(); ++i) {
    EXPECT_EQ(back.entries()[i].value.type(), Node::Type::kString)
        << root.entries()[i].value.text();
    EXPECT_EQ(back.entries()[i].value.text(), root.entries()[i].value.text());
  }
}

}  // namespace
}  // namespace nodrop::manifest
