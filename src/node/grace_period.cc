#include "node/grace_period.h"

#include <algorithm>

namespace nodrop::node {

const char* kill_reason_name(KillReason reason) {
  switch (reason) {
    case KillReason::kPodDeletion:
      return "Unknown";
    case KillReason::kLivenessProbe:
      return "LivenessProbe";
    case KillReason::kStartupProbe:
      return "StartupProbe";
  }
  return "Unknown";
}

std::int64_t deletion_grace_period_seconds(const api::Pod& pod,
                                           std::optional<std::int64_t> requested_seconds) {
  std::int64_t grace =
      requested_seconds.value_or(pod.spec.termination_grace_period_seconds.value_or(30));
  const bool terminal =
      pod.status.phase == api::PodPhase::kSucceeded || pod.status.phase == api::PodPhase::kFailed;
  if (pod.spec.node_name.empty() || terminal) grace = 0;
  if (grace < 0) grace = 1;
  if (pod.metadata.deletion_grace_period_seconds) {
    grace = std::min(grace, *pod.metadata.deletion_grace_period_seconds);
  }
  return grace;
}

std::int64_t effective_grace_period_seconds(const api::Pod& pod, std::int64_t in_force_seconds) {
  std::int64_t grace = in_force_seconds;
  if (const auto& deletion = pod.metadata.deletion_grace_period_seconds) {
    if (grace == 0 || *deletion < grace) grace = *deletion;
  }
  if (grace == 0 && pod.spec.termination_grace_period_seconds) {
    grace = *pod.spec.termination_grace_period_seconds;
  }
  return std::max<std::int64_t>(grace, 1);
}

std::int64_t kill_grace_period_seconds(const api::Pod& pod, const api::Container& container,
                                       KillReason reason) {
  if (pod.metadata.deletion_grace_period_seconds)
    return *pod.metadata.deletion_grace_period_seconds;
  if (!pod.spec.termination_grace_period_seconds) return kMinimumGracePeriodSeconds;
  switch (reason) {
    case KillReason::kStartupProbe:
      if (container.startup_probe && container.startup_probe->termination_grace_period_seconds) {
        return *container.startup_probe->termination_grace_period_seconds;
      }
      break;
    case KillReason::kLivenessProbe:
      if (container.liveness_probe && container.liveness_probe->termination_grace_period_seconds) {
        return *container.liveness_probe->termination_grace_period_seconds;
      }
      break;
    case KillReason::kPodDeletion:
      break;
  }
  return *pod.spec.termination_grace_period_seconds;
}

runtime::Duration stop_signal_window(std::int64_t grace_seconds,
                                     std::optional<runtime::Duration> prestop_elapsed) {
  std::int64_t window = grace_seconds;
  if (prestop_elapsed) {
    window -= std::chrono::duration_cast<std::chrono::seconds>(*prestop_elapsed).count();
  }
  return std::chrono::seconds(std::max(window, kMinimumGracePeriodSeconds));
}

}  // namespace nodrop::node
