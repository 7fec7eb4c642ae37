// apps/v1 Deployment and ReplicaSet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/int_or_string.h"
#include "api/meta.h"
#include "api/pod.h"

namespace nodrop::api {

enum class DeploymentStrategyType { kRollingUpdate, kRecreate };
const char* strategy_type_name(DeploymentStrategyType type);

struct RollingUpdateDeployment {
  std::optional<IntOrString> max_unavailable;  // defaulted to "25%"
  std::optional<IntOrString> max_surge;        // defaulted to "25%"
  bool operator==(const RollingUpdateDeployment&) const = default;
};

struct DeploymentStrategy {
  DeploymentStrategyType type = DeploymentStrategyType::kRollingUpdate;
  std::optional<RollingUpdateDeployment> rolling_update;
  bool operator==(const DeploymentStrategy&) const = default;
};

struct DeploymentSpec {
  std::optional<std::int32_t> replicas;  // defaulted to 1
  LabelSelector selector;
  bool has_selector = false;  // the field was present (validation: "Required value")
  PodTemplateSpec template_spec;
  DeploymentStrategy strategy;
  std::int32_t min_ready_seconds = 0;
  std::optional<std::int32_t> revision_history_limit;  // defaulted to 10
  bool paused = false;
  std::optional<std::int32_t> progress_deadline_seconds;  // defaulted to 600
  bool operator==(const DeploymentSpec&) const = default;
};

struct DeploymentStatus {
  std::int64_t observed_generation = 0;
  std::int32_t replicas = 0;
  std::int32_t updated_replicas = 0;
  std::int32_t ready_replicas = 0;
  std::int32_t available_replicas = 0;
  std::int32_t unavailable_replicas = 0;
  std::vector<Condition> conditions;
  std::optional<std::int32_t> collision_count;
  bool operator==(const DeploymentStatus&) const = default;
};

struct Deployment {
  ObjectMeta metadata;
  DeploymentSpec spec;
  DeploymentStatus status;
  bool operator==(const Deployment&) const = default;
};

struct ReplicaSetSpec {
  std::optional<std::int32_t> replicas;  // defaulted to 1
  std::int32_t min_ready_seconds = 0;
  LabelSelector selector;
  bool has_selector = false;
  PodTemplateSpec template_spec;
  bool operator==(const ReplicaSetSpec&) const = default;
};

struct ReplicaSetStatus {
  std::int32_t replicas = 0;
  std::int32_t fully_labeled_replicas = 0;
  std::int32_t ready_replicas = 0;
  std::int32_t available_replicas = 0;
  std::int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  bool operator==(const ReplicaSetStatus&) const = default;
};

struct ReplicaSet {
  ObjectMeta metadata;
  ReplicaSetSpec spec;
  ReplicaSetStatus status;
  bool operator==(const ReplicaSet&) const = default;
};

// Annotations and labels the Deployment controller reads and writes.
inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kRevisionHistoryAnnotation =
    "deployment.kubernetes.io/revision-history";
inline constexpr const char* kDesiredReplicasAnnotation =
    "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
inline constexpr const char* kRollbackToAnnotation = "deprecated.deployment.rollback.to";
inline constexpr const char* kLastAppliedAnnotation =
    "kubectl.kubernetes.io/last-applied-configuration";
inline constexpr const char* kRestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";
inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";

}  // namespace nodrop::api
