#include "cli/apply_patch.h"

#include <algorithm>
#include <vector>

#include "apiserver/json.h"
#include "apiserver/patch.h"
#include "cli/go_json.h"
#include "cli/node_paths.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

Node* mapping_at(Node& parent, const std::string& key) {
  if (!parent.is_mapping()) return nullptr;
  const Node* found = parent.find(key);
  if (found == nullptr || !found->is_mapping()) parent.set(key, Node::mapping());
  for (Node::Entry& entry : parent.entries()) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

void erase_key(Node& mapping, const std::string& key) {
  std::vector<Node::Entry>& entries = mapping.entries();
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [&](const Node::Entry& entry) { return entry.key == key; }),
                entries.end());
}

const Node* item_with_key(const Node& list, const std::string& merge_key, const Node& value) {
  for (const Node& item : list.items()) {
    const Node* key = item.is_mapping() ? item.find(merge_key) : nullptr;
    if (key != nullptr && apiserver::json_equal(*key, value)) return &item;
  }
  return nullptr;
}

// modified, with the deletions of what original had and modified has not, below path.
Node patch_below(const Node* original, const Node& modified, const std::string& kind,
                 std::vector<std::string>& path) {
  if (modified.is_mapping()) {
    Node out = Node::mapping();
    for (const Node::Entry& entry : modified.entries()) {
      const Node* before =
          original != nullptr && original->is_mapping() ? original->find(entry.key) : nullptr;
      path.push_back(entry.key);
      out.set(entry.key, patch_below(before, entry.value, kind, path));
      // A list of primitives that merges: the values removed are named beside it.
      const apiserver::ListStrategy strategy = apiserver::kubernetes_list_strategy(kind, path);
      path.pop_back();
      if (strategy.type == apiserver::ListStrategy::Type::kMergePrimitives && before != nullptr &&
          before->is_sequence() && entry.value.is_sequence()) {
        Node removed = Node::sequence();
        for (const Node& item : before->items()) {
          const bool kept =
              std::any_of(entry.value.items().begin(), entry.value.items().end(),
                          [&](const Node& now) { return apiserver::json_equal(now, item); });
          if (!kept) removed.push(item);
        }
        if (!removed.items().empty()) {
          out.set("$deleteFromPrimitiveList/" + entry.key, std::move(removed));
        }
      }
    }
    if (original != nullptr && original->is_mapping()) {
      for (const Node::Entry& entry : original->entries()) {
        if (modified.find(entry.key) == nullptr) out.set(entry.key, Node::null());
      }
    }
    return out;
  }
  if (modified.is_sequence() && original != nullptr && original->is_sequence()) {
    const apiserver::ListStrategy strategy = apiserver::kubernetes_list_strategy(kind, path);
    if (strategy.type != apiserver::ListStrategy::Type::kMergeByKey) return modified;
    Node out = Node::sequence();
    for (const Node& item : modified.items()) {
      const Node* key = item.is_mapping() ? item.find(strategy.merge_key) : nullptr;
      const Node* before =
          key != nullptr ? item_with_key(*original, strategy.merge_key, *key) : nullptr;
      out.push(patch_below(before, item, kind, path));
    }
    for (const Node& item : original->items()) {
      const Node* key = item.is_mapping() ? item.find(strategy.merge_key) : nullptr;
      if (key == nullptr || item_with_key(modified, strategy.merge_key, *key) != nullptr) continue;
      Node deletion = Node::mapping();
      deletion.set(strategy.merge_key, *key);
      deletion.set("$patch", Node::string("delete"));
      out.push(std::move(deletion));
    }
    return out;
  }
  return modified;
}

}  // namespace

Node with_last_applied(const Node& object, const std::string& namespace_name) {
  Node modified = object;
  Node* metadata = mapping_at(modified, "metadata");
  if (metadata == nullptr) return modified;  // not a mapping: the server's error names it
  if (!namespace_name.empty() && metadata->find("namespace") == nullptr) {
    metadata->set("namespace", Node::string(namespace_name));
  }
  Node* annotations = mapping_at(*metadata, "annotations");
  erase_key(*annotations, kLastAppliedAnnotation);
  const std::string text = go_json(modified) + "\n";
  annotations->set(kLastAppliedAnnotation, Node::string(text));
  return modified;
}

std::optional<Node> last_applied_of(const Node& live) {
  const Node* text = node_at(live, {"metadata", "annotations", kLastAppliedAnnotation});
  if (text == nullptr || text->type() != Node::Type::kString) return std::nullopt;
  Result<Node> parsed = apiserver::parse_body(text->text());
  if (!parsed || !parsed->is_mapping()) return std::nullopt;
  return std::move(parsed).value();
}

Node apply_patch(const std::optional<Node>& original, const Node& modified,
                 const std::string& kind) {
  std::vector<std::string> path;
  return patch_below(original ? &*original : nullptr, modified, kind, path);
}

Result<std::optional<Node>> patch_to_send(const Node& live, const Node& modified,
                                          const std::string& kind) {
  Node patch = apply_patch(last_applied_of(live), modified, kind);
  Result<Node> applied = apiserver::apply_strategic_merge_patch(
      live, patch, [&kind](const std::vector<std::string>& path) {
        return apiserver::kubernetes_list_strategy(kind, path);
      });
  if (!applied) return applied.status();
  if (apiserver::json_equal(*applied, live)) return std::optional<Node>();
  return std::optional<Node>(std::move(patch));
}

}  // namespace nodrop::cli
