#include "controller/replica_set_sync.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "controller/deployment_util.h"

namespace nodrop::controller {
namespace {

inline constexpr const char* kPodDeletionCost = "controller.kubernetes.io/pod-deletion-cost";

int phase_ordinal(api::PodPhase phase) {
  switch (phase) {
    case api::PodPhase::kPending:
      return 0;
    case api::PodPhase::kUnknown:
      return 1;
    case api::PodPhase::kRunning:
      return 2;
    case api::PodPhase::kSucceeded:
    case api::PodPhase::kFailed:
      return 0;  // not in Kubernetes' map: the zero value
  }
  return 0;
}

std::int32_t deletion_cost(const api::Pod& pod) {
  const auto found = pod.metadata.annotations.find(kPodDeletionCost);
  if (found == pod.metadata.annotations.end()) return 0;
  std::int32_t cost = 0;
  const char* end = found->second.data() + found->second.size();
  const auto [stop, error] = std::from_chars(found->second.data(), end, cost);
  return error == std::errc() && stop == end ? cost : 0;
}

std::optional<WallTime> ready_time(const api::Pod& pod) {
  if (!api::is_pod_ready(pod)) return std::nullopt;
  const api::Condition* ready = api::find_condition(pod.status.conditions, api::kPodReady);
  return ready->last_transition_time;
}

std::int32_t max_restarts(const api::Pod& pod) {
  std::int32_t max = 0;
  for (const api::ContainerStatus& status : pod.status.container_statuses) {
    max = std::max(max, status.restart_count);
  }
  return max;
}

// afterOrZero: a zero time sorts first, otherwise the later time first.
bool after_or_zero(const std::optional<WallTime>& a, const std::optional<WallTime>& b) {
  if (!a || !b) return !a;
  return *a > *b;
}

// logarithmicRankDiff: compares floor(log2(now - t)) of the two ages (in nanoseconds).
std::int64_t logarithmic_rank_difference(WallTime a, WallTime b, WallTime now) {
  const auto rank = [&](WallTime t) -> std::int64_t {
    const std::int64_t age = (now - t).count();
    return age > 0 ? static_cast<std::int64_t>(std::log2(static_cast<double>(age))) : -1;
  };
  return rank(a) - rank(b);
}

// Rules 6 and 8: newer (smaller age bucket) first; zero times first.
std::optional<bool> compare_times(const std::optional<WallTime>& a,
                                  const std::optional<WallTime>& b, const api::Pod& pod_a,
                                  const api::Pod& pod_b, WallTime now) {
  if (a == b) return std::nullopt;
  if (!a || !b) return after_or_zero(a, b);
  const std::int64_t difference = logarithmic_rank_difference(*a, *b, now);
  if (difference == 0) return pod_a.metadata.uid < pod_b.metadata.uid;
  return difference < 0;
}

}  // namespace

bool is_pod_active(const api::Pod& pod) {
  return pod.status.phase != api::PodPhase::kSucceeded &&
         pod.status.phase != api::PodPhase::kFailed && !pod.metadata.deletion_timestamp;
}

bool delete_before(const api::Pod& a, int rank_a, const api::Pod& b, int rank_b, WallTime now) {
  const std::string& node_a = a.spec.node_name;
  const std::string& node_b = b.spec.node_name;
  if (node_a != node_b && (node_a.empty() || node_b.empty())) return node_a.empty();
  if (phase_ordinal(a.status.phase) != phase_ordinal(b.status.phase)) {
    return phase_ordinal(a.status.phase) < phase_ordinal(b.status.phase);
  }
  const bool ready_a = api::is_pod_ready(a);
  const bool ready_b = api::is_pod_ready(b);
  if (ready_a != ready_b) return !ready_a;
  if (deletion_cost(a) != deletion_cost(b)) return deletion_cost(a) < deletion_cost(b);
  if (rank_a != rank_b) return rank_a > rank_b;
  if (ready_a && ready_b) {
    if (const std::optional<bool> order = compare_times(ready_time(a), ready_time(b), a, b, now)) {
      return *order;
    }
  }
  if (max_restarts(a) != max_restarts(b)) return max_restarts(a) > max_restarts(b);
  if (const std::optional<bool> order =
          compare_times(a.metadata.creation_timestamp, b.metadata.creation_timestamp, a, b, now)) {
    return *order;
  }
  return false;
}

std::vector<const api::Pod*> pods_to_delete(std::span<const api::Pod* const> pods,
                                            std::span<const api::Pod* const> related_pods,
                                            std::size_t count, WallTime now) {
  count = std::min(count, pods.size());
  if (count == pods.size()) return {pods.begin(), pods.end()};  // all go: no need to rank
  std::map<std::string, int> pods_on_node;
  for (const api::Pod* pod : related_pods) {
    if (is_pod_active(*pod)) ++pods_on_node[pod->spec.node_name];
  }
  struct Ranked {
    const api::Pod* pod;
    int rank;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(pods.size());
  for (const api::Pod* pod : pods) ranked.push_back({pod, pods_on_node[pod->spec.node_name]});
  std::stable_sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) {
    return delete_before(*a.pod, a.rank, *b.pod, b.rank, now);
  });
  std::vector<const api::Pod*> result;
  result.reserve(count);
  for (std::size_t i = 0; i < count; ++i) result.push_back(ranked[i].pod);
  return result;
}

api::ReplicaSetStatus calculate_replica_set_status(const api::ReplicaSet& replica_set,
                                                   std::span<const api::Pod* const> active_pods,
                                                   WallTime now) {
  api::ReplicaSetStatus status = replica_set.status;
  std::int32_t fully_labeled = 0;
  std::int32_t ready = 0;
  std::int32_t available = 0;
  for (const api::Pod* pod : active_pods) {
    bool labeled = true;
    for (const auto& [key, value] : replica_set.spec.template_spec.metadata.labels) {
      const auto found = pod->metadata.labels.find(key);
      labeled = labeled && found != pod->metadata.labels.end() && found->second == value;
    }
    if (labeled) ++fully_labeled;
    if (api::is_pod_ready(*pod)) {
      ++ready;
      if (api::is_pod_available(*pod, replica_set.spec.min_ready_seconds, now)) ++available;
    }
  }
  status.replicas = static_cast<std::int32_t>(active_pods.size());
  status.fully_labeled_replicas = fully_labeled;
  status.ready_replicas = ready;
  status.available_replicas = available;
  status.observed_generation = replica_set.metadata.generation;
  return status;
}

ReplicaSetPlan plan_replica_set_sync(const api::ReplicaSet& replica_set,
                                     std::span<const api::Pod* const> pods,
                                     std::span<const api::Pod* const> related_pods, WallTime now) {
  std::vector<const api::Pod*> active;
  for (const api::Pod* pod : pods) {
    if (is_pod_active(*pod)) active.push_back(pod);
  }
  ReplicaSetPlan plan;
  const std::int32_t wanted = spec_replicas(replica_set);
  const auto have = static_cast<std::int32_t>(active.size());
  // replica_set.go syncReplicaSet: a ReplicaSet being deleted manages no replicas (its pods go
  // with it through the garbage collector); its status is still reported.
  if (replica_set.metadata.deletion_timestamp) {
    // No creation or deletion.
  } else if (have < wanted) {
    plan.pods_to_create = std::min(wanted - have, kBurstReplicas);
  } else if (have > wanted) {
    const std::int32_t count = std::min(have - wanted, kBurstReplicas);
    const std::span<const api::Pod* const> related =
        related_pods.empty() ? std::span<const api::Pod* const>(active) : related_pods;
    for (const api::Pod* pod :
         pods_to_delete(active, related, static_cast<std::size_t>(count), now)) {
      plan.pods_to_delete.push_back(pod->metadata.name);
    }
  }
  api::ReplicaSetStatus status = calculate_replica_set_status(replica_set, active, now);
  if (!(status == replica_set.status)) plan.status = status;
  const std::int32_t min_ready = replica_set.spec.min_ready_seconds;
  if (min_ready > 0 && status.ready_replicas == wanted && status.available_replicas != wanted) {
    plan.requeue_after = std::chrono::seconds(min_ready);
  }
  return plan;
}

api::Pod pod_from_template(const api::ReplicaSet& replica_set, const std::string& name,
                           WallTime now) {
  api::Pod pod;
  pod.metadata.name = name;
  pod.metadata.generate_name = replica_set.metadata.name + "-";
  pod.metadata.namespace_name = replica_set.metadata.namespace_name;
  pod.metadata.uid = name + "-uid";
  pod.metadata.creation_timestamp = now;
  pod.metadata.labels = replica_set.spec.template_spec.metadata.labels;
  pod.metadata.annotations = replica_set.spec.template_spec.metadata.annotations;
  api::OwnerReference owner;
  owner.api_version = "apps/v1";
  owner.kind = "ReplicaSet";
  owner.name = replica_set.metadata.name;
  owner.uid = replica_set.metadata.uid;
  owner.controller = true;
  owner.block_owner_deletion = true;
  pod.metadata.owner_references.push_back(owner);
  pod.spec = replica_set.spec.template_spec.spec;
  return pod;
}

}  // namespace nodrop::controller
