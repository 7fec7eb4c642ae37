#include "apiserver/json.h"

#include <algorithm>
#include <cmath>

#include "base/strings.h"
#include "manifest/writer.h"
#include "manifest/yaml_reader.h"

namespace nodrop::apiserver {

namespace {

bool is_json_text(const std::string& body) {
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (body[first] == '{' || body[first] == '[');
}

bool has_non_ascii(const std::string& body) {
  return std::any_of(body.begin(), body.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// The first number of the tree that JSON cannot hold (.inf, .nan: YAML's, which the reader takes
// and JSON has no form for), for an error; nullptr when there is none. Depth is bounded by the
// reader (kMaxDepth).
const Node* non_finite_number(const Node& node) {
  if (node.type() == Node::Type::kFloat) {
    return std::isfinite(node.float_value()) ? nullptr : &node;
  }
  if (node.is_sequence()) {
    for (const Node& item : node.items()) {
      if (const Node* found = non_finite_number(item)) return found;
    }
  } else if (node.is_mapping()) {
    for (const Node::Entry& entry : node.entries()) {
      if (const Node* found = non_finite_number(entry.value)) return found;
    }
  }
  return nullptr;
}

}  // namespace

Result<Node> parse_body(const std::string& body) {
  // JSON holds raw what YAML reads otherwise or not at all (C1 controls, line separators):
  // escaped first, so that the YAML reader reads the same strings.
  const bool escape = is_json_text(body) && has_non_ascii(body);
  const std::string escaped = escape ? json_escaped_for_yaml(body) : std::string();
  manifest::YamlDocuments documents = manifest::read_yaml_stream(escape ? escaped : body);
  if (!documents) {
    const manifest::YamlError& error = documents.error();
    return Status(error.refused ? StatusCode::kResourceExhausted : StatusCode::kInvalidArgument,
                  "the request body is not valid JSON: line " + std::to_string(error.line) + ": " +
                      error.describe());
  }
  if (documents->size() != 1) {
    return invalid_argument("the request body must hold one JSON object, not " +
                            std::to_string(documents->size()) + " documents");
  }
  // As the API server, whose JSON has no infinity or NaN (a YAML body's .inf fails its conversion
  // to JSON): refused, rather than stored as a number nodrop could not write back.
  if (const Node* number = non_finite_number((*documents)[0].root)) {
    return invalid_argument("the request body is not valid JSON: line " +
                            std::to_string(number->mark.line) + ": " + number->text() +
                            " is a number JSON cannot hold");
  }
  return std::move((*documents)[0].root);
}

Node object_of(std::initializer_list<std::pair<const char*, Node>> entries) {
  Node node = Node::mapping();
  for (const auto& [key, value] : entries) node.set(key, value);
  return node;
}

Node strings_of(const std::vector<std::string>& values) {
  Node node = Node::sequence();
  for (const std::string& value : values) node.push(Node::string(value));
  return node;
}

Node strings_of(const std::vector<const char*>& values) {
  Node node = Node::sequence();
  for (const char* value : values) node.push(Node::string(value));
  return node;
}

std::string to_json(const Node& node) { return manifest::write_compact_json(node); }

}  // namespace nodrop::apiserver
