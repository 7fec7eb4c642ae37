// kubectl's describe of a Deployment, from the objects the API answers with.
#include "cli/deployment_description.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::cli {
namespace {

manifest::Node json(const std::string& text) { return apiserver::parse_body(text).value(); }

// The layout was compared byte for byte with kubectl 1.32's describe of the same objects (the e2e
// test does so on every run); this pins it, repeated events and their ages included.
TEST(DescribeDeployment, LaidOutAsKubectlDescribesIt) {
  const manifest::Node deployment = json(R"({
    "metadata": {"name": "web", "namespace": "default", "uid": "d1",
                 "creationTimestamp": "2026-11-30T23:23:16Z", "labels": {"app": "web", "a": "b"},
                 "annotations": {"deployment.kubernetes.io/revision": "2",
                                 "kubectl.kubernetes.io/last-applied-configuration": "{}"}},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
             "strategy": {"type": "RollingUpdate",
                          "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}},
             "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
               {"name": "app", "image": "demo-app:v2", "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "resources": {"requests": {"memory": "64Mi", "cpu": "100m"}},
                "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"},
                                   "initialDelaySeconds": 0, "timeoutSeconds": 1,
                                   "periodSeconds": 1, "successThreshold": 1,
                                   "failureThreshold": 3},
                "env": [{"name": "KEPT", "value": "yes"},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}]}]}}},
    "status": {"replicas": 2, "updatedReplicas": 2, "availableReplicas": 2,
               "conditions": [{"type": "Available", "status": "True",
                               "reason": "MinimumReplicasAvailable"}]}})");
  const manifest::Node replica_sets = json(R"({"items": [
    {"metadata": {"name": "web-old", "ownerReferences": [{"uid": "d1"}]},
     "spec": {"replicas": 0, "template": {"metadata": {"labels": {"app": "web"}}}},
     "status": {"replicas": 0}},
    {"metadata": {"name": "web-new", "ownerReferences": [{"uid": "d1"}]},
     "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web",
                                                                  "pod-template-hash": "x"}},
       "spec": {"containers": [
               {"name": "app", "image": "demo-app:v2",
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "resources": {"requests": {"memory": "64Mi", "cpu": "100m"}},
                "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"},
                                   "initialDelaySeconds": 0, "timeoutSeconds": 1,
                                   "periodSeconds": 1, "successThreshold": 1,
                                   "failureThreshold": 3},
                "env": [{"name": "KEPT", "value": "yes"},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                         "fieldPath": "status.podIP"}}}]}]}}},
     "status": {"replicas": 2}},
    {"metadata": {"name": "other", "ownerReferences": [{"uid": "d2"}]}, "spec": {"replicas": 1}}]})");
  const manifest::Node events = json(R"({"items": [
    {"type": "Normal", "reason": "ScalingReplicaSet", "count": 3,
     "firstTimestamp": "2026-11-30T23:23:16Z", "lastTimestamp": "2026-11-30T23:25:00Z",
     "source": {"component": "deployment-controller"}, "message": "Scaled up\n"}]})");
  WallTime now;
  ASSERT_TRUE(parse_rfc3339("2026-11-30T23:26:16Z", &now));
  EXPECT_EQ(
      describe_deployment(deployment, replica_sets, events, now),
      "Name:                   web\n"
      "Namespace:              default\n"
      "CreationTimestamp:      Mon, 30 Nov 2026 23:23:16 +0000\n"
      "Labels:                 a=b\n"
      "                        app=web\n"
      "Annotations:            deployment.kubernetes.io/revision: 2\n"
      "Selector:               app=web\n"
      "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n"
      "StrategyType:           RollingUpdate\n"
      "MinReadySeconds:        0\n"
      "RollingUpdateStrategy:  25% max unavailable, 1 max surge\n"
      "Pod Template:\n"
      "  Labels:  app=web\n"
      "  Containers:\n"
      "   app:\n"
      "    Image:      demo-app:v2\n"
      "    Port:       8080/TCP\n"
      "    Host Port:  0/TCP\n"
      "    Requests:\n"
      "      cpu:      100m\n"
      "      memory:   64Mi\n"
      "    Readiness:  http-get http://:http/ready delay=0s timeout=1s period=1s #success=1 "
      "#failure=3\n"
      "    Environment:\n"
      "      KEPT:        yes\n"
      "      POD_IP:       (v1:status.podIP)\n"
      "    Mounts:        <none>\n"
      "  Volumes:         <none>\n"
      "  Node-Selectors:  <none>\n"
      "  Tolerations:     <none>\n"
      "Conditions:\n"
      "  Type           Status  Reason\n"
      "  ----           ------  ------\n"
      "  Available      True    MinimumReplicasAvailable\n"
      "OldReplicaSets:  web-old (0/0 replicas created)\n"
      "NewReplicaSet:   web-new (2/2 replicas created)\n"
      "Events:\n"
      "  Type    Reason             Age               From                   Message\n"
      "  ----    ------             ----              ----                   -------\n"
      "  Normal  ScalingReplicaSet  76s (x3 over 3m)  deployment-controller  Scaled up\n");
}

// Every part of a pod template nodrop stores, as kubectl 1.32 lays it out: init containers,
// envFrom, multi-line values, mounts, volumes, node selector, tolerations, selector expressions;
// a Deployment without ReplicaSets has no OldReplicaSets and NewReplicaSet lines.
TEST(DescribeDeployment, ShowsEveryPartOfThePodTemplate) {
  const manifest::Node deployment = json(R"({
    "metadata": {"name": "api", "namespace": "shop", "uid": "d1",
                 "creationTimestamp": "2026-11-30T23:23:16Z"},
    "spec": {"replicas": 1,
             "selector": {"matchLabels": {"app": "api"},
                          "matchExpressions": [{"key": "tier", "operator": "In",
                                                "values": ["web", "api"]},
                                               {"key": "canary", "operator": "DoesNotExist"}]},
             "strategy": {"type": "Recreate"},
             "template": {"metadata": {"labels": {"app": "api", "tier": "api"},
                                       "annotations": {"note": "two\nlines"}},
               "spec": {
                 "initContainers": [{"name": "setup", "image": "busybox",
                                     "command": ["sh", "-c", "echo a\necho b"]}],
                 "containers": [{"name": "app", "image": "app:1",
                   "ports": [{"containerPort": 80, "protocol": "TCP"},
                             {"containerPort": 53, "protocol": "UDP"}],
                   "envFrom": [{"configMapRef": {"name": "settings"}},
                               {"prefix": "DB_", "secretRef": {"name": "db", "optional": true}}],
                   "env": [{"name": "GREETING", "value": "hello\nworld"},
                           {"name": "MODE", "valueFrom": {"configMapKeyRef":
                              {"name": "settings", "key": "mode"}}},
                           {"name": "CPUS", "valueFrom": {"resourceFieldRef":
                              {"resource": "limits.cpu"}}}],
                   "volumeMounts": [{"name": "data", "mountPath": "/var/data"},
                                    {"name": "config", "mountPath": "/etc/app",
                                     "readOnly": true, "subPath": "app"}]}],
                 "volumes": [{"name": "data", "emptyDir": {}},
                             {"name": "config", "configMap": {"name": "settings"}},
                             {"name": "creds", "secret": {"secretName": "db",
                                                          "optional": true}}],
                 "nodeSelector": {"disk": "ssd"},
                 "tolerations": [{"key": "zone", "operator": "Equal", "value": "a",
                                  "effect": "NoSchedule"},
                                 {"operator": "Exists"},
                                 {"key": "busy", "operator": "Exists", "effect": "NoExecute",
                                  "tolerationSeconds": 300}]}}},
    "status": {}})");
  EXPECT_EQ(describe_deployment(deployment, json(R"({"items": []})"), json(R"({"items": []})"),
                                WallTime{}),
            "Name:               api\n"
            "Namespace:          shop\n"
            "CreationTimestamp:  Mon, 30 Nov 2026 23:23:16 +0000\n"
            "Labels:             <none>\n"
            "Annotations:        <none>\n"
            "Selector:           app=api,!canary,tier in (api,web)\n"
            "Replicas:           1 desired | 0 updated | 0 total | 0 available | 0 unavailable\n"
            "StrategyType:       Recreate\n"
            "MinReadySeconds:    0\n"
            "Pod Template:\n"
            "  Labels:       app=api\n"
            "                tier=api\n"
            "  Annotations:  note:\n"
            "                  two\n"
            "                  lines\n"
            "  Init Containers:\n"
            "   setup:\n"
            "    Image:      busybox\n"
            "    Port:       <none>\n"
            "    Host Port:  <none>\n"
            "    Command:\n"
            "      sh\n"
            "      -c\n"
            "      echo a\n"
            "      echo b\n"
            "    Environment:  <none>\n"
            "    Mounts:       <none>\n"
            "  Containers:\n"
            "   app:\n"
            "    Image:       app:1\n"
            "    Ports:       80/TCP, 53/UDP\n"
            "    Host Ports:  0/TCP, 0/UDP\n"
            "    Environment Variables from:\n"
            "      settings  ConfigMap                 Optional: false\n"
            "      db        Secret with prefix 'DB_'  Optional: true\n"
            "    Environment:\n"
            "      GREETING:  hello\n"
            "                 world\n"
            "      MODE:      <set to the key 'mode' of config map 'settings'>  Optional: false\n"
            "      CPUS:      node allocatable (limits.cpu)\n"
            "    Mounts:\n"
            "      /etc/app from config (ro,path=\"app\")\n"
            "      /var/data from data (rw)\n"
            "  Volumes:\n"
            "   data:\n"
            "    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)\n"
            "    Medium:     \n"
            "    SizeLimit:  <unset>\n"
            "   config:\n"
            "    Type:      ConfigMap (a volume populated by a ConfigMap)\n"
            "    Name:      settings\n"
            "    Optional:  false\n"
            "   creds:\n"
            "    Type:          Secret (a volume populated by a Secret)\n"
            "    SecretName:    db\n"
            "    Optional:      true\n"
            "  Node-Selectors:  disk=ssd\n"
            "  Tolerations:     op=Exists\n"
            "                   busy:NoExecute op=Exists for 300s\n"
            "                   zone=a:NoSchedule\n"
            "Events:            <none>\n");
}

}  // namespace
}  // namespace nodrop::cli
