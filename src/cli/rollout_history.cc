#include "cli/rollout_history.h"

#include <algorithm>
#include <charconv>

#include "apiserver/patch.h"
#include "cli/node_paths.h"
#include "cli/table_printer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kRevisionAnnotation[] = "deployment.kubernetes.io/revision";
constexpr char kPodTemplateHashLabel[] = "pod-template-hash";

// The Deployment's own bookkeeping, which a rollback keeps instead of taking the revision's
// (kubectl's annotationsToSkip).
constexpr const char* kAnnotationsKept[] = {
    "kubectl.kubernetes.io/last-applied-configuration",
    kRevisionAnnotation,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
};

Node replace_operation(const std::string& path, Node value) {
  Node operation = Node::mapping();
  operation.set("op", Node::string("replace"));
  operation.set("path", Node::string(path));
  operation.set("value", std::move(value));
  return operation;
}

}  // namespace

bool owned_by(const Node& object, const std::string& owner_uid) {
  const Node* owners = node_at(object, {"metadata", "ownerReferences"});
  if (owners == nullptr || !owners->is_sequence()) return false;
  for (const Node& owner : owners->items()) {
    if (text_at(owner, {"uid"}) == owner_uid) return true;
  }
  return false;
}

Node pod_template_without_hash(const Node& pod_template) {
  Node out = pod_template;
  for (Node::Entry& entry : out.entries()) {
    if (entry.key != "metadata" || !entry.value.is_mapping()) continue;
    for (Node::Entry& field : entry.value.entries()) {
      if (field.key != "labels" || !field.value.is_mapping()) continue;
      std::vector<Node::Entry>& labels = field.value.entries();
      labels.erase(std::remove_if(
                       labels.begin(), labels.end(),
                       [](const Node::Entry& label) { return label.key == kPodTemplateHashLabel; }),
                   labels.end());
    }
  }
  return out;
}

std::vector<Revision> revisions_of(const Node& deployment, const Node& replica_sets) {
  std::vector<Revision> revisions;
  const std::string uid = text_at(deployment, {"metadata", "uid"});
  const Node* items = node_at(replica_sets, {"items"});
  if (uid.empty() || items == nullptr || !items->is_sequence()) return revisions;
  for (const Node& replica_set : items->items()) {
    if (!owned_by(replica_set, uid)) continue;
    const std::string number =
        text_at(replica_set, {"metadata", "annotations", kRevisionAnnotation});
    std::int64_t value = 0;
    const auto [end, problem] =
        std::from_chars(number.data(), number.data() + number.size(), value);
    if (problem != std::errc() || end != number.data() + number.size() || value <= 0) continue;
    revisions.push_back(
        {value, text_at(replica_set, {"metadata", "annotations", "kubernetes.io/change-cause"}),
         &replica_set});
  }
  std::sort(revisions.begin(), revisions.end(),
            [](const Revision& a, const Revision& b) { return a.number < b.number; });
  return revisions;
}

std::string history_text(const std::string& shown_name, const std::vector<Revision>& revisions) {
  if (revisions.empty()) return shown_name + " \nNo rollout history found.\n";
  std::vector<std::vector<std::string>> lines = {{"REVISION", "CHANGE-CAUSE"}};
  for (const Revision& revision : revisions) {
    lines.push_back({std::to_string(revision.number),
                     revision.change_cause.empty() ? "<none>" : revision.change_cause});
  }
  // kubectl's history is aligned by a tabwriter of its own: padding 2, no minimum width.
  return shown_name + " \n" + align_columns(lines, {.minimum_width = 0, .padding = 2}) + "\n";
}

Result<UndoPlan> plan_undo(const Node& deployment, const std::vector<Revision>& revisions,
                           std::int64_t to_revision) {
  const std::string name = text_at(deployment, {"metadata", "name"});
  const Revision* target = nullptr;
  if (to_revision > 0) {
    for (const Revision& revision : revisions) {
      if (revision.number == to_revision) target = &revision;
    }
    if (target == nullptr) {
      return invalid_argument("unable to find specified revision " + std::to_string(to_revision) +
                              " in history");
    }
  } else {
    if (revisions.size() < 2) {
      return invalid_argument("no rollout history found for deployment \"" + name + "\"");
    }
    target = &revisions[revisions.size() - 2];  // the one before the latest
  }
  const Node* wanted = node_at(*target->replica_set, {"spec", "template"});
  const Node* current = node_at(deployment, {"spec", "template"});
  if (wanted == nullptr) return invalid_argument("the revision's ReplicaSet has no template");
  UndoPlan plan;
  plan.revision = target->number;
  const Node template_node = pod_template_without_hash(*wanted);
  if (current != nullptr &&
      apiserver::json_equal(template_node, pod_template_without_hash(*current))) {
    return plan;
  }
  Node annotations = Node::mapping();
  for (const char* key : kAnnotationsKept) {
    if (const Node* value = node_at(deployment, {"metadata", "annotations", key})) {
      annotations.set(key, *value);
    }
  }
  if (const Node* theirs = node_at(*target->replica_set, {"metadata", "annotations"});
      theirs != nullptr && theirs->is_mapping()) {
    for (const Node::Entry& entry : theirs->entries()) {
      const bool kept = std::any_of(std::begin(kAnnotationsKept), std::end(kAnnotationsKept),
                                    [&](const char* key) { return entry.key == key; });
      if (!kept) annotations.set(entry.key, entry.value);
    }
  }
  Node patch = Node::sequence();
  patch.push(replace_operation("/spec/template", template_node));
  patch.push(replace_operation("/metadata/annotations", std::move(annotations)));
  plan.patch = std::move(patch);
  return plan;
}

}  // namespace nodrop::cli
