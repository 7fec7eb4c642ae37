// A YAML or JSON document as a tree, with where each piece was written. The reader resolves plain
// scalars the way Kubernetes' YAML decoder (go-yaml v2, YAML 1.1) does: `yes`/`on` are booleans,
// `0755` is octal, `~` is null; quoted scalars are always strings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nodrop::manifest {

struct Mark {
  int line = 0;    // 1-based; 0 for a node built in memory
  int column = 0;  // 1-based
};

class Node {
 public:
  enum class Type { kNull, kBool, kInt, kFloat, kString, kSequence, kMapping };

  struct Entry;

  Node() = default;
  static Node null();
  static Node boolean(bool value);
  static Node integer(std::int64_t value);
  static Node floating(double value, std::string text);
  static Node string(std::string value);
  static Node sequence();
  static Node mapping();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_mapping() const { return type_ == Type::kMapping; }
  bool is_sequence() const { return type_ == Type::kSequence; }
  bool is_scalar() const { return type_ != Type::kSequence && type_ != Type::kMapping; }

  bool bool_value() const { return bool_; }
  std::int64_t int_value() const { return int_; }
  double float_value() const { return float_; }
  // The scalar as written (for messages), or the string value for strings.
  const std::string& text() const { return text_; }

  const std::vector<Node>& items() const { return items_; }
  std::vector<Node>& items() { return items_; }
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }

  // The value at key in a mapping, or nullptr.
  const Node* find(const std::string& key) const;
  // Appends to a sequence / sets a key of a mapping (replacing an existing value).
  Node& push(Node item);
  Node& set(const std::string& key, Node value);

  Mark mark;
  // A short name for the type, for messages: "a string", "an integer", "a mapping", ...
  const char* type_name() const;
  // The value rendered for a message: "abc" quoted, numbers and booleans bare, [..] and {..}.
  std::string render() const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::int64_t int_ = 0;
  double float_ = 0;
  std::string text_;
  std::vector<Node> items_;
  std::vector<Entry> entries_;
};

struct Node::Entry {
  std::string key;
  Mark key_mark;
  Node value;
};

inline Node Node::null() { return Node(); }

}  // namespace nodrop::manifest
