// metav1: object metadata, owner references, label selectors and conditions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"

namespace nodrop::api {

using Labels = std::map<std::string, std::string>;

// Kubernetes fields nodrop stores but does not act on (a container's resources, a pod's volumes,
// a Service's sessionAffinityConfig, ...), kept where they were given so that the API serves them
// back unchanged and a controller copying a pod template copies them too: each key of one JSON
// object with its value as compact JSON text, in the order given.
struct PreservedFields {
  std::vector<std::pair<std::string, std::string>> fields{};
  bool empty() const { return fields.empty(); }
  bool operator==(const PreservedFields&) const = default;
};

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool block_owner_deletion = false;
  bool operator==(const OwnerReference&) const = default;
};

// core/v1 ObjectReference: the object an event is about, the pod behind an endpoint.
struct ObjectReference {
  std::string api_version;
  std::string kind;
  std::string namespace_name;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string field_path;  // "spec.containers{app}": the part of the object
  bool operator==(const ObjectReference&) const = default;
};

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_name;  // "namespace" is a keyword
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  std::optional<WallTime> creation_timestamp;
  std::optional<WallTime> deletion_timestamp;
  std::optional<std::int64_t> deletion_grace_period_seconds;
  Labels labels;
  Labels annotations;
  std::vector<OwnerReference> owner_references;
  std::vector<std::string> finalizers;
  bool operator==(const ObjectMeta&) const = default;

  // The controller owner reference, if any (metav1.GetControllerOf).
  const OwnerReference* controller_ref() const;
};

enum class SelectorOperator { kIn, kNotIn, kExists, kDoesNotExist };

struct LabelSelectorRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kIn;
  std::vector<std::string> values;
  bool operator==(const LabelSelectorRequirement&) const = default;
};

struct LabelSelector {
  Labels match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
  bool operator==(const LabelSelector&) const = default;

  // metav1.LabelSelectorAsSelector semantics: every matchLabels pair and every expression must
  // hold. An empty selector matches everything (callers that forbid that check empty()).
  bool matches(const Labels& labels) const;
  bool empty() const { return match_labels.empty() && match_expressions.empty(); }
};

const char* selector_operator_name(SelectorOperator op);

enum class ConditionStatus { kTrue, kFalse, kUnknown };
const char* condition_status_name(ConditionStatus status);

// The condition shape shared by Deployments, ReplicaSets, Pods and Nodes.
struct Condition {
  std::string type;
  ConditionStatus status = ConditionStatus::kUnknown;
  std::string reason;
  std::string message;
  std::optional<WallTime> last_update_time;  // Deployment conditions only
  std::optional<WallTime> last_transition_time;
  std::optional<WallTime> last_probe_time;  // Pod conditions only
  bool operator==(const Condition&) const = default;
};

const Condition* find_condition(const std::vector<Condition>& conditions, const std::string& type);

}  // namespace nodrop::api
