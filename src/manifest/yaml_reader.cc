#include "manifest/yaml_reader.h"

#include <fmt/format.h>
#include <yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

namespace nodrop::manifest {
namespace {

Mark to_mark(const yaml_mark_t& mark) {
  return {static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1};
}

std::string without_underscores(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c != '_') out += c;
  }
  return out;
}

// Scanners for the number forms of go-yaml v2's resolver, each matching exactly the regular
// expression in its comment. They replace std::regex, whose matcher recurses once per character:
// a 200 KB plain scalar of digits overflowed the stack.
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_digit_or_underscore(char c) { return is_digit(c) || c == '_'; }

std::string_view without_sign(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  return text;
}

// Removes the longest prefix of characters in the class; how many were removed.
template <typename CharClass>
std::size_t skip(std::string_view& text, CharClass in_class) {
  std::size_t count = 0;
  while (count < text.size() && in_class(text[count])) ++count;
  text.remove_prefix(count);
  return count;
}

// [-+]?(0|[1-9][0-9_]*)
bool is_decimal(std::string_view text) {
  text = without_sign(text);
  if (text == "0") return true;
  if (text.empty() || text[0] < '1' || text[0] > '9') return false;
  text.remove_prefix(1);
  skip(text, is_digit_or_underscore);
  return text.empty();
}

// [-+]?0(o)?[0-7_]+
bool is_octal(std::string_view text) {
  text = without_sign(text);
  if (text.empty() || text[0] != '0') return false;
  text.remove_prefix(1);
  if (!text.empty() && text[0] == 'o') text.remove_prefix(1);
  return skip(text, [](char c) { return (c >= '0' && c <= '7') || c == '_'; }) > 0 && text.empty();
}

// [-+]?0x[0-9a-fA-F_]+ and [-+]?0b[01_]+
bool is_hex_or_binary(std::string_view text) {
  text = without_sign(text);
  if (text.size() < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'b')) return false;
  const bool hex = text[1] == 'x';
  text.remove_prefix(2);
  return skip(text,
              [hex](char c) {
                if (c == '_' || c == '0' || c == '1') return true;
                return hex && (is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
              }) > 0 &&
         text.empty();
}

// [-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?
bool is_float(std::string_view text) {
  text = without_sign(text);
  if (text.empty()) return false;
  if (text[0] == '.') {
    text.remove_prefix(1);
    if (skip(text, is_digit) == 0) return false;
  } else {
    if (!is_digit(text[0])) return false;
    skip(text, is_digit_or_underscore);
    if (!text.empty() && text[0] == '.') {
      text.remove_prefix(1);
      skip(text, is_digit_or_underscore);
    }
  }
  if (!text.empty() && (text[0] == 'e' || text[0] == 'E')) {
    text.remove_prefix(1);
    text = without_sign(text);
    if (skip(text, is_digit) == 0) return false;
  }
  return text.empty();
}

// go-yaml v2's resolve() for plain scalars: YAML 1.1 booleans and nulls, ints in decimal, octal
// (0755, 0o755), hex and binary with '_' separators, floats with .inf and .nan.
Node resolve_plain(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    return Node::null();
  for (const char* truth :
       {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
    if (text == truth) return Node::boolean(true);
  }
  for (const char* falsity :
       {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
    if (text == falsity) return Node::boolean(false);
  }
  // Every number, infinity and NaN form below starts with one of these: most scalars (names,
  // kinds, images) skip the number scanners.
  if (std::string_view("+-.0123456789").find(text[0]) == std::string_view::npos)
    return Node::string(text);
  auto parse_int = [&](const std::string& digits, int base) -> Node {
    errno = 0;
    char* end = nullptr;
    const long long value = std::strtoll(digits.c_str(), &end, base);
    if (errno != 0 || end == nullptr || *end != '\0') return Node::string(text);  // out of range
    Node node = Node::integer(value);
    return node;
  };
  const bool plain_digits = std::all_of(text.begin(), text.end(), is_digit);
  if (plain_digits && (text.size() == 1 || text[0] != '0'))
    return parse_int(text, 10);  // is_decimal, fast
  if (is_decimal(text)) return parse_int(without_underscores(text), 10);
  if (is_hex_or_binary(text)) {
    std::string digits = without_underscores(text);
    const bool negative = digits[0] == '-';
    if (digits[0] == '-' || digits[0] == '+') digits.erase(0, 1);
    const int base = digits[1] == 'x' ? 16 : 2;
    Node node = parse_int((negative ? "-" : "") + digits.substr(2), base);
    return node.type() == Node::Type::kInt ? node : Node::string(text);
  }
  if (is_octal(text)) {
    std::string digits = without_underscores(text);
    const auto o = digits.find('o');
    if (o != std::string::npos) digits.erase(o, 1);
    return parse_int(digits, 8);
  }
  if (is_float(text)) {
    return Node::floating(std::strtod(without_underscores(text).c_str(), nullptr), text);
  }
  for (const char* infinity : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    if (text == infinity) return Node::floating(HUGE_VAL, text);
  }
  for (const char* negative : {"-.inf", "-.Inf", "-.INF"}) {
    if (text == negative) return Node::floating(-HUGE_VAL, text);
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return Node::floating(std::nan(""), text);
  return Node::string(text);
}

class TreeBuilder {
 public:
  explicit TreeBuilder(yaml_document_t* document) : document_(document) {}

  Result<Node> build(yaml_node_t* node, std::size_t depth) {
    if (depth > kMaxDepth) {
      return invalid_argument(fmt::format("{}:{}: nesting deeper than {} levels",
                                          node->start_mark.line + 1, node->start_mark.column + 1,
                                          kMaxDepth));
    }
    if (++node_count_ > kMaxNodes) {
      return invalid_argument(fmt::format("{}:{}: more than {} nodes after expanding aliases",
                                          node->start_mark.line + 1, node->start_mark.column + 1,
                                          kMaxNodes));
    }
    const Mark mark = to_mark(node->start_mark);
    switch (node->type) {
      case YAML_SCALAR_NODE: {
        const std::string text(reinterpret_cast<const char*>(node->data.scalar.value),
                               node->data.scalar.length);
        // libyaml's loader tags every untagged plain scalar as a string, so an explicit "!!str"
        // cannot be told apart: plain scalars are resolved by their text, quoted ones are strings.
        Node result;
        if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
          result = Node::string(text);
        } else {
          result = resolve_plain(text);
        }
        result.mark = mark;
        return result;
      }
      case YAML_SEQUENCE_NODE: {
        Node result = Node::sequence();
        result.mark = mark;
        for (yaml_node_item_t* item = node->data.sequence.items.start;
             item < node->data.sequence.items.top; ++item) {
          Result<Node> child = build(yaml_document_get_node(document_, *item), depth + 1);
          if (!child.is_ok()) return child.status();
          result.push(std::move(child).value());
        }
        return result;
      }
      case YAML_MAPPING_NODE: {
        Node result = Node::mapping();
        result.mark = mark;
        std::vector<Node> merges;
        for (yaml_node_pair_t* pair = node->data.mapping.pairs.start;
             pair < node->data.mapping.pairs.top; ++pair) {
          yaml_node_t* key_node = yaml_document_get_node(document_, pair->key);
          Result<Node> key = build(key_node, depth + 1);
          if (!key.is_ok()) return key.status();
          Result<Node> value = build(yaml_document_get_node(document_, pair->value), depth + 1);
          if (!value.is_ok()) return value.status();
          if (key->type() == Node::Type::kString && key->text() == "<<" &&
              key_node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
            merges.push_back(std::move(value).value());
            continue;
          }
          if (!key->is_scalar()) {
            return invalid_argument(fmt::format("{}:{}: a mapping key must be a scalar",
                                                key->mark.line, key->mark.column));
          }
          const std::string key_text = key->is_null() ? "null" : key->text();
          if (const Node* existing = result.find(key_text)) {
            (void)existing;
            for (const Node::Entry& entry : result.entries()) {
              if (entry.key == key_text) {
                return invalid_argument(
                    fmt::format("{}:{}: mapping key \"{}\" already defined at line {}",
                                key->mark.line, key->mark.column, key_text, entry.key_mark.line));
              }
            }
          }
          result.entries().push_back(Node::Entry{key_text, key->mark, std::move(value).value()});
        }
        // YAML 1.1 merge keys: entries written in the mapping win over merged ones; earlier merged
        // mappings win over later ones.
        for (const Node& merge : merges) {
          std::vector<const Node*> sources;
          if (merge.is_mapping()) {
            sources.push_back(&merge);
          } else if (merge.is_sequence()) {
            for (const Node& item : merge.items()) sources.push_back(&item);
          }
          for (const Node* source : sources) {
            if (!source->is_mapping()) {
              return invalid_argument(
                  fmt::format("{}:{}: map merge requires map or sequence of maps as the value",
                              merge.mark.line, merge.mark.column));
            }
            for (const Node::Entry& entry : source->entries()) {
              if (result.find(entry.key) == nullptr) result.entries().push_back(entry);
            }
          }
        }
        return result;
      }
      case YAML_NO_NODE:
        break;
    }
    return Node::null();
  }

 private:
  yaml_document_t* document_;
  std::size_t node_count_ = 0;
};

}  // namespace

Result<std::vector<Document>> read_yaml_stream(const std::string& text) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0)
    return internal_error("cannot initialise the YAML parser");
  const std::unique_ptr<yaml_parser_t, void (*)(yaml_parser_t*)> parser_guard(&parser,
                                                                              yaml_parser_delete);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());

  std::vector<Document> documents;
  for (int index = 0;; ++index) {
    yaml_document_t document;
    if (yaml_parser_load(&parser, &document) == 0) {
      const Mark mark = to_mark(parser.problem_mark);
      std::string message =
          fmt::format("{}:{}: {}", mark.line, mark.column,
                      parser.problem != nullptr ? parser.problem : "invalid YAML");
      if (parser.context != nullptr) message += fmt::format(" ({})", parser.context);
      return invalid_argument(message);
    }
    const std::unique_ptr<yaml_document_t, void (*)(yaml_document_t*)> document_guard(
        &document, yaml_document_delete);
    yaml_node_t* root = yaml_document_get_root_node(&document);
    if (root == nullptr) break;  // end of the stream
    TreeBuilder builder(&document);
    Result<Node> tree = builder.build(root, 0);
    if (!tree.is_ok()) return tree.status();
    documents.push_back(Document{std::move(tree).value(), index, to_mark(document.start_mark)});
  }
  return documents;
}

YamlError yaml_error_of(const Status& status) {
  const std::string& message = status.message();
  YamlError error;
  int consumed = 0;
  if (std::sscanf(message.c_str(), "%d:%d: %n", &error.line, &error.column, &consumed) == 2 &&
      consumed > 0) {
    error.problem = message.substr(static_cast<std::size_t>(consumed));
  } else {
    error = YamlError{0, 0, message};
  }
  return error;
}

std::string YamlError::describe() const {
  return column > 0 ? fmt::format("invalid YAML at column {}: {}", column, problem)
                    : "invalid YAML: " + problem;
}

}  // namespace nodrop::manifest
