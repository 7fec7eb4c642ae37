// The ReplicaSet controller as a planner (pkg/controller/replicaset/replica_set.go,
// replica_set_utils.go; reference/k8s-semantics.md §1.6): how many pods to create, which pods to
// delete first, and the status the RS should report.
//
// An RS manages its *active* pods only (phase not Succeeded/Failed and no deletionTimestamp), so
// terminating pods are in neither the count nor the status.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "api/pod.h"
#include "api/workload.h"
#include "base/time.h"
#include "runtime/clock.h"

namespace nodrop::controller {

// BurstReplicas: at most this many creations or deletions per sync.
inline constexpr std::int32_t kBurstReplicas = 500;

// controller.IsPodActive.
bool is_pod_active(const api::Pod& pod);

// ActivePodsWithRanks.Less (LogarithmicScaleDown, on by default): true when `a` should be deleted
// before `b`. `rank_*` is the number of active related pods on the pod's node.
//
//   rule                                                  deleted first
//   1 node assigned                                       unscheduled
//   2 phase                                               Pending < Unknown < Running
//   3 readiness                                           not ready
//   4 controller.kubernetes.io/pod-deletion-cost          lower cost
//   5 active related pods on the same node                more
//   6 both ready: time ready, log2 buckets of (now - t)   ready more recently (zero time first)
//   7 highest container restart count                     more restarts
//   8 creation time, log2 buckets of (now - t)            newer (zero time first)
//   ties in a log2 bucket (6, 8)                          lower UID
bool delete_before(const api::Pod& a, int rank_a, const api::Pod& b, int rank_b, WallTime now);

// getPodsToDelete: the `count` pods of `pods` to delete, first to delete first. related_pods are
// the pods of every ReplicaSet of the same owner (they count for rule 5).
std::vector<const api::Pod*> pods_to_delete(std::span<const api::Pod* const> pods,
                                            std::span<const api::Pod* const> related_pods,
                                            std::size_t count, WallTime now);

// calculateStatus: replicas = active pods, ready, available (minReadySeconds, strict), fully
// labeled; observedGeneration = generation.
api::ReplicaSetStatus calculate_replica_set_status(const api::ReplicaSet& replica_set,
                                                   std::span<const api::Pod* const> active_pods,
                                                   WallTime now);

struct ReplicaSetPlan {
  // Pods to create from the template (the shell names them: generateName "<rs>-").
  std::int32_t pods_to_create = 0;
  // Pods to delete, in Kubernetes' order, with the pod's own grace period.
  std::vector<std::string> pods_to_delete;
  // The new status, when it differs from the current one.
  std::optional<api::ReplicaSetStatus> status;
  // Every pod is ready but not all are available (minReadySeconds): look again after this.
  std::optional<runtime::Duration> requeue_after;
};

// syncReplicaSet. `pods` are the pods the RS owns (controllerRef), in any state, as pointers into
// the caller's cache (a sync of a large RS copied every pod of it); related_pods as for
// pods_to_delete (pods of sibling RSs included); empty means `pods`.
ReplicaSetPlan plan_replica_set_sync(const api::ReplicaSet& replica_set,
                                     std::span<const api::Pod* const> pods,
                                     std::span<const api::Pod* const> related_pods, WallTime now);

// A pod for the RS's template: labels, annotations and spec of the template, a controller owner
// reference to the RS, and the given name.
api::Pod pod_from_template(const api::ReplicaSet& replica_set, const std::string& name,
                           WallTime now);

}  // namespace nodrop::controller
