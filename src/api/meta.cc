#include "api/meta.h"

#include <algorithm>

namespace nodrop::api {

const OwnerReference* ObjectMeta::controller_ref() const {
  for (const OwnerReference& reference : owner_references) {
    if (reference.controller) return &reference;
  }
  return nullptr;
}

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& [key, value] : match_labels) {
    const auto found = labels.find(key);
    if (found == labels.end() || found->second != value) return false;
  }
  for (const LabelSelectorRequirement& requirement : match_expressions) {
    const auto found = labels.find(requirement.key);
    const bool present = found != labels.end();
    const bool listed = present && std::find(requirement.values.begin(), requirement.values.end(),
                                             found->second) != requirement.values.end();
    switch (requirement.op) {
      case SelectorOperator::kIn:
        if (!listed) return false;
        break;
      case SelectorOperator::kNotIn:
        if (listed) return false;
        break;
      case SelectorOperator::kExists:
        if (!present) return false;
        break;
      case SelectorOperator::kDoesNotExist:
        if (present) return false;
        break;
    }
  }
  return true;
}

const char* selector_operator_name(SelectorOperator op) {
  switch (op) {
    case SelectorOperator::kIn:
      return "In";
    case SelectorOperator::kNotIn:
      return "NotIn";
    case SelectorOperator::kExists:
      return "Exists";
    case SelectorOperator::kDoesNotExist:
      return "DoesNotExist";
  }
  return "In";
}

const char* condition_status_name(ConditionStatus status) {
  switch (status) {
    case ConditionStatus::kTrue:
      return "True";
    case ConditionStatus::kFalse:
      return "False";
    case ConditionStatus::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

const Condition* find_condition(const std::vector<Condition>& conditions, const std::string& type) {
  for (const Condition& condition : conditions) {
    if (condition.type == type) return &condition;
  }
  return nullptr;
}

}  // namespace nodrop::api
