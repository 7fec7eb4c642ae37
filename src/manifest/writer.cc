#include "manifest/writer.h"

#include <cstdio>

#include "base/strings.h"

namespace nodrop::manifest {
namespace {

void write_json_value(const Node& node, int indent, std::string& out) {
  const std::string pad(indent + 4, ' ');
  switch (node.type()) {
    case Node::Type::kNull:
      out += "null";
      return;
    case Node::Type::kBool:
    case Node::Type::kInt:
      out += node.text();
      return;
    case Node::Type::kFloat: {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.17g", node.float_value());
      out += buffer;
      return;
    }
    case Node::Type::kString:
      out += json_quote(node.text());
      return;
    case Node::Type::kSequence:
      if (node.items().empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (std::size_t i = 0; i < node.items().size(); ++i) {
        out += pad;
        write_json_value(node.items()[i], indent + 4, out);
        out += i + 1 < node.items().size() ? ",\n" : "\n";
      }
      out += std::string(indent, ' ') + "]";
      return;
    case Node::Type::kMapping:
      if (node.entries().empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      for (std::size_t i = 0; i < node.entries().size(); ++i) {
        out += pad + json_quote(node.entries()[i].key) + ": ";
        write_json_value(node.entries()[i].value, indent + 4, out);
        out += i + 1 < node.entries().size() ? ",\n" : "\n";
      }
      out += std::string(indent, ' ') + "}";
      return;
  }
}

void write_compact_json_value(const Node& node, std::string& out) {
  switch (node.type()) {
    case Node::Type::kSequence:
      out += '[';
      for (std::size_t i = 0; i < node.items().size(); ++i) {
        if (i > 0) out += ',';
        write_compact_json_value(node.items()[i], out);
      }
      out += ']';
      return;
    case Node::Type::kMapping:
      out += '{';
      for (std::size_t i = 0; i < node.entries().size(); ++i) {
        if (i > 0) out += ',';
        out += json_quote(node.entries()[i].key);
        out += ':';
        write_compact_json_value(node.entries()[i].value, out);
      }
      out += '}';
      return;
    default:
      write_json_value(node, 0, out);  // a scalar: the same text either way
      return;
  }
}

}  // namespace

std::string write_json(const Node& node) {
  std::string out;
  write_json_value(node, 0, out);
  return out + "\n";
}

std::string write_compact_json(const Node& node) {
  std::string out;
  write_compact_json_value(node, out);
  return out;
}

}  // namespace nodrop::manifest
