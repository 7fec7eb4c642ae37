#include "manifest/writer.h"

#include <cstdio>

#include "base/strings.h"

namespace nodrop::manifest {
namespace {

// Whether a string can be written plain in YAML and read back as the same string.
bool needs_quotes(const std::string& text) {
  if (text.empty()) return true;
  // Anything the reader would resolve to a non-string must be quoted: "80", "yes", "null", "1.5".
  static const char* const kSpecialWords[] = {
      "y",  "Y",    "yes",  "Yes",  "YES",   "n",     "N",     "no", "No",
      "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On",
      "ON", "off",  "Off",  "OFF",  "null",  "Null",  "NULL",  "~"};
  for (const char* word : kSpecialWords) {
    if (text == word) return true;
  }
  const char first = text.front();
  if ((first >= '0' && first <= '9') || first == '-' || first == '+' || first == '.') {
    // Could be a number; quoting a string that merely starts like one is harmless.
    return true;
  }
  if (std::string("!&*|>'\"%@`#,[]{}?:").find(first) != std::string::npos) return true;
  if (text.front() == ' ' || text.back() == ' ' || text.back() == ':') return true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == ':' && i + 1 < text.size() && text[i + 1] == ' ') return true;
    if (c == '#' && i > 0 && text[i - 1] == ' ') return true;
  }
  return false;
}

std::string yaml_scalar(const Node& node) {
  switch (node.type()) {
    case Node::Type::kNull:
      return "null";
    case Node::Type::kBool:
    case Node::Type::kInt:
    case Node::Type::kFloat:
      return node.text();
    case Node::Type::kString:
      return needs_quotes(node.text()) ? json_quote(node.text()) : node.text();
    case Node::Type::kSequence:
      return "[]";
    case Node::Type::kMapping:
      return "{}";
  }
  return "null";
}

bool is_empty_collection(const Node& node) {
  return (node.is_mapping() && node.entries().empty()) ||
         (node.is_sequence() && node.items().empty());
}

void write_yaml_value(const Node& node, int indent, std::string& out);

// Writes the entries of a mapping, the first one continuing the current line when first_inline.
void write_yaml_mapping(const Node& node, int indent, bool first_inline, std::string& out) {
  bool first = true;
  for (const Node::Entry& entry : node.entries()) {
    if (!(first && first_inline)) out += std::string(indent, ' ');
    first = false;
    out += (needs_quotes(entry.key) ? json_quote(entry.key) : entry.key) + ":";
    const Node& value = entry.value;
    if (value.is_mapping() && !value.entries().empty()) {
      out += "\n";
      write_yaml_mapping(value, indent + 2, false, out);
    } else if (value.is_sequence() && !value.items().empty()) {
      out += "\n";
      write_yaml_value(value, indent, out);  // kubectl style: list items at the key's indent
    } else {
      out += " " + yaml_scalar(value) + "\n";
    }
  }
}

void write_yaml_value(const Node& node, int indent, std::string& out) {
  if (node.is_mapping() && !node.entries().empty()) {
    write_yaml_mapping(node, indent, false, out);
  } else if (node.is_sequence() && !node.items().empty()) {
    for (const Node& item : node.items()) {
      out += std::string(indent, ' ') + "-";
      if (item.is_mapping() && !item.entries().empty()) {
        out += " ";
        write_yaml_mapping(item, indent + 2, true, out);
      } else if (item.is_sequence() && !item.items().empty()) {
        out += "\n";
        write_yaml_value(item, indent + 2, out);
      } else {
        out += " " + yaml_scalar(item) + "\n";
      }
    }
  } else {
    out += std::string(indent, ' ') + yaml_scalar(node) + "\n";
  }
}

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

std::string write_yaml(const Node& node) {
  std::string out;
  if (is_empty_collection(node) || node.is_scalar()) return yaml_scalar(node) + "\n";
  write_yaml_value(node, 0, out);
  return out;
}

std::string write_yaml_stream(const std::vector<Node>& documents) {
  std::string out;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (i > 0) out += "---\n";
    out += write_yaml(documents[i]);
  }
  return out;
}

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
