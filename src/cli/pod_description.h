// `kubectl describe pod` and `kubectl describe replicaset`, laid out as kubectl's PodDescriber and
// ReplicaSetDescriber write them (describe_sections.h has the pieces they share with the
// Deployment's description):
//   a pod       its node, start time, status, IPs, controller, init containers and containers
//               with their states, conditions, volumes, QoS class, node selector, tolerations,
//               events;
//   a ReplicaSet  its selector, controller, replicas, its pods by phase, the pod template,
//               conditions, events.
// Pure functions of the objects the API answers with.
#pragma once

#include <string>

#include "base/time.h"
#include "manifest/node.h"

namespace nodrop::cli {

// now: for a terminating pod's "Terminating (lasts 5s)" and the events' ages.
std::string describe_pod(const manifest::Node& pod, const manifest::Node& events, WallTime now);

// pods: the PodList of the ReplicaSet's namespace matching its selector; those it controls are
// counted by phase.
std::string describe_replica_set(const manifest::Node& replica_set, const manifest::Node& pods,
                                 const manifest::Node& events, WallTime now);

// ComputePodQOS, unless the pod's status names its class: Guaranteed when every container limits
// CPU and memory and requests what it limits, BestEffort when none requests or limits either,
// Burstable otherwise.
std::string pod_qos_class(const manifest::Node& pod);

}  // namespace nodrop::cli
