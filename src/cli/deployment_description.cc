#include "cli/deployment_description.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "apiserver/patch.h"
#include "cli/describe_sections.h"
#include "cli/node_paths.h"
#include "cli/rollout_history.h"
#include "cli/table_printer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

std::string replica_sets_text(const std::vector<const Node*>& replica_sets) {
  if (replica_sets.empty()) return "<none>";
  std::string text;
  for (const Node* replica_set : replica_sets) {
    text += (text.empty() ? "" : ", ") +
            fmt::format("{} ({}/{} replicas created)", text_at(*replica_set, {"metadata", "name"}),
                        integer_at(*replica_set, {"status", "replicas"}),
                        integer_at(*replica_set, {"spec", "replicas"}));
  }
  return text;
}

}  // namespace

std::string describe_deployment(const Node& deployment, const Node& replica_sets,
                                const Node& events, WallTime now) {
  std::string out;
  out += "Name:\t" + text_at(deployment, {"metadata", "name"}) + "\n";
  out += "Namespace:\t" + text_at(deployment, {"metadata", "namespace"}) + "\n";
  out += "CreationTimestamp:\t" + rfc1123z(text_at(deployment, {"metadata", "creationTimestamp"})) +
         "\n";
  write_labels(out, "Labels", node_at(deployment, {"metadata", "labels"}));
  write_annotations(out, "Annotations", node_at(deployment, {"metadata", "annotations"}));
  out += "Selector:\t" + label_selector_text(node_at(deployment, {"spec", "selector"})) + "\n";
  out +=
      fmt::format("Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
                  integer_at(deployment, {"spec", "replicas"}),
                  integer_at(deployment, {"status", "updatedReplicas"}),
                  integer_at(deployment, {"status", "replicas"}),
                  integer_at(deployment, {"status", "availableReplicas"}),
                  integer_at(deployment, {"status", "unavailableReplicas"}));
  const std::string strategy = scalar_at(deployment, {"spec", "strategy", "type"});
  out += "StrategyType:\t" + strategy + "\n";
  out += fmt::format("MinReadySeconds:\t{}\n", integer_at(deployment, {"spec", "minReadySeconds"}));
  if (strategy == "RollingUpdate") {
    out += "RollingUpdateStrategy:\t" +
           scalar_at(deployment, {"spec", "strategy", "rollingUpdate", "maxUnavailable"}) +
           " max unavailable, " +
           scalar_at(deployment, {"spec", "strategy", "rollingUpdate", "maxSurge"}) +
           " max surge\n";
  }
  const Node* pod_template = node_at(deployment, {"spec", "template"});
  write_pod_template(out, pod_template != nullptr ? *pod_template : Node::mapping());
  write_reason_conditions(out, deployment);
  // As deploymentutil.GetAllReplicaSets: the ReplicaSets the Deployment owns; the new one has its
  // template; every other is old, scaled to zero or not, in the order the API lists them.
  std::vector<const Node*> old_sets;
  std::vector<const Node*> new_set;
  const std::string uid = text_at(deployment, {"metadata", "uid"});
  const Node wanted =
      pod_template != nullptr ? pod_template_without_hash(*pod_template) : Node::mapping();
  if (const Node* items = node_at(replica_sets, {"items"}); items != nullptr) {
    for (const Node& replica_set : items->items()) {
      if (!owned_by(replica_set, uid)) continue;
      const Node* its_template = node_at(replica_set, {"spec", "template"});
      if (new_set.empty() && its_template != nullptr &&
          apiserver::json_equal(pod_template_without_hash(*its_template), wanted)) {
        new_set.push_back(&replica_set);
      } else {
        old_sets.push_back(&replica_set);
      }
    }
  }
  if (!old_sets.empty() || !new_set.empty()) {
    out += "OldReplicaSets:\t" + replica_sets_text(old_sets) + "\n";
    out += "NewReplicaSet:\t" + replica_sets_text(new_set) + "\n";
  }
  write_events(out, events, now);
  return format_tabbed(out, {.minimum_width = 0, .padding = 2});
}

}  // namespace nodrop::cli
