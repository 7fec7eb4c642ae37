#include "cli/node_paths.h"

namespace nodrop::cli {

using manifest::Node;

const Node* node_at(const Node& node, std::initializer_list<const char*> path) {
  const Node* current = &node;
  for (const char* key : path) {
    if (!current->is_mapping()) return nullptr;
    current = current->find(key);
    if (current == nullptr) return nullptr;
  }
  return current;
}

std::string text_at(const Node& node, std::initializer_list<const char*> path) {
  const Node* value = node_at(node, path);
  return value != nullptr && value->type() == Node::Type::kString ? value->text() : "";
}

std::string scalar_at(const Node& node, std::initializer_list<const char*> path) {
  const Node* value = node_at(node, path);
  if (value == nullptr || !value->is_scalar() || value->is_null()) return "";
  if (value->type() == Node::Type::kBool) return value->bool_value() ? "true" : "false";
  return value->text();
}

std::int64_t integer_at(const Node& node, std::initializer_list<const char*> path) {
  const Node* value = node_at(node, path);
  return value != nullptr ? value->int_value() : 0;
}

}  // namespace nodrop::cli
