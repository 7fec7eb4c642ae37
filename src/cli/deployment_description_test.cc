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
               {"name": "app", "image": "demo-app:v2", "ports": [{"containerPort": 8080}],
                "resources": {"requests": {"memory": "64Mi", "cpu": "100m"}},
                "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"},
                                   "initialDelaySeconds": 0, "timeoutSeconds": 1,
                                   "periodSeconds": 1, "successThreshold": 1,
                                   "failureThreshold": 3},
                "env": [{"name": "KEPT", "value": "yes"},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]}]}}},
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
               {"name": "app", "image": "demo-app:v2", "ports": [{"containerPort": 8080}],
                "resources": {"requests": {"memory": "64Mi", "cpu": "100m"}},
                "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"},
                                   "initialDelaySeconds": 0, "timeoutSeconds": 1,
                                   "periodSeconds": 1, "successThreshold": 1,
                                   "failureThreshold": 3},
                "env": [{"name": "KEPT", "value": "yes"},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]}]}}},
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

}  // namespace
}  // namespace nodrop::cli
