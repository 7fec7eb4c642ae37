#include "controller/scheduler.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "controller/replica_set_sync.h"

namespace nodrop::controller {
namespace {

std::optional<std::int64_t> parse_integer(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

bool requirement_holds(const api::NodeSelectorRequirement& requirement,
                       const std::optional<std::string>& value) {
  const bool listed = value && std::find(requirement.values.begin(), requirement.values.end(),
                                         *value) != requirement.values.end();
  switch (requirement.op) {
    case api::NodeSelectorOperator::kIn:
      return listed;
    case api::NodeSelectorOperator::kNotIn:
      return !listed;
    case api::NodeSelectorOperator::kExists:
      return value.has_value();
    case api::NodeSelectorOperator::kDoesNotExist:
      return !value.has_value();
    case api::NodeSelectorOperator::kGt:
    case api::NodeSelectorOperator::kLt: {
      if (!value || requirement.values.size() != 1) return false;
      const std::optional<std::int64_t> have = parse_integer(*value);
      const std::optional<std::int64_t> bound = parse_integer(requirement.values[0]);
      if (!have || !bound) return false;
      return requirement.op == api::NodeSelectorOperator::kGt ? *have > *bound : *have < *bound;
    }
  }
  return false;
}

bool node_ready(const api::Node& node) {
  const api::Condition* ready = api::find_condition(node.status.conditions, "Ready");
  return ready == nullptr || ready->status != api::ConditionStatus::kFalse;
}

// Why a node does not fit, or nullopt when it does.
std::optional<std::string> filter(const api::Node& node, const api::Pod& pod) {
  if (node.spec.unschedulable) return "node(s) were unschedulable";
  if (!node_ready(node)) return "node(s) were not ready";
  for (const auto& [key, value] : pod.spec.node_selector) {
    const auto found = node.metadata.labels.find(key);
    if (found == node.metadata.labels.end() || found->second != value) {
      return "node(s) didn't match Pod's node affinity/selector";
    }
  }
  const auto& affinity = pod.spec.affinity;
  if (affinity && affinity->node_affinity && affinity->node_affinity->required_terms) {
    const auto& terms = *affinity->node_affinity->required_terms;
    const bool any = std::any_of(terms.begin(), terms.end(), [&](const api::NodeSelectorTerm& t) {
      return node_matches_term(node, t);
    });
    if (!any) return "node(s) didn't match Pod's node affinity/selector";
  }
  return std::nullopt;
}

bool same_replica_set(const api::Pod& a, const api::Pod& b) {
  const api::OwnerReference* owner_a = a.metadata.controller_ref();
  const api::OwnerReference* owner_b = b.metadata.controller_ref();
  if (owner_a != nullptr && owner_b != nullptr) return owner_a->uid == owner_b->uid;
  return a.metadata.labels == b.metadata.labels;
}

}  // namespace

bool node_matches_term(const api::Node& node, const api::NodeSelectorTerm& term) {
  // A term without requirements matches nothing (kube-scheduler's nodeaffinity helper).
  if (term.match_expressions.empty() && term.match_fields.empty()) return false;
  for (const api::NodeSelectorRequirement& requirement : term.match_expressions) {
    const auto found = node.metadata.labels.find(requirement.key);
    const std::optional<std::string> value =
        found == node.metadata.labels.end() ? std::nullopt : std::optional(found->second);
    if (!requirement_holds(requirement, value)) return false;
  }
  for (const api::NodeSelectorRequirement& requirement : term.match_fields) {
    // Only metadata.name is a supported field.
    const std::optional<std::string> value =
        requirement.key == "metadata.name" ? std::optional(node.metadata.name) : std::nullopt;
    if (!requirement_holds(requirement, value)) return false;
  }
  return true;
}

std::map<std::string, int> same_set_on_node(const api::Pod& pod,
                                            std::span<const api::Pod* const> placed) {
  std::map<std::string, int> counts;
  for (const api::Pod* each : placed) {
    if (each->spec.node_name.empty() || !is_pod_active(*each)) continue;
    if (same_replica_set(*each, pod)) ++counts[each->spec.node_name];
  }
  return counts;
}

std::vector<NodeScore> score_nodes(const SchedulingInput& input) {
  NODROP_CHECK(input.pod != nullptr);
  const api::Pod& pod = *input.pod;
  std::vector<NodeScore> scores;
  // The pods of the ReplicaSet on a node, which are also the replacements it has received.
  std::map<std::string, int> same_set = input.same_set_on_node;
  std::map<std::string, int> leaving_on_node;
  for (const api::Pod* leaving : input.pods_leaving) {
    if (!leaving->spec.node_name.empty()) ++leaving_on_node[leaving->spec.node_name];
  }

  int max_same = 0;
  int max_weight = 0;
  std::vector<int> weights;
  for (const api::Node& node : input.nodes) {
    if (filter(node, pod)) continue;
    NodeScore score;
    score.node = node.metadata.name;
    int weight = 0;
    if (pod.spec.affinity && pod.spec.affinity->node_affinity) {
      for (const api::PreferredSchedulingTerm& term : pod.spec.affinity->node_affinity->preferred) {
        if (node_matches_term(node, term.preference)) weight += term.weight;
      }
    }
    weights.push_back(weight);
    max_weight = std::max(max_weight, weight);
    max_same = std::max(max_same, same_set[score.node]);
    // Nodes about to lose more old pods than they have received replacements.
    if (leaving_on_node[score.node] > same_set[score.node]) {
      score.surge = kInPlaceSurgeBonus;
    }
    scores.push_back(score);
  }
  for (std::size_t i = 0; i < scores.size(); ++i) {
    //   weight / max weight, and (max - count) / max count, each scaled to 0..100
    scores[i].affinity = max_weight > 0 ? weights[i] * 100 / max_weight : 0;
    const int same = same_set[scores[i].node];
    scores[i].spread = max_same > 0 ? (max_same - same) * 100 / max_same : 100;
  }
  std::stable_sort(scores.begin(), scores.end(), [](const NodeScore& a, const NodeScore& b) {
    if (a.total() != b.total()) return a.total() > b.total();
    return a.node < b.node;
  });
  return scores;
}

Result<std::string> schedule(const SchedulingInput& input) {
  const std::vector<NodeScore> scores = score_nodes(input);
  if (!scores.empty()) return scores.front().node;
  std::map<std::string, int> reasons;
  for (const api::Node& node : input.nodes) {
    if (const std::optional<std::string> reason = filter(node, *input.pod)) ++reasons[*reason];
  }
  std::string message = "0/" + std::to_string(input.nodes.size()) + " nodes are available";
  std::string separator = ": ";
  for (const auto& [reason, count] : reasons) {
    message += separator + std::to_string(count) + " " + reason;
    separator = ", ";
  }
  return Status(StatusCode::kFailedPrecondition, message + ".");
}

}  // namespace nodrop::controller
