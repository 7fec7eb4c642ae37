// The Deployment controller as a planner: (Deployment, ReplicaSets, pods, now) -> DeploymentPlan.
// reference/k8s-semantics.md §1.3-§1.11; each function names the Kubernetes function it copies
// (pkg/controller/deployment/{deployment_controller,sync,rolling,recreate,rollback,progress}.go).
//
// Kubernetes' controller writes to the API server in the middle of its decisions and keeps
// working on the objects the writes return. Here the same steps work on a SyncState, a private
// copy of the Deployment and its ReplicaSets: each write updates the copy and is appended to the
// plan, so later steps see exactly what Kubernetes' later steps see, and nothing is sent.
//
// Not thread-safe; a SyncState lives for one sync.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "api/pod.h"
#include "api/workload.h"
#include "base/status.h"
#include "base/time.h"
#include "controller/deployment_plan.h"

namespace nodrop::controller {

using ReplicaSetIndex = std::size_t;

struct SyncState {
  api::Deployment deployment;
  // The ReplicaSets the Deployment owns (controllerRef), as this sync sees and changes them.
  std::vector<api::ReplicaSet> replica_sets;
  // Names of every other ReplicaSet in the namespace (pod-template-hash collisions).
  std::vector<std::string> other_replica_set_names;
  WallTime now;
  DeploymentPlan plan;

  std::vector<const api::ReplicaSet*> view(const std::vector<ReplicaSetIndex>& indices) const;
};

struct ReplicaSetGroups {
  std::optional<ReplicaSetIndex> new_rs;
  std::vector<ReplicaSetIndex> old;  // every owned RS but the new one
  std::vector<ReplicaSetIndex> all() const;
};

// FindNewReplicaSet (the oldest RS whose template equals the Deployment's, hash ignored) and
// FindOldReplicaSets.
ReplicaSetGroups find_replica_sets(const SyncState& state);
// FilterActiveReplicaSets: spec.replicas > 0.
std::vector<ReplicaSetIndex> filter_active(const SyncState& state,
                                           const std::vector<ReplicaSetIndex>& indices);

// getAllReplicaSetsAndSyncRevision / getNewReplicaSet: syncs the new RS's revision annotations
// (or creates the new RS when create_if_missing), the Deployment's revision and the
// NewReplicaSetCreated / FoundNewReplicaSet condition. A hash collision bumps
// status.collisionCount and returns an AlreadyExists error (the caller requeues).
Result<ReplicaSetGroups> get_all_replica_sets_and_sync_revision(SyncState& state,
                                                                bool create_if_missing);

// scaleReplicaSetAndRecordEvent: no-op when spec.replicas already equals new_scale.
bool scale_replica_set_and_record_event(SyncState& state, ReplicaSetIndex index,
                                        std::int32_t new_scale);
// scaleReplicaSet: writes when the size or the desired/max-replicas annotations differ; returns
// whether the size changed.
bool scale_replica_set(SyncState& state, ReplicaSetIndex index, std::int32_t new_scale);

// rolling.go
Result<bool> reconcile_new_replica_set(SyncState& state, const std::vector<ReplicaSetIndex>& all,
                                       ReplicaSetIndex new_rs);
// `old` are the active old ReplicaSets.
Result<bool> reconcile_old_replica_sets(SyncState& state, const std::vector<ReplicaSetIndex>& all,
                                        std::vector<ReplicaSetIndex> old, ReplicaSetIndex new_rs);
// Scales old RSs (oldest first) down by their unavailable replicas, at most max_cleanup in all.
// `old` is sorted oldest-first in place, as Kubernetes sorts its slice.
Result<std::int32_t> cleanup_unhealthy_replicas(SyncState& state, std::vector<ReplicaSetIndex>& old,
                                                std::int32_t max_cleanup);
// Scales old RSs (oldest first) down by Σ available - minAvailable.
Result<std::int32_t> scale_down_old_replica_sets_for_rolling_update(
    SyncState& state, const std::vector<ReplicaSetIndex>& all, std::vector<ReplicaSetIndex> old);

// sync.go scale: proportional scaling when replicas change with several active RSs.
void scale(SyncState& state, const ReplicaSetGroups& groups);
// sync.go cleanupDeployment: deletes the oldest old RSs beyond revisionHistoryLimit that have no
// replicas (spec and status) and whose status observed their generation.
void cleanup_deployment(SyncState& state, const std::vector<ReplicaSetIndex>& old);

// sync.go calculateStatus (conditions copied from the Deployment, Available set).
api::DeploymentStatus calculate_status(const api::Deployment& deployment,
                                       const std::vector<const api::ReplicaSet*>& all,
                                       const api::ReplicaSet* new_rs, WallTime now);

// progress.go requeueStuckDeployment: whether and when to check the deadline again. `remaining`
// is lastUpdateTime + progressDeadlineSeconds - now (the value Kubernetes returns); the queue
// delay is remaining + 1s.
struct StuckDeploymentCheck {
  RequeueKind kind = RequeueKind::kNone;
  runtime::Duration remaining{0};
};
StuckDeploymentCheck requeue_stuck_deployment(const api::Deployment& deployment,
                                              const api::DeploymentStatus& new_status,
                                              WallTime now);

// progress.go syncRolloutStatus over the ReplicaSets as they were before this sync's scaling
// (Kubernetes passes its pre-update objects). Writes the status when it changed, else sets the
// plan's requeue from requeue_stuck_deployment.
void sync_rollout_status(SyncState& state, const std::vector<api::ReplicaSet>& all,
                         const api::ReplicaSet* new_rs);

// recreate.go oldPodsRunning: old RSs report replicas, or a pod of an RS other than the new one
// is in a non-terminal phase (terminating pods included).
bool old_pods_running(const api::ReplicaSet* new_rs, const std::vector<const api::ReplicaSet*>& old,
                      const std::map<std::string, std::vector<const api::Pod*>>& pods_by_rs_uid);

// deprecated.deployment.rollback.to, parsed; nullopt when absent or not an integer.
std::optional<std::int64_t> rollback_to(const api::Deployment& deployment);

// syncDeployment: one complete sync. replica_sets may include ReplicaSets the Deployment does not
// own (they only matter for name collisions); pods are those of the namespace, as pointers into
// the caller's cache (only Recreate reads them, and copying every pod for each sync made a large
// rollout cost O(pods) copies a sync).
DeploymentPlan plan_deployment_sync(const api::Deployment& deployment,
                                    std::span<const api::ReplicaSet> replica_sets,
                                    std::span<const api::Pod* const> pods, WallTime now);

// kubectl rollout undo (client side, polymorphichelpers/rollback.go): the Deployment with the
// template and annotations of the ReplicaSet at to_revision (0: the previous revision).
Result<api::Deployment> rollback_deployment(const api::Deployment& deployment,
                                            std::span<const api::ReplicaSet> owned,
                                            std::int64_t to_revision);

}  // namespace nodrop::controller
