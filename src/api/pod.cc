#include "api/pod.h"

#include "base/check.h"

namespace nodrop::api {

const char* node_selector_operator_name(NodeSelectorOperator op) {
  switch (op) {
    case NodeSelectorOperator::kIn:
      return "In";
    case NodeSelectorOperator::kNotIn:
      return "NotIn";
    case NodeSelectorOperator::kExists:
      return "Exists";
    case NodeSelectorOperator::kDoesNotExist:
      return "DoesNotExist";
    case NodeSelectorOperator::kGt:
      return "Gt";
    case NodeSelectorOperator::kLt:
      return "Lt";
  }
  return "In";
}

const char* pod_phase_name(PodPhase phase) {
  switch (phase) {
    case PodPhase::kPending:
      return "Pending";
    case PodPhase::kRunning:
      return "Running";
    case PodPhase::kSucceeded:
      return "Succeeded";
    case PodPhase::kFailed:
      return "Failed";
    case PodPhase::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

const Container& container_at(const PodSpec& spec, ContainerPosition position) {
  const std::vector<Container>& list = position.init ? spec.init_containers : spec.containers;
  NODROP_CHECK(position.index < list.size());
  return list[position.index];
}

bool is_pod_ready(const Pod& pod) {
  const Condition* ready = find_condition(pod.status.conditions, kPodReady);
  return ready != nullptr && ready->status == ConditionStatus::kTrue;
}

bool is_pod_available(const Pod& pod, std::int32_t min_ready_seconds, WallTime now) {
  const Condition* ready = find_condition(pod.status.conditions, kPodReady);
  if (ready == nullptr || ready->status != ConditionStatus::kTrue) return false;
  if (min_ready_seconds == 0) return true;
  if (!ready->last_transition_time.has_value()) return false;
  // !lastTransitionTime.IsZero() && lastTransitionTime + minReadySeconds < now
  return *ready->last_transition_time + std::chrono::seconds(min_ready_seconds) < now;
}

}  // namespace nodrop::api
