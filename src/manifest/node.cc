#include "manifest/node.h"

#include "base/check.h"

namespace nodrop::manifest {

Node Node::boolean(bool value) {
  Node node;
  node.type_ = Type::kBool;
  node.bool_ = value;
  node.text_ = value ? "true" : "false";
  return node;
}

Node Node::integer(std::int64_t value) {
  Node node;
  node.type_ = Type::kInt;
  node.int_ = value;
  node.text_ = std::to_string(value);
  return node;
}

Node Node::floating(double value, std::string text) {
  Node node;
  node.type_ = Type::kFloat;
  node.float_ = value;
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
  for (const Entry& entry : entries_) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

Node& Node::push(Node item) {
  NODROP_CHECK(type_ == Type::kSequence);
  items_.push_back(std::move(item));
  return items_.back();
}

Node& Node::set(const std::string& key, Node value) {
  NODROP_CHECK(type_ == Type::kMapping);
  for (Entry& entry : entries_) {
    if (entry.key == key) {
      entry.value = std::move(value);
      return entry.value;
    }
  }
  entries_.push_back(Entry{key, {}, std::move(value)});
  return entries_.back().value;
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
