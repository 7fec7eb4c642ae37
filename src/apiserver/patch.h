// The three patch types of the Kubernetes API over JSON trees (manifest::Node):
//   - JSON Patch (RFC 6902: add, remove, replace, move, copy, test; JSON Pointers of RFC 6901);
//   - JSON merge patch (RFC 7386: maps merge, null deletes, lists are replaced);
//   - strategic merge patch (apimachinery's strategicpatch): maps merge as in a merge patch, but a
//     list merges by its merge key where Kubernetes' types declare one (containers by name, env by
//     name, ports by containerPort, ...; patch_strategy.h), and the directives kubectl sends are
//     followed: $patch (replace, delete, merge), $setElementOrder/<list>, $retainKeys and
//     $deleteFromPrimitiveList/<list>.
// Pure functions: the document is not changed; errors are InvalidArgument naming the problem.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::apiserver {

using manifest::Node;

// Whether two JSON values are equal as JSON: mappings whatever their keys' order, numbers by value
// (1 equals 1.0).
bool json_equal(const Node& a, const Node& b);

Result<Node> apply_json_patch(const Node& document, const Node& patch);
Result<Node> apply_merge_patch(const Node& document, const Node& patch);

// How a list field merges, from its path of map keys below the object's root (list items add no
// key): {"spec", "template", "spec", "containers", "env"}.
struct ListStrategy {
  enum class Type { kReplace, kMergeByKey, kMergePrimitives };
  Type type = Type::kReplace;
  std::string merge_key;  // for kMergeByKey
};
using ListStrategyOf = std::function<ListStrategy(const std::vector<std::string>& path)>;

Result<Node> apply_strategic_merge_patch(const Node& document, const Node& patch,
                                         const ListStrategyOf& strategy_of);

// Kubernetes' patch metadata for the kinds nodrop serves (patchMergeKey and patchStrategy tags of
// k8s.io/api), for lists under an object of kind.
ListStrategy kubernetes_list_strategy(const std::string& kind,
                                      const std::vector<std::string>& path);

}  // namespace nodrop::apiserver
