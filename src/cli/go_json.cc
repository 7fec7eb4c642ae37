#include "cli/go_json.h"

#include <algorithm>
#include <vector>

#include "base/strings.h"
#include "manifest/writer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// JSON text written with json_quote, escaped the rest of the way to Go's encoder: <, > and &
// (HTML's characters) and the two line separators (JavaScript's), which only strings can hold;
// 0x7F, which json_quote escapes and Go leaves as it is.
std::string go_escaped(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (json.compare(i, 3, "\xe2\x80\xa8") == 0 || json.compare(i, 3, "\xe2\x80\xa9") == 0) {
      out += json[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else if (json.compare(i, 6, "\\u007f") == 0) {
      out += '\x7f';
      i += 5;
    } else {
      out += c;
    }
  }
  return out;
}

void write_compact(const Node& node, std::string& out) {
  switch (node.type()) {
    case Node::Type::kNull:
      out += "null";
      return;
    case Node::Type::kBool:
      out += node.bool_value() ? "true" : "false";
      return;
    case Node::Type::kInt:
      out += std::to_string(node.int_value());
      return;
    case Node::Type::kFloat:
      out += node.text();
      return;
    case Node::Type::kString:
      out += json_quote(node.text());
      return;
    case Node::Type::kSequence:
      out += '[';
      for (std::size_t i = 0; i < node.items().size(); ++i) {
        if (i > 0) out += ',';
        write_compact(node.items()[i], out);
      }
      out += ']';
      return;
    case Node::Type::kMapping: {
      std::vector<const Node::Entry*> entries;
      for (const Node::Entry& entry : node.entries()) entries.push_back(&entry);
      std::sort(entries.begin(), entries.end(),
                [](const Node::Entry* a, const Node::Entry* b) { return a->key < b->key; });
      out += '{';
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) out += ',';
        out += json_quote(entries[i]->key);
        out += ':';
        write_compact(entries[i]->value, out);
      }
      out += '}';
      return;
    }
  }
}

Node sorted_keys(const Node& node) {
  Node out = node;
  if (out.is_sequence()) {
    for (Node& item : out.items()) item = sorted_keys(item);
  } else if (out.is_mapping()) {
    for (Node::Entry& entry : out.entries()) entry.value = sorted_keys(entry.value);
    std::stable_sort(out.entries().begin(), out.entries().end(),
                     [](const Node::Entry& a, const Node::Entry& b) { return a.key < b.key; });
  }
  return out;
}

}  // namespace

std::string go_json(const Node& node) {
  std::string out;
  write_compact(node, out);
  return go_escaped(out);
}

std::string go_json_indented(const Node& node) {
  return go_escaped(manifest::write_json(sorted_keys(node)));
}

}  // namespace nodrop::cli
