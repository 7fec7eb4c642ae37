#include "cli/go_json.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "base/strings.h"
#include "manifest/writer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// The UTF-8 bytes of a code point below U+10000.
std::string utf8_of(unsigned point) {
  std::string out;
  if (point < 0x80) {
    out += static_cast<char>(point);
  } else if (point < 0x800) {
    out += static_cast<char>(0xc0 | (point >> 6));
    out += static_cast<char>(0x80 | (point & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (point >> 12));
    out += static_cast<char>(0x80 | ((point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (point & 0x3f));
  }
  return out;
}

// JSON text written with json_quote, turned into what Go's encoder writes for the same strings:
// <, > and & (HTML's characters) escaped, which only strings can hold; the escapes json_quote adds
// for its YAML reader's sake and Go does not write (0x7F, C1 controls, U+FFFE, U+FFFF) written
// raw; U+2028 and U+2029 stay escaped, as both write them. An escape is read whole, so an escaped
// backslash followed by "u0080" stays as it is.
std::string go_escaped(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '\\' && i + 1 < json.size()) {
      if (json[i + 1] == 'u' && i + 5 < json.size()) {
        unsigned point = 0;
        const auto [end, problem] =
            std::from_chars(json.data() + i + 2, json.data() + i + 6, point, 16);
        const bool go_writes_raw = problem == std::errc() && end == json.data() + i + 6 &&
                                   (point == 0x7f || (point >= 0x80 && point <= 0x9f) ||
                                    point == 0xfffe || point == 0xffff);
        if (go_writes_raw) {
          out += utf8_of(point);
          i += 5;
          continue;
        }
      }
      out += c;
      out += json[++i];  // the escaped character, whatever it is
      continue;
    }
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
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

std::string go_sprint(const Node& node) {
  switch (node.type()) {
    case Node::Type::kNull:
      return "<nil>";
    case Node::Type::kBool:
      return node.bool_value() ? "true" : "false";
    case Node::Type::kInt:
      return std::to_string(node.int_value());
    case Node::Type::kFloat:
      return go_float_text(node.float_value());
    case Node::Type::kString:
      return node.text();
    case Node::Type::kSequence: {
      std::string out = "[";
      for (std::size_t i = 0; i < node.items().size(); ++i) {
        if (i > 0) out += ' ';
        out += go_sprint(node.items()[i]);
      }
      return out + "]";
    }
    case Node::Type::kMapping: {
      std::string out = "map[";
      const Node sorted = sorted_keys(node);
      for (std::size_t i = 0; i < sorted.entries().size(); ++i) {
        if (i > 0) out += ' ';
        out += sorted.entries()[i].key + ":" + go_sprint(sorted.entries()[i].value);
      }
      return out + "]";
    }
  }
  return "";
}

std::string go_json_indented(const Node& node) {
  return go_escaped(manifest::write_json(sorted_keys(node)));
}

}  // namespace nodrop::cli
