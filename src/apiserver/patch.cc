#include "apiserver/patch.h"

#include <algorithm>

namespace nodrop::apiserver {
namespace {

constexpr std::size_t kMaxOperations = 10'000;

}  // namespace

bool json_equal(const Node& a, const Node& b) {
  const bool a_number = a.type() == Node::Type::kInt || a.type() == Node::Type::kFloat;
  const bool b_number = b.type() == Node::Type::kInt || b.type() == Node::Type::kFloat;
  if (a_number && b_number) {
    const double x =
        a.type() == Node::Type::kInt ? static_cast<double>(a.int_value()) : a.float_value();
    const double y =
        b.type() == Node::Type::kInt ? static_cast<double>(b.int_value()) : b.float_value();
    return x == y;
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Node::Type::kNull:
      return true;
    case Node::Type::kBool:
      return a.bool_value() == b.bool_value();
    case Node::Type::kString:
      return a.text() == b.text();
    case Node::Type::kSequence:
      if (a.items().size() != b.items().size()) return false;
      for (std::size_t i = 0; i < a.items().size(); ++i) {
        if (!json_equal(a.items()[i], b.items()[i])) return false;
      }
      return true;
    case Node::Type::kMapping:
      if (a.entries().size() != b.entries().size()) return false;
      for (const Node::Entry& entry : a.entries()) {
        const Node* other = b.find(entry.key);
        if (other == nullptr || !json_equal(entry.value, *other)) return false;
      }
      return true;
    default:
      return false;
  }
}

namespace {

void erase_key(Node& map, const std::string& key) {
  auto& entries = map.entries();
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [&](const Node::Entry& entry) { return entry.key == key; }),
                entries.end());
}

Node* find_mutable(Node& map, const std::string& key) {
  for (Node::Entry& entry : map.entries()) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

// RFC 6901: "/a/b~1c/0" -> {"a", "b/c", "0"}.
Result<std::vector<std::string>> parse_pointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return invalid_argument("path " + pointer + " must start with /");
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(token);
      token.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
        return invalid_argument("path " + pointer + " has a ~ not followed by 0 or 1");
      }
      token.push_back(pointer[i + 1] == '0' ? '~' : '/');
      ++i;
    } else {
      token.push_back(pointer[i]);
    }
  }
  return tokens;
}

Result<std::size_t> array_index(const std::string& token, std::size_t size, bool allow_end) {
  if (token == "-" && allow_end) return size;
  if (token.empty() || token.size() > 9 ||
      !std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (token.size() > 1 && token[0] == '0')) {
    return invalid_argument("\"" + token + "\" is not an array index");
  }
  const std::size_t index = std::stoul(token);
  if (index > size || (index == size && !allow_end)) {
    return invalid_argument("array index " + token + " is out of bounds");
  }
  return index;
}

// The parent of the pointer's target and the last token; the whole document when tokens is empty.
Result<Node*> walk(Node& document, const std::vector<std::string>& tokens, std::size_t count,
                   const std::string& pointer) {
  Node* current = &document;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& token = tokens[i];
    if (current->is_mapping()) {
      current = find_mutable(*current, token);
      if (current == nullptr) return invalid_argument("path " + pointer + " does not exist");
    } else if (current->is_sequence()) {
      Result<std::size_t> index = array_index(token, current->items().size(), false);
      if (!index) return index.status();
      current = &current->items()[*index];
    } else {
      return invalid_argument("path " + pointer + " does not exist");
    }
  }
  return current;
}

Result<Node> get_at(Node& document, const std::string& pointer) {
  Result<std::vector<std::string>> tokens = parse_pointer(pointer);
  if (!tokens) return tokens.status();
  Result<Node*> target = walk(document, *tokens, tokens->size(), pointer);
  if (!target) return target.status();
  return **target;
}

Status remove_at(Node& document, const std::string& pointer, Node* removed) {
  Result<std::vector<std::string>> tokens = parse_pointer(pointer);
  if (!tokens) return tokens.status();
  if (tokens->empty()) return invalid_argument("the whole document cannot be removed");
  Result<Node*> parent = walk(document, *tokens, tokens->size() - 1, pointer);
  if (!parent) return parent.status();
  const std::string& last = tokens->back();
  if ((*parent)->is_mapping()) {
    Node* value = find_mutable(**parent, last);
    if (value == nullptr) return invalid_argument("path " + pointer + " does not exist");
    if (removed != nullptr) *removed = *value;
    erase_key(**parent, last);
    return Status::ok();
  }
  if ((*parent)->is_sequence()) {
    Result<std::size_t> index = array_index(last, (*parent)->items().size(), false);
    if (!index) return index.status();
    auto& items = (*parent)->items();
    if (removed != nullptr) *removed = items[*index];
    items.erase(items.begin() + static_cast<long>(*index));
    return Status::ok();
  }
  return invalid_argument("path " + pointer + " does not exist");
}

Status add_at(Node& document, const std::string& pointer, Node value, bool replace) {
  Result<std::vector<std::string>> tokens = parse_pointer(pointer);
  if (!tokens) return tokens.status();
  if (tokens->empty()) {
    document = std::move(value);
    return Status::ok();
  }
  Result<Node*> parent = walk(document, *tokens, tokens->size() - 1, pointer);
  if (!parent) return parent.status();
  const std::string& last = tokens->back();
  if ((*parent)->is_mapping()) {
    if (replace && (*parent)->find(last) == nullptr) {
      return invalid_argument("path " + pointer + " does not exist (replace needs a value there)");
    }
    (*parent)->set(last, std::move(value));
    return Status::ok();
  }
  if ((*parent)->is_sequence()) {
    auto& items = (*parent)->items();
    Result<std::size_t> index = array_index(last, items.size(), !replace);
    if (!index) return index.status();
    if (replace) {
      items[*index] = std::move(value);
    } else {
      items.insert(items.begin() + static_cast<long>(*index), std::move(value));
    }
    return Status::ok();
  }
  if ((*parent)->is_null()) return invalid_argument("path " + pointer + " does not exist");
  return invalid_argument("path " + pointer + " does not name a place in an object or a list");
}

// ---- strategic merge ----

constexpr const char* kPatchDirective = "$patch";
constexpr const char* kRetainKeys = "$retainKeys";
constexpr const char* kSetElementOrder = "$setElementOrder/";
constexpr const char* kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

Node without_directives(const Node& node);

Node strip_list(const Node& list) {
  Node out = Node::sequence();
  for (const Node& item : list.items()) {
    if (item.is_mapping() && item.find(kPatchDirective) != nullptr) {
      const Node* directive = item.find(kPatchDirective);
      if (directive->text() == "delete") continue;
    }
    out.push(without_directives(item));
  }
  return out;
}

// A patch value put where the document has nothing: what it says, without directives.
Node without_directives(const Node& node) {
  if (node.is_sequence()) return strip_list(node);
  if (!node.is_mapping()) return node;
  Node out = Node::mapping();
  for (const Node::Entry& entry : node.entries()) {
    if (starts_with(entry.key, "$")) continue;
    if (entry.value.is_null()) continue;
    out.set(entry.key, without_directives(entry.value));
  }
  return out;
}

class StrategicMerge {
 public:
  explicit StrategicMerge(const ListStrategyOf& strategy_of) : strategy_of_(strategy_of) {}

  Result<Node> merge_map(const Node& original, const Node& patch, std::vector<std::string>& path) {
    if (!patch.is_mapping()) return invalid_argument("a strategic merge patch must be an object");
    if (const Node* directive = patch.find(kPatchDirective)) {
      const std::string& value = directive->text();
      if (value == "replace") return without_directives(patch);
      if (value == "delete") return Node::null();
      if (value != "merge") {
        return invalid_argument("unknown $patch directive \"" + value + "\"");
      }
    }
    Node result = original.is_mapping() ? original : Node::mapping();
    for (const Node::Entry& entry : patch.entries()) {
      const std::string& key = entry.key;
      if (key == kPatchDirective || key == kRetainKeys || starts_with(key, kSetElementOrder)) {
        continue;
      }
      if (starts_with(key, kDeleteFromPrimitiveList)) {
        const std::string list = key.substr(std::string(kDeleteFromPrimitiveList).size());
        Node* current = find_mutable(result, list);
        if (current != nullptr && current->is_sequence() && entry.value.is_sequence()) {
          auto& items = current->items();
          items.erase(std::remove_if(items.begin(), items.end(),
                                     [&](const Node& item) {
                                       for (const Node& gone : entry.value.items()) {
                                         if (json_equal(item, gone)) return true;
                                       }
                                       return false;
                                     }),
                      items.end());
        }
        continue;
      }
      if (starts_with(key, "$")) {
        return invalid_argument("unknown directive \"" + key + "\"");
      }
      if (entry.value.is_null()) {
        erase_key(result, key);
        continue;
      }
      const Node* current = result.find(key);
      path.push_back(key);
      Result<Node> merged = Node::null();
      if (entry.value.is_mapping()) {
        merged = merge_map(current != nullptr ? *current : Node::mapping(), entry.value, path);
      } else if (entry.value.is_sequence()) {
        merged = merge_list(current, entry.value, path);
      } else {
        merged = entry.value;
      }
      path.pop_back();
      if (!merged) return merged.status();
      if (merged->is_null() && entry.value.is_mapping()) {
        erase_key(result, key);  // $patch: delete
      } else {
        result.set(key, std::move(*merged));
      }
    }
    // $setElementOrder/<list>: the list's items in the order the client gave.
    for (const Node::Entry& entry : patch.entries()) {
      if (!starts_with(entry.key, kSetElementOrder)) continue;
      const std::string list = entry.key.substr(std::string(kSetElementOrder).size());
      Node* current = find_mutable(result, list);
      if (current == nullptr || !current->is_sequence() || !entry.value.is_sequence()) continue;
      path.push_back(list);
      const ListStrategy strategy = strategy_of_(path);
      path.pop_back();
      reorder(*current, entry.value, strategy);
    }
    if (const Node* retain = patch.find(kRetainKeys)) {
      if (!retain->is_sequence()) return invalid_argument("$retainKeys must be a list");
      auto& entries = result.entries();
      entries.erase(std::remove_if(entries.begin(), entries.end(),
                                   [&](const Node::Entry& entry) {
                                     for (const Node& kept : retain->items()) {
                                       if (kept.text() == entry.key) return false;
                                     }
                                     return true;
                                   }),
                    entries.end());
    }
    return result;
  }

 private:
  Result<Node> merge_list(const Node* original, const Node& patch, std::vector<std::string>& path) {
    const ListStrategy strategy = strategy_of_(path);
    // A list item {"$patch": "replace"} replaces the whole list with the other items.
    for (const Node& item : patch.items()) {
      if (item.is_mapping()) {
        const Node* directive = item.find(kPatchDirective);
        if (directive != nullptr && directive->text() == "replace") {
          Node replaced = Node::sequence();
          for (const Node& other : patch.items()) {
            if (&other != &item) replaced.push(without_directives(other));
          }
          return replaced;
        }
      }
    }
    const bool have_list = original != nullptr && original->is_sequence();
    switch (strategy.type) {
      case ListStrategy::Type::kReplace:
        return strip_list(patch);
      case ListStrategy::Type::kMergePrimitives: {
        Node result = have_list ? *original : Node::sequence();
        for (const Node& item : patch.items()) {
          if (item.is_mapping() || item.is_sequence()) {
            return invalid_argument("a list of values cannot hold " +
                                    std::string(item.type_name()));
          }
          bool present = false;
          for (const Node& existing : result.items()) present |= json_equal(existing, item);
          if (!present) result.push(item);
        }
        return result;
      }
      case ListStrategy::Type::kMergeByKey: {
        Node result = have_list ? *original : Node::sequence();
        for (const Node& item : patch.items()) {
          if (!item.is_mapping()) {
            return invalid_argument("the list " + path.back() + " holds objects merged by " +
                                    strategy.merge_key + ", not " + item.type_name());
          }
          const Node* key = item.find(strategy.merge_key);
          if (key == nullptr) {
            return invalid_argument("an item of " + path.back() + " has no merge key \"" +
                                    strategy.merge_key + "\"");
          }
          auto& items = result.items();
          auto match = std::find_if(items.begin(), items.end(), [&](const Node& existing) {
            const Node* existing_key = existing.find(strategy.merge_key);
            return existing_key != nullptr && json_equal(*existing_key, *key);
          });
          const Node* directive = item.find(kPatchDirective);
          if (directive != nullptr && directive->text() == "delete") {
            if (match != items.end()) items.erase(match);
            continue;
          }
          if (match == items.end()) {
            result.push(without_directives(item));
            continue;
          }
          Result<Node> merged = merge_map(*match, item, path);
          if (!merged) return merged.status();
          *match = std::move(*merged);
        }
        return result;
      }
    }
    return strip_list(patch);
  }

  // Items named in order first, in that order; the others after them, as they were.
  static void reorder(Node& list, const Node& order, const ListStrategy& strategy) {
    std::vector<Node> items = std::move(list.items());
    std::vector<bool> taken(items.size(), false);
    std::vector<Node> sorted;
    for (const Node& wanted : order.items()) {
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (taken[i]) continue;
        bool same = false;
        if (strategy.type == ListStrategy::Type::kMergeByKey && wanted.is_mapping()) {
          const Node* a = wanted.find(strategy.merge_key);
          const Node* b = items[i].find(strategy.merge_key);
          same = a != nullptr && b != nullptr && json_equal(*a, *b);
        } else {
          same = json_equal(wanted, items[i]);
        }
        if (same) {
          taken[i] = true;
          sorted.push_back(std::move(items[i]));
          break;
        }
      }
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!taken[i]) sorted.push_back(std::move(items[i]));
    }
    list = Node::sequence();
    for (Node& item : sorted) list.push(std::move(item));
  }

  const ListStrategyOf& strategy_of_;
};

bool ends_with_path(const std::vector<std::string>& path, std::initializer_list<const char*> tail) {
  if (path.size() < tail.size()) return false;
  std::size_t i = path.size() - tail.size();
  for (const char* part : tail) {
    if (path[i++] != part) return false;
  }
  return true;
}

bool in_container(const std::vector<std::string>& path) {
  if (path.size() < 2) return false;
  const std::string& parent = path[path.size() - 2];
  return parent == "containers" || parent == "initContainers" || parent == "ephemeralContainers";
}

}  // namespace

Result<Node> apply_json_patch(const Node& document, const Node& patch) {
  if (!patch.is_sequence()) return invalid_argument("a JSON patch must be a list of operations");
  if (patch.items().size() > kMaxOperations) {
    return invalid_argument("a JSON patch may hold at most 10000 operations");
  }
  Node result = document;
  for (std::size_t i = 0; i < patch.items().size(); ++i) {
    const Node& operation = patch.items()[i];
    const auto fail = [&](const Status& status) {
      return invalid_argument("the JSON patch's operation " + std::to_string(i) + ": " +
                              status.message());
    };
    if (!operation.is_mapping()) return fail(invalid_argument("an operation must be an object"));
    const Node* op = operation.find("op");
    const Node* path = operation.find("path");
    if (op == nullptr || op->type() != Node::Type::kString) {
      return fail(invalid_argument("missing \"op\""));
    }
    if (path == nullptr || path->type() != Node::Type::kString) {
      return fail(invalid_argument("missing \"path\""));
    }
    const Node* value = operation.find("value");
    const Node* from = operation.find("from");
    const std::string& name = op->text();
    Status status;
    if (name == "add" || name == "replace" || name == "test") {
      if (value == nullptr) return fail(invalid_argument("missing \"value\""));
      if (name == "test") {
        Result<Node> current = get_at(result, path->text());
        if (!current) return fail(current.status());
        if (!json_equal(*current, *value)) {
          return fail(
              invalid_argument("test failed: " + path->text() + " is " + current->render()));
        }
        continue;
      }
      status = add_at(result, path->text(), *value, name == "replace");
    } else if (name == "remove") {
      status = remove_at(result, path->text(), nullptr);
    } else if (name == "move" || name == "copy") {
      if (from == nullptr || from->type() != Node::Type::kString) {
        return fail(invalid_argument("missing \"from\""));
      }
      Node moved;
      if (name == "move") {
        if (path->text().rfind(from->text() + "/", 0) == 0) {
          return fail(invalid_argument("cannot move " + from->text() + " into itself"));
        }
        status = remove_at(result, from->text(), &moved);
      } else {
        Result<Node> copied = get_at(result, from->text());
        if (copied) moved = std::move(*copied);
        status = copied.status();
      }
      if (status.is_ok()) status = add_at(result, path->text(), std::move(moved), false);
    } else {
      return fail(invalid_argument("unknown op \"" + name + "\""));
    }
    if (!status.is_ok()) return fail(status);
  }
  return result;
}

Result<Node> apply_merge_patch(const Node& document, const Node& patch) {
  if (!patch.is_mapping()) return without_directives(patch).is_null() ? Node::null() : patch;
  Node result = document.is_mapping() ? document : Node::mapping();
  for (const Node::Entry& entry : patch.entries()) {
    if (entry.value.is_null()) {
      erase_key(result, entry.key);
      continue;
    }
    const Node* current = result.find(entry.key);
    Result<Node> merged =
        apply_merge_patch(current != nullptr ? *current : Node::null(), entry.value);
    if (!merged) return merged.status();
    result.set(entry.key, std::move(*merged));
  }
  return result;
}

Result<Node> apply_strategic_merge_patch(const Node& document, const Node& patch,
                                         const ListStrategyOf& strategy_of) {
  StrategicMerge merge(strategy_of);
  std::vector<std::string> path;
  return merge.merge_map(document, patch, path);
}

ListStrategy kubernetes_list_strategy(const std::string& kind,
                                      const std::vector<std::string>& path) {
  using Type = ListStrategy::Type;
  if (path.empty()) return {};
  const std::string& field = path.back();
  if (ends_with_path(path, {"metadata", "finalizers"})) return {Type::kMergePrimitives, ""};
  if (ends_with_path(path, {"metadata", "ownerReferences"})) return {Type::kMergeByKey, "uid"};
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers") {
    return {Type::kMergeByKey, "name"};
  }
  if (in_container(path)) {
    if (field == "env") return {Type::kMergeByKey, "name"};
    if (field == "ports") return {Type::kMergeByKey, "containerPort"};
    if (field == "volumeMounts") return {Type::kMergeByKey, "mountPath"};
    if (field == "volumeDevices") return {Type::kMergeByKey, "devicePath"};
    return {};
  }
  if (field == "volumes" || field == "imagePullSecrets" || field == "resourceClaims") {
    return {Type::kMergeByKey, "name"};
  }
  if (field == "hostAliases") return {Type::kMergeByKey, "ip"};
  if (field == "topologySpreadConstraints") return {Type::kMergeByKey, "topologyKey"};
  if (field == "conditions") return {Type::kMergeByKey, "type"};
  if (kind == "Service" && ends_with_path(path, {"spec", "ports"})) {
    return {Type::kMergeByKey, "port"};
  }
  if (kind == "Node" && ends_with_path(path, {"status", "addresses"})) {
    return {Type::kMergeByKey, "type"};
  }
  if (kind == "ServiceAccount" && path.size() == 1 && field == "secrets") {
    return {Type::kMergeByKey, "name"};
  }
  return {};
}

}  // namespace nodrop::apiserver
