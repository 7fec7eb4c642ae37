// The pure arithmetic and bookkeeping of Kubernetes' Deployment controller
// (pkg/controller/deployment/util/deployment_util.go and the ReplicaSet sorts of
// pkg/controller/controller_utils.go). reference/k8s-semantics.md §1.2, §1.4, §1.6, §1.7, §1.11.
//
// Every function here is a function of its arguments: no clock, no API, no logging.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/int_or_string.h"
#include "api/workload.h"
#include "base/status.h"
#include "base/time.h"

namespace nodrop::controller {

// Condition types and reasons of a Deployment (util/deployment_util.go).
inline constexpr const char* kDeploymentProgressing = "Progressing";
inline constexpr const char* kDeploymentAvailable = "Available";
inline constexpr const char* kDeploymentReplicaFailure = "ReplicaFailure";
inline constexpr const char* kReplicaSetReplicaFailure = "ReplicaFailure";

inline constexpr const char* kNewReplicaSetReason = "NewReplicaSetCreated";
inline constexpr const char* kFoundNewReplicaSetReason = "FoundNewReplicaSet";
inline constexpr const char* kReplicaSetUpdatedReason = "ReplicaSetUpdated";
inline constexpr const char* kNewReplicaSetAvailableReason = "NewReplicaSetAvailable";
inline constexpr const char* kTimedOutReason = "ProgressDeadlineExceeded";
inline constexpr const char* kPausedReason = "DeploymentPaused";
inline constexpr const char* kResumedReason = "DeploymentResumed";
inline constexpr const char* kFailedReplicaSetCreateReason = "ReplicaSetCreateError";
inline constexpr const char* kMinimumReplicasAvailable = "MinimumReplicasAvailable";
inline constexpr const char* kMinimumReplicasUnavailable = "MinimumReplicasUnavailable";
inline constexpr const char* kRollbackRevisionNotFound = "DeploymentRollbackRevisionNotFound";
inline constexpr const char* kRollbackTemplateUnchanged = "DeploymentRollbackTemplateUnchanged";
inline constexpr const char* kRollbackDone = "DeploymentRollback";

// sync.go maxRevHistoryLengthInChars.
inline constexpr std::size_t kMaxRevisionHistoryLengthInChars = 2000;
// math.MaxInt32: a progressDeadlineSeconds or revisionHistoryLimit meaning "none".
inline constexpr std::int32_t kMaxInt32 = 2147483647;

// ResolveFenceposts: maxSurge rounds up, maxUnavailable rounds down, an unset value counts as 0,
// and when both resolve to 0 maxUnavailable becomes 1 so that a rollout can make progress.
//
//   maxSurge  maxUnavailable  desired  surge  unavailable
//   "25%"     "25%"           10       3      2
//   "25%"     "25%"           3        1      0
//   "0%"      "0%"            0        0      1
//   unset     "39%"           10       0      3
//   "55%"     "urg"           10       error (a string must end in '%')
struct Fenceposts {
  std::int32_t surge = 0;
  std::int32_t unavailable = 0;
};
Result<Fenceposts> resolve_fenceposts(const std::optional<api::IntOrString>& max_surge,
                                      const std::optional<api::IntOrString>& max_unavailable,
                                      std::int32_t desired);

// spec.replicas, with the API default of 1 for an object that was never defaulted.
std::int32_t desired_replicas(const api::Deployment& deployment);
std::int32_t spec_replicas(const api::ReplicaSet& replica_set);
bool is_rolling_update(const api::Deployment& deployment);

// MaxUnavailable: 0 unless RollingUpdate with replicas > 0; otherwise min(unavailable, replicas).
//   RollingUpdate replicas 5, maxUnavailable 10      -> 5
//   RollingUpdate replicas 10, maxUnavailable "50%"  -> 5
//   RollingUpdate replicas 0                         -> 0
//   Recreate                                         -> 0
std::int32_t max_unavailable(const api::Deployment& deployment);
// MaxSurge: 0 unless RollingUpdate; otherwise the resolved surge, not clamped.
std::int32_t max_surge(const api::Deployment& deployment);
// MinAvailable: 0 unless RollingUpdate; otherwise replicas - MaxUnavailable.
std::int32_t min_available(const api::Deployment& deployment);

// Sums over ReplicaSets (GetReplicaCountForReplicaSets and friends). Null entries are skipped.
std::int32_t sum_spec_replicas(const std::vector<const api::ReplicaSet*>& replica_sets);
std::int32_t sum_status_replicas(const std::vector<const api::ReplicaSet*>& replica_sets);
std::int32_t sum_ready_replicas(const std::vector<const api::ReplicaSet*>& replica_sets);
std::int32_t sum_available_replicas(const std::vector<const api::ReplicaSet*>& replica_sets);

// NewRSNewReplicas: how many replicas the new ReplicaSet may have after one scale-up step.
// Surge math uses spec sums over all_replica_sets (which normally includes the new one).
//
//   RollingUpdate: current = Σ spec; maxTotal = replicas + maxSurge
//     current >= maxTotal -> new.spec (no scale-up)
//     otherwise           -> new.spec + min(maxTotal - current, replicas - new.spec)
//   Recreate: replicas
//
//   replicas  maxSurge  new.spec  Σ spec  result
//   10        3 (25%)   0         10      3
//   10        3         3         13      3
//   10        3         3         8       8      (old scaled to 5)
//   1         1         5         5       5      (cannot scale up)
Result<std::int32_t> new_rs_new_replicas(
    const api::Deployment& deployment, const std::vector<const api::ReplicaSet*>& all_replica_sets,
    const api::ReplicaSet& new_replica_set);

// getReplicaSetFraction: the share of a replicas change that falls on replica_set.
//   d.replicas == 0 -> -rs.spec
//   otherwise round_half_away_from_zero(rs.spec * (d.replicas + MaxSurge) / annotated) - rs.spec,
//   annotated = max-replicas annotation; a missing, unparseable or 0 annotation falls back to
//   d.status.replicas, and when that is also 0 the fraction is 0.
//
//   d.replicas  maxSurge  rs.spec  annotated  fraction
//   120         10        50       110        9        (54.54 -> 55)
//   10          0         6        12         -1
//   10          0         5        missing, status 0   0
//   0           any       10       any        -10
std::int32_t replica_set_fraction(const api::ReplicaSet& replica_set,
                                  const api::Deployment& deployment);
// GetProportion: the fraction, bounded by what is left to distribute (to_add - added).
std::int32_t replica_set_proportion(const api::ReplicaSet& replica_set,
                                    const api::Deployment& deployment, std::int32_t to_add,
                                    std::int32_t added);

// IsSaturated: the new RS has all replicas, its desired-replicas annotation agrees, and all are
// available.
bool is_saturated(const api::Deployment& deployment, const api::ReplicaSet* replica_set);

// DeploymentComplete: updated == replicas == available == spec.replicas and the status has
// observed the current generation.
bool deployment_complete(const api::Deployment& deployment, const api::DeploymentStatus& status);
// DeploymentProgressing: more updated, fewer old, more ready or more available replicas than in
// deployment.status.
bool deployment_progressing(const api::Deployment& deployment,
                            const api::DeploymentStatus& new_status);
// HasProgressDeadline: set and not MaxInt32.
bool has_progress_deadline(const api::Deployment& deployment);
bool has_revision_history_limit(const api::Deployment& deployment);
// DeploymentTimedOut: the Progressing condition of new_status is older than the deadline
// (lastUpdateTime + progressDeadlineSeconds < now, strict), or already reports the timeout.
bool deployment_timed_out(const api::Deployment& deployment,
                          const api::DeploymentStatus& new_status, WallTime now);

// Deployment conditions (NewDeploymentCondition, SetDeploymentCondition,
// RemoveDeploymentCondition).
api::Condition new_deployment_condition(const std::string& type, api::ConditionStatus status,
                                        const std::string& reason, const std::string& message,
                                        WallTime now);
// Does nothing when status and reason are unchanged; keeps lastTransitionTime when only the
// reason changes; the (re)set condition moves to the end of the list, as in Kubernetes.
void set_deployment_condition(api::DeploymentStatus& status, api::Condition condition);
void remove_deployment_condition(api::DeploymentStatus& status, const std::string& type);
const api::Condition* deployment_condition(const api::DeploymentStatus& status,
                                           const std::string& type);

// Revision: the revision annotation; a missing one is 0, an unparseable one an error.
Result<std::int64_t> revision_of(const api::ObjectMeta& metadata);
// MaxRevision (unparseable revisions skipped) and LastRevision (the second-highest).
std::int64_t max_revision(const std::vector<const api::ReplicaSet*>& replica_sets);
std::int64_t last_revision(const std::vector<const api::ReplicaSet*>& replica_sets);

// Annotations a Deployment never copies to its ReplicaSets (annotationsToSkip).
bool skip_copy_annotation(const std::string& key);
// SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the RS revision to
// new_revision when lower and records the replaced revision in revision-history (dropping the
// oldest entries while the history would exceed history_limit_chars); on a new RS (exists false)
// also sets desired-replicas and max-replicas. Returns whether any annotation changed.
bool set_new_replica_set_annotations(const api::Deployment& deployment,
                                     api::ReplicaSet& replica_set, const std::string& new_revision,
                                     bool exists, std::size_t history_limit_chars);
// SetDeploymentRevision: returns whether the annotation changed.
bool set_deployment_revision(api::Deployment& deployment, const std::string& revision);
// ReplicasAnnotationsNeedUpdate / SetReplicasAnnotations.
bool replicas_annotations_need_update(const api::ReplicaSet& replica_set,
                                      std::int32_t desired_replicas, std::int32_t max_replicas);
bool set_replicas_annotations(api::ReplicaSet& replica_set, std::int32_t desired_replicas,
                              std::int32_t max_replicas);
// An integer annotation (strconv.Atoi); nullopt when missing or unparseable.
std::optional<std::int32_t> int_annotation(const api::ObjectMeta& metadata, const char* key);

// EqualIgnoreHash: templates equal after removing the pod-template-hash label from both.
bool equal_ignore_hash(const api::PodTemplateSpec& a, const api::PodTemplateSpec& b);

// ComputeHash: FNV-32a over a canonical dump of the template, then the collision count as 8
// little-endian bytes, rendered with rand.SafeEncodeString ("bcdfghjklmnpqrstvwxz2456789"[c %
// 27] for each decimal digit). The value differs from Kubernetes' (which hashes Go's spew dump);
// the format (at most 10 characters of that alphabet) and the determinism are the same. A hash
// shared by two templates is resolved by collisionCount, as in Kubernetes.
std::string compute_hash(const api::PodTemplateSpec& pod_template,
                         std::optional<std::int32_t> collision_count);

// Orders of controller_utils.go. All are total orders, so any sort gives one result.
// ReplicaSetsByCreationTimestamp: older first, ties by name.
bool created_before(const api::ReplicaSet& a, const api::ReplicaSet& b);
// ReplicaSetsBySizeNewer: larger spec first, ties newer first.
bool larger_then_newer(const api::ReplicaSet& a, const api::ReplicaSet& b);
// ReplicaSetsBySizeOlder: larger spec first, ties older first.
bool larger_then_older(const api::ReplicaSet& a, const api::ReplicaSet& b);
// ReplicaSetsByRevision: revision ascending; equal or unparseable revisions fall back to
// creation order. Not a strict weak order when revisions fail to parse, so callers sort with
// insertion_sort (Go's sort tolerates this; std::sort does not).
bool revision_before(const api::ReplicaSet& a, const api::ReplicaSet& b);

template <typename T, typename Less>
void insertion_sort(std::vector<T>& items, Less less) {
  for (std::size_t i = 1; i < items.size(); ++i) {
    for (std::size_t j = i; j > 0 && less(items[j], items[j - 1]); --j) {
      std::swap(items[j], items[j - 1]);
    }
  }
}

}  // namespace nodrop::controller
