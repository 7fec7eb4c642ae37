#include "manifest/node.h"

#include "base/check.h"

namespace nodrop::manifest {

// The reader's memory bound counts on this size (see node.h); a member added here moves it.
static_assert(sizeof(Node) <= 64);

Node::Node(const Node& other)
    : mark(other.mark),
      text_(other.text_),
      value_(other.value_),
      children_(other.children_ == nullptr ? nullptr
                                           : std::make_unique<Children>(*other.children_)),
      type_(other.type_) {}

Node& Node::operator=(const Node& other) {
  if (this != &other) *this = Node(other);
  return *this;
}

const std::vector<Node>& Node::items() const {
  static const std::vector<Node> kNone;
  return children_ == nullptr ? kNone : children_->items;
}

std::vector<Node>& Node::items() { return children().items; }

const std::vector<Node::Entry>& Node::entries() const {
  static const std::vector<Entry> kNone;
  return children_ == nullptr ? kNone : children_->entries;
}

std::vector<Node::Entry>& Node::entries() { return children().entries; }

Node::Children& Node::children() {
  if (children_ == nullptr) children_ = std::make_unique<Children>();
  return *children_;
}

Node Node::boolean(bool value) {
  Node node;
  node.type_ = Type::kBool;
  node.value_.boolean = value;
  node.text_ = value ? "true" : "false";
  return node;
}

Node Node::integer(std::int64_t value) {
  Node node;
  node.type_ = Type::kInt;
  node.value_.integer = value;
  node.text_ = std::to_string(value);
  return node;
}

Node Node::floating(double value, std::string text) {
  Node node;
  node.type_ = Type::kFloat;
  node.value_.floating = value;
  node.text_ = std::move(text);
  return node;
}

Node Node::string(std::string value) {
  Node node;
  node.type_ = Type::kString;
  node.text_ = std::move(value);
  return node;
}

Node Node::sequence() {
  Node node;
  node.type_ = Type::kSequence;
  return node;
}

Node Node::mapping() {
  Node node;
  node.type_ = Type::kMapping;
  return node;
}

const Node* Node::find(const std::string& key) const {
  for (const Entry& entry : entries()) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

Node& Node::push(Node item) {
  NODROP_CHECK(type_ == Type::kSequence);
  return children().items.emplace_back(std::move(item));
}

Node& Node::set(const std::string& key, Node value) {
  NODROP_CHECK(type_ == Type::kMapping);
  for (Entry& entry : children().entries) {
    if (entry.key == key) {
      entry.value = std::move(value);
      return entry.value;
    }
  }
  return children().entries.emplace_back(Entry{key, {}, std::move(value)}).value;
}

const char* Node::type_name() const {
  switch (type_) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "a boolean";
    case Type::kInt:
      return "an integer";
    case Type::kFloat:
      return "a number";
    case Type::kString:
      return "a string";
    case Type::kSequence:
      return "a list";
    case Type::kMapping:
      return "a mapping";
  }
  return "a value";
}

std::string Node::render() const {
  switch (type_) {
    case Type::kNull:
      return "null";
    case Type::kBool:
    case Type::kInt:
    case Type::kFloat:
      return text_;
    case Type::kString: {
      std::string out = "\"";
      for (const char c : text_) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
          out += "\\n";
          continue;
        }
        out += c;
      }
      return out + "\"";
    }
    case Type::kSequence:
      return "[...]";
    case Type::kMapping:
      return "{...}";
  }
  return "";
}

}  // namespace nodrop::manifest
