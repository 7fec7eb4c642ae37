// kubectl's describe of a pod and of a ReplicaSet, from the objects the API answers with.
#include "cli/pod_description.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::cli {
namespace {

manifest::Node json(const std::string& text) { return apiserver::parse_body(text).value(); }

WallTime at(const std::string& text) {
  WallTime time;
  EXPECT_TRUE(parse_rfc3339(text, &time));
  return time;
}

// A running pod of a ReplicaSet as nodrop's API serves it: its container's state and readiness,
// a fieldRef variable resolved against the pod (metadata only, as kubectl), conditions, QoS.
TEST(DescribePod, LaidOutAsKubectlDescribesIt) {
  const manifest::Node pod = json(R"({
    "metadata": {"name": "web-1", "namespace": "default", "uid": "p1",
                 "labels": {"app": "web", "pod-template-hash": "abc"},
                 "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc", "uid": "r1",
                                      "controller": true}]},
    "spec": {"nodeName": "node-1", "serviceAccountName": "default",
             "containers": [{"name": "app", "image": "demo-app:v1",
               "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
               "resources": {"requests": {"cpu": "100m"}},
               "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                          "fieldPath": "metadata.name"}}},
                       {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                        "fieldPath": "status.podIP"}}}]}]},
    "status": {"phase": "Running", "hostIP": "127.0.170.1", "podIP": "127.0.171.2",
               "podIPs": [{"ip": "127.0.171.2"}], "startTime": "2026-11-30T23:23:16Z",
               "conditions": [{"type": "Ready", "status": "True"},
                              {"type": "PodScheduled", "status": "True"}],
               "containerStatuses": [{"name": "app", "ready": true, "restartCount": 1,
                                      "containerID": "nodrop://42",
                                      "state": {"running": {"startedAt": "2026-11-30T23:23:17Z"}},
                                      "lastState": {"terminated": {"exitCode": 137,
                                        "reason": "Error", "startedAt": "2026-11-30T23:23:16Z",
                                        "finishedAt": "2026-11-30T23:23:17Z"}}}]}})");
  const manifest::Node events = json(R"({"items": [
    {"type": "Normal", "reason": "Scheduled", "firstTimestamp": "2026-11-30T23:23:16Z",
     "lastTimestamp": "2026-11-30T23:23:16Z", "count": 1,
     "source": {"component": "default-scheduler"},
     "message": "Successfully assigned default/web-1 to node-1"}]})");
  EXPECT_EQ(describe_pod(pod, events, at("2026-11-30T23:24:16Z")),
            "Name:             web-1\n"
            "Namespace:        default\n"
            "Service Account:  default\n"
            "Node:             node-1/127.0.170.1\n"
            "Start Time:       Mon, 30 Nov 2026 23:23:16 +0000\n"
            "Labels:           app=web\n"
            "                  pod-template-hash=abc\n"
            "Annotations:      <none>\n"
            "Status:           Running\n"
            "IP:               127.0.171.2\n"
            "IPs:\n"
            "  IP:           127.0.171.2\n"
            "Controlled By:  ReplicaSet/web-abc\n"
            "Containers:\n"
            "  app:\n"
            "    Container ID:   nodrop://42\n"
            "    Image:          demo-app:v1\n"
            "    Image ID:       \n"
            "    Port:           8080/TCP\n"
            "    Host Port:      0/TCP\n"
            "    State:          Running\n"
            "      Started:      Mon, 30 Nov 2026 23:23:17 +0000\n"
            "    Last State:     Terminated\n"
            "      Reason:       Error\n"
            "      Exit Code:    137\n"
            "      Started:      Mon, 30 Nov 2026 23:23:16 +0000\n"
            "      Finished:     Mon, 30 Nov 2026 23:23:17 +0000\n"
            "    Ready:          True\n"
            "    Restart Count:  1\n"
            "    Requests:\n"
            "      cpu:  100m\n"
            "    Environment:\n"
            "      POD_NAME:  web-1 (v1:metadata.name)\n"
            "      POD_IP:     (v1:status.podIP)\n"
            "    Mounts:      <none>\n"
            "Conditions:\n"
            "  Type           Status\n"
            "  Ready          True \n"
            "  PodScheduled   True \n"
            "Volumes:         <none>\n"
            "QoS Class:       Burstable\n"
            "Node-Selectors:  <none>\n"
            "Tolerations:     <none>\n"
            "Events:\n"
            "  Type    Reason     Age   From               Message\n"
            "  ----    ------     ----  ----               -------\n"
            "  Normal  Scheduled  60s   default-scheduler  Successfully assigned default/web-1 to "
            "node-1\n");
}

TEST(DescribePod, ATerminatingPodSaysForHowLong) {
  const manifest::Node pod = json(R"({
    "metadata": {"name": "web-1", "namespace": "default",
                 "deletionTimestamp": "2026-11-30T23:23:16Z", "deletionGracePeriodSeconds": 30},
    "spec": {"containers": []}, "status": {"phase": "Running"}})");
  EXPECT_EQ(describe_pod(pod, json(R"({"items": []})"), at("2026-11-30T23:23:21Z")),
            "Name:                      web-1\n"
            "Namespace:                 default\n"
            "Node:                      <none>\n"
            "Labels:                    <none>\n"
            "Annotations:               <none>\n"
            "Status:                    Terminating (lasts 5s)\n"
            "Termination Grace Period:  30s\n"
            "IP:                        \n"
            "IPs:                       <none>\n"
            "Containers: <none>\n"
            "Volumes:         <none>\n"
            "QoS Class:       BestEffort\n"
            "Node-Selectors:  <none>\n"
            "Tolerations:     <none>\n"
            "Events:          <none>\n");
}

TEST(PodQosClass, FollowsComputePodQOS) {
  EXPECT_EQ(pod_qos_class(json(R"({"spec": {"containers": [{"name": "a"}]}})")), "BestEffort");
  EXPECT_EQ(pod_qos_class(json(R"({"spec": {"containers": [{"resources": {
                "requests": {"cpu": "1", "memory": "1Gi"},
                "limits": {"cpu": "1000m", "memory": "1Gi"}}}]}})")),
            "Guaranteed");
  EXPECT_EQ(pod_qos_class(json(R"({"spec": {"containers": [{"resources": {
                "requests": {"cpu": "1"}, "limits": {"cpu": "2", "memory": "1Gi"}}}]}})")),
            "Burstable");
  EXPECT_EQ(pod_qos_class(json(R"({"status": {"qosClass": "Guaranteed"}})")), "Guaranteed");
}

TEST(DescribeReplicaSet, CountsThePodsItControlsByPhase) {
  const manifest::Node replica_set = json(R"({
    "metadata": {"name": "web-abc", "namespace": "default", "uid": "r1",
                 "labels": {"app": "web", "pod-template-hash": "abc"},
                 "annotations": {"deployment.kubernetes.io/revision": "1"},
                 "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "d1",
                                      "controller": true}]},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "abc"}},
             "template": {"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}},
                          "spec": {"containers": [{"name": "app", "image": "demo-app:v1"}]}}},
    "status": {"replicas": 3}})");
  const manifest::Node pods = json(R"({"items": [
    {"metadata": {"ownerReferences": [{"uid": "r1", "controller": true}]},
     "status": {"phase": "Running"}},
    {"metadata": {"ownerReferences": [{"uid": "r1", "controller": true}]},
     "status": {"phase": "Pending"}},
    {"metadata": {"ownerReferences": [{"uid": "r2", "controller": true}]},
     "status": {"phase": "Running"}}]})");
  EXPECT_EQ(describe_replica_set(replica_set, pods, json(R"({"items": []})"), WallTime{}),
            "Name:           web-abc\n"
            "Namespace:      default\n"
            "Selector:       app=web,pod-template-hash=abc\n"
            "Labels:         app=web\n"
            "                pod-template-hash=abc\n"
            "Annotations:    deployment.kubernetes.io/revision: 1\n"
            "Controlled By:  Deployment/web\n"
            "Replicas:       3 current / 3 desired\n"
            "Pods Status:    1 Running / 1 Waiting / 0 Succeeded / 0 Failed\n"
            "Pod Template:\n"
            "  Labels:  app=web\n"
            "           pod-template-hash=abc\n"
            "  Containers:\n"
            "   app:\n"
            "    Image:         demo-app:v1\n"
            "    Port:          <none>\n"
            "    Host Port:     <none>\n"
            "    Environment:   <none>\n"
            "    Mounts:        <none>\n"
            "  Volumes:         <none>\n"
            "  Node-Selectors:  <none>\n"
            "  Tolerations:     <none>\n"
            "Events:            <none>\n");
}

}  // namespace
}  // namespace nodrop::cli
