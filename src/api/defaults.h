// Kubernetes' defaulting (SetDefaults_* in pkg/apis/*/v1/defaults.go), applied after decoding and
// before validation, exactly as the API server does. reference/k8s-semantics.md §1.1, §2.1.
//
//   Deployment   replicas 1, strategy RollingUpdate with maxSurge/maxUnavailable "25%",
//                revisionHistoryLimit 10, progressDeadlineSeconds 600
//   ReplicaSet   replicas 1
//   PodSpec      restartPolicy Always, terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst,
//                schedulerName default-scheduler
//   Container    imagePullPolicy Always for ":latest" or untagged images, else IfNotPresent;
//                terminationMessagePath /dev/termination-log, terminationMessagePolicy File;
//                ports' protocol TCP; env fieldRef apiVersion v1
//   Probe        timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3
//   HTTPGet      path "/", scheme HTTP (probes and hooks)
//   Service      type ClusterIP, sessionAffinity None, ports' protocol TCP, targetPort = port,
//                externalTrafficPolicy Cluster for NodePort/LoadBalancer, internalTrafficPolicy
//                Cluster, allocateLoadBalancerNodePorts true for LoadBalancer
//   EndpointSlice ports' protocol TCP
//   metadata     namespace "default" for namespaced kinds (as kubectl does for a bare manifest)
#pragma once

#include "api/object.h"

namespace nodrop::api {

void set_defaults(Object& object);
void set_defaults(Deployment& deployment);
void set_defaults(ReplicaSet& replica_set);
void set_defaults(Pod& pod);
void set_defaults(PodSpec& spec);
void set_defaults(Service& service);
void set_defaults(EndpointSlice& slice);
void set_defaults(Node& node);
void set_defaults(Event& event);

}  // namespace nodrop::api
