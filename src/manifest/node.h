// A YAML or JSON document as a tree, with where each piece was written. The reader resolves plain
// scalars the way Kubernetes' YAML decoder (go-yaml v2, YAML 1.1) does: `yes`/`on` are booleans,
// `0755` is octal, `~` is null; quoted scalars are always strings.
//
// Size: a manifest file becomes one Node per value it holds, so sizeof(Node) is the constant in the
// reader's memory bound (yaml_reader.h). A Node keeps its children behind one pointer, allocated
// only for a collection that has any, and its number in a union: 64 bytes on x86-64, where three
// scalar fields and two vectors of its own took 112.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nodrop::manifest {

struct Mark {
  int line = 0;    // 1-based; 0 for a node built in memory
  int column = 0;  // 1-based
};

class Node {
 public:
  enum class Type : std::uint8_t { kNull, kBool, kInt, kFloat, kString, kSequence, kMapping };

  struct Entry;

  Node() = default;
  Node(const Node& other);
  Node& operator=(const Node& other);
  // noexcept, so that vectors of nodes move them when they grow instead of copying.
  Node(Node&& other) noexcept;
  Node& operator=(Node&& other) noexcept;
  ~Node();

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

  // The value of a node of that type; false, 0 or 0.0 for a node of any other type.
  bool bool_value() const { return type_ == Type::kBool && value_.boolean; }
  std::int64_t int_value() const { return type_ == Type::kInt ? value_.integer : 0; }
  double float_value() const { return type_ == Type::kFloat ? value_.floating : 0; }
  // The scalar as written (for messages), or the string value for strings.
  const std::string& text() const { return text_; }

  // The items of a sequence and the entries of a mapping; empty for any other node. The mutable
  // forms allocate the storage a collection's children live in.
  const std::vector<Node>& items() const;
  std::vector<Node>& items();
  const std::vector<Entry>& entries() const;
  std::vector<Entry>& entries();

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
  struct Children;
  Children& children();

  std::string text_;
  union Number {
    bool boolean;
    std::int64_t integer;
    double floating;
  } value_{.integer = 0};
  std::unique_ptr<Children> children_;  // null for scalars and empty collections
  Type type_ = Type::kNull;
};

struct Node::Entry {
  std::string key;
  Mark key_mark;
  Node value;
};

struct Node::Children {
  std::vector<Node> items;
  std::vector<Entry> entries;
};

// Here, not in node.cc, so that moving a node (the reader moves each one it makes) is inlined.
inline Node::Node(Node&& other) noexcept = default;
inline Node& Node::operator=(Node&& other) noexcept = default;
inline Node::~Node() = default;

inline Node Node::null() { return Node(); }

}  // namespace nodrop::manifest
