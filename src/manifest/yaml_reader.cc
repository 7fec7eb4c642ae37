#include "manifest/yaml_reader.h"

#include <fmt/format.h>
#include <yaml.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "manifest/key_index.h"

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
  if (text.empty()) return Node::null();
  if (text.size() <= 5) {  // the longest word below; longer scalars skip the comparisons
    const std::string_view word = text;
    for (const std::string_view null : {"~", "null", "Null", "NULL"}) {
      if (word == null) return Node::null();
    }
    for (const std::string_view truth :
         {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
      if (word == truth) return Node::boolean(true);
    }
    for (const std::string_view falsity :
         {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
      if (word == falsity) return Node::boolean(false);
    }
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
  for (const std::string_view infinity : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    if (text == infinity) return Node::floating(HUGE_VAL, text);
  }
  for (const std::string_view negative : {"-.inf", "-.Inf", "-.INF"}) {
    if (text == negative) return Node::floating(-HUGE_VAL, text);
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return Node::floating(std::nan(""), text);
  return Node::string(text);
}

std::string text_of(const yaml_char_t* text) { return reinterpret_cast<const char*>(text); }

// What stops the reading; nothing (std::nullopt) while it goes on.
using Failure = std::optional<YamlError>;

YamlError error_at(Mark mark, std::string problem) {
  return {mark.line, mark.column, std::move(problem), false};
}
YamlError error_at(const yaml_mark_t& mark, std::string problem) {
  return error_at(to_mark(mark), std::move(problem));
}
YamlError refused_at(const yaml_mark_t& mark, std::string problem) {
  YamlError error = error_at(mark, std::move(problem));
  error.refused = true;
  return error;
}

YamlError over_budget(std::size_t budget, const yaml_mark_t& mark) {
  return refused_at(mark,
                    fmt::format("more than {} nodes, counting keys, anchors, the copies "
                                "aliases make and a node per {} bytes of text (a file may "
                                "make {} plus one per {} bytes)",
                                budget, kTextBytesPerNode, kBaseNodeBudget, kBytesPerBudgetedNode));
}

using MappingKeys = KeyIndex<>;

// Builds Node trees from libyaml's events, one document at a time, checking every bound of
// yaml_reader.h when the event that would exceed it arrives: before the parser reads deeper or a
// node is made. Nothing here recurses except copying an anchored node (at most kMaxDepth deep).
class TreeBuilder {
 public:
  explicit TreeBuilder(std::size_t node_budget) : node_budget_(node_budget) {}

  // Takes one event; an error (with its "LINE:COLUMN: " prefix) ends the stream.
  Failure add(const yaml_event_t& event) {
    switch (event.type) {
      case YAML_DOCUMENT_START_EVENT:
        document_start_ = to_mark(event.start_mark);
        anchors_.clear();  // anchors are local to their document
        return std::nullopt;
      case YAML_DOCUMENT_END_EVENT:
        documents_.push_back(Document{std::move(root_), document_index_++, document_start_});
        root_ = Node();
        return std::nullopt;
      case YAML_SCALAR_EVENT:
        return add_scalar(event);
      case YAML_ALIAS_EVENT:
        return add_alias(event);
      case YAML_SEQUENCE_START_EVENT:
        return start_collection(event, Node::sequence(), event.data.sequence_start.anchor);
      case YAML_MAPPING_START_EVENT:
        return start_collection(event, Node::mapping(), event.data.mapping_start.anchor);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        return end_collection(event);
      case YAML_STREAM_START_EVENT:
      case YAML_STREAM_END_EVENT:
      case YAML_NO_EVENT:
        return std::nullopt;
    }
    return std::nullopt;
  }

  // The children of each collection of the next document, in the order the collections start.
  void expect_children(std::vector<std::uint32_t> counts) {
    child_counts_ = std::move(counts);
    next_count_ = 0;
  }

  std::vector<Document> take_documents() { return std::move(documents_); }
  std::size_t nodes() const { return nodes_; }

 private:
  // A node made, with what an alias to it would cost.
  struct Built {
    Node node;
    std::size_t size = 1;    // what it was charged: nodes in it, keys included, and text
    std::size_t height = 0;  // levels below it: 0 for a scalar or an empty collection
    bool plain = false;      // a plain scalar (a "<<" key is a merge key only then)
  };

  struct Anchor {
    Mark mark;
    bool complete = false;  // false while the anchored collection is still being read
    Built built;            // a copy, once complete
  };

  // A collection being read. Its storage was reserved at its start for the children the counting
  // pass found, so that they are made in place, once.
  struct Frame {
    Node node;
    std::size_t size = 1;
    std::size_t height = 0;
    std::string anchor;  // empty when not anchored
    // Mappings: the key read, waiting for its value.
    bool has_key = false;
    bool key_is_merge = false;  // a plain "<<": YAML 1.1's merge key
    std::string key;
    Mark key_mark;
    std::vector<Node> merges;  // values of merge keys, merged when the mapping ends
    MappingKeys keys;
  };

  // The key at a position of a mapping's entries.
  static auto key_reader(const std::vector<Node::Entry>& entries) {
    return [&entries](std::uint32_t position) -> std::string_view { return entries[position].key; };
  }

  // Counts nodes about to be made against the file's budget.
  Failure charge(std::size_t count, const yaml_mark_t& mark) {
    nodes_ += count;
    if (nodes_ <= node_budget_) return std::nullopt;
    return over_budget(node_budget_, mark);
  }

  // The depth a node would have if it started now: the root is at depth 0.
  std::size_t depth() const { return open_.size(); }

  Failure check_depth(std::size_t deepest, const yaml_mark_t& mark, const std::string& alias) {
    if (deepest <= kMaxDepth) return std::nullopt;
    return error_at(
        mark,
        (alias.empty() ? fmt::format("nesting deeper than {} levels", kMaxDepth)
                       : fmt::format("nesting deeper than {} levels after expanding alias *{}",
                                     kMaxDepth, alias)));
  }

  Failure check_scalar_key_position(const yaml_mark_t& mark) {
    if (!open_.empty() && open_.back().node.is_mapping() && !open_.back().has_key) {
      return error_at(mark, "a mapping key must be a scalar");
    }
    return std::nullopt;
  }

  Failure register_anchor(const yaml_char_t* name, const yaml_mark_t& mark) {
    if (name == nullptr) return std::nullopt;
    std::string text = text_of(name);
    // An anchor's entry in anchors_ (its name, place and hash node) takes about two nodes' room.
    if (Failure failure = charge(2 + text.size() / kTextBytesPerNode, mark)) return failure;
    const auto [it, added] =
        anchors_.try_emplace(std::move(text), Anchor{to_mark(mark), false, {}});
    if (!added) {
      return error_at(mark, fmt::format("anchor &{} is already defined at line {}", it->first,
                                        it->second.mark.line));
    }
    return std::nullopt;
  }

  // Keeps a copy of a completed anchored node for the aliases that follow.
  Failure complete_anchor(const std::string& name, const Built& built, const yaml_mark_t& mark) {
    if (Failure failure = charge(built.size, mark)) return failure;
    Anchor& anchor = anchors_.at(name);
    anchor.built = built;
    anchor.complete = true;
    return std::nullopt;
  }

  Failure add_scalar(const yaml_event_t& event) {
    const auto& scalar = event.data.scalar;
    if (Failure failure = check_depth(depth(), event.start_mark, "")) return failure;
    const std::size_t weight = 1 + scalar.length / kTextBytesPerNode;
    if (Failure failure = charge(weight, event.start_mark)) return failure;
    std::string text(reinterpret_cast<const char*>(scalar.value), scalar.length);
    // Tags are not read (an explicit "!!str" is not told apart): plain scalars are resolved by
    // their text, quoted ones are strings.
    const bool plain = scalar.style == YAML_PLAIN_SCALAR_STYLE;
    Built built{plain ? resolve_plain(text) : Node::string(std::move(text))};
    built.node.mark = to_mark(event.start_mark);
    built.size = weight;
    built.plain = plain;
    if (scalar.anchor != nullptr) {
      if (Failure failure = register_anchor(scalar.anchor, event.start_mark)) return failure;
      if (Failure failure = complete_anchor(text_of(scalar.anchor), built, event.start_mark))
        return failure;
    }
    return deliver(std::move(built), event.start_mark);
  }

  Failure add_alias(const yaml_event_t& event) {
    const std::string name = text_of(event.data.alias.anchor);
    const auto found = anchors_.find(name);
    if (found == anchors_.end()) {
      return error_at(event.start_mark,
                      fmt::format("alias *{} names no anchor defined before it", name));
    }
    const Anchor& anchor = found->second;
    if (!anchor.complete) {
      return error_at(
          event.start_mark,
          fmt::format("alias *{} is inside the node it names (line {})", name, anchor.mark.line));
    }
    if (Failure failure = check_depth(depth() + anchor.built.height, event.start_mark, name))
      return failure;
    if (Failure failure = charge(anchor.built.size, event.start_mark)) return failure;
    // The copy keeps the marks of the anchored node: messages point at where values were written.
    return deliver(Built(anchor.built), event.start_mark);
  }

  Failure start_collection(const yaml_event_t& event, Node node, const yaml_char_t* anchor) {
    if (Failure failure = check_depth(depth(), event.start_mark, "")) return failure;
    if (Failure failure = check_scalar_key_position(event.start_mark)) return failure;
    if (Failure failure = charge(1, event.start_mark)) return failure;
    if (Failure failure = register_anchor(anchor, event.start_mark)) return failure;
    node.mark = to_mark(event.start_mark);
    // The counting pass saw the same events: one count per collection, in the order they start.
    NODROP_CHECK(next_count_ < child_counts_.size());
    const std::uint32_t children = child_counts_[next_count_++];
    if (children > 0) {  // items() and entries() allocate a collection's storage
      if (node.is_sequence()) {
        node.items().reserve(children);
      } else {
        node.entries().reserve(children / 2);  // a key and a value each
      }
    }
    Frame& frame = open_.emplace_back();
    frame.node = std::move(node);
    if (anchor != nullptr) frame.anchor = text_of(anchor);
    return std::nullopt;
  }

  Failure end_collection(const yaml_event_t& event) {
    Frame& frame = open_.back();
    const bool has_children = frame.size > 1;
    Built built{std::move(frame.node), frame.size, has_children ? frame.height + 1 : 0};
    if (built.node.is_mapping()) {
      if (Failure failure = merge(frame, built.node)) return failure;
    }
    const std::string anchor = std::move(frame.anchor);
    open_.pop_back();
    if (!anchor.empty()) {
      if (Failure failure = complete_anchor(anchor, built, event.start_mark)) return failure;
    }
    return deliver(std::move(built), event.start_mark);
  }

  // Hands a finished node to the collection it belongs to, or makes it the document's root.
  Failure deliver(Built built, const yaml_mark_t& mark) {
    if (open_.empty()) {
      root_ = std::move(built.node);
      return std::nullopt;
    }
    Frame& frame = open_.back();
    frame.size += built.size;
    frame.height = std::max(frame.height, built.height);
    if (frame.node.is_sequence()) {
      frame.node.items().push_back(std::move(built.node));
      return std::nullopt;
    }
    const Node& node = built.node;
    if (!frame.has_key) {
      if (!node.is_scalar()) {  // an alias to a collection; a written one is refused at its start
        return error_at(mark, "a mapping key must be a scalar");
      }
      frame.has_key = true;
      frame.key_is_merge = built.plain && node.type() == Node::Type::kString && node.text() == "<<";
      frame.key = node.is_null() ? "null" : node.text();
      frame.key_mark = node.mark;
      return std::nullopt;
    }
    frame.has_key = false;
    if (frame.key_is_merge) {
      frame.merges.push_back(std::move(built.node));
      return std::nullopt;
    }
    std::vector<Node::Entry>& entries = frame.node.entries();
    const MappingKeys::Lookup lookup = frame.keys.find_or_add(
        frame.key, static_cast<std::uint32_t>(entries.size()), key_reader(entries));
    switch (lookup.outcome) {
      case MappingKeys::Outcome::kAdded:
        break;
      case MappingKeys::Outcome::kFound:
        return error_at(frame.key_mark,
                        fmt::format("mapping key \"{}\" already defined at line {}", frame.key,
                                    entries[lookup.earlier].key_mark.line));
      case MappingKeys::Outcome::kTooManyCollisions:
        return too_many_collisions(frame);
    }
    entries.push_back(Node::Entry{std::move(frame.key), frame.key_mark, std::move(built.node)});
    return std::nullopt;
  }

  Failure too_many_collisions(const Frame& frame) {
    YamlError error = error_at(frame.node.mark,
                               fmt::format("the keys of this mapping collide in the reader's hash "
                                           "table (more than {} probes a key): refused, as "
                                           "checking them for duplicates would take quadratic time",
                                           MappingKeys::kProbesPerKey));
    error.refused = true;
    return error;
  }

  // YAML 1.1 merge keys: entries written in the mapping win over merged ones; earlier merged
  // mappings win over later ones. The merged entries are moved, not copied: their nodes were
  // counted when the merge keys' values were read.
  Failure merge(Frame& frame, Node& mapping) {
    if (frame.merges.empty()) return std::nullopt;
    std::vector<Node::Entry>& entries = mapping.entries();
    for (Node& merged : frame.merges) {
      std::vector<Node*> sources;
      if (merged.is_mapping()) {
        sources.push_back(&merged);
      } else if (merged.is_sequence()) {
        for (Node& item : merged.items()) sources.push_back(&item);
      }
      for (Node* source : sources) {
        if (!source->is_mapping()) {
          return error_at(merged.mark, "map merge requires map or sequence of maps as the value");
        }
        for (Node::Entry& entry : source->entries()) {
          const MappingKeys::Lookup lookup = frame.keys.find_or_add(
              entry.key, static_cast<std::uint32_t>(entries.size()), key_reader(entries));
          switch (lookup.outcome) {
            case MappingKeys::Outcome::kAdded:
              entries.push_back(std::move(entry));
              break;
            case MappingKeys::Outcome::kFound:
              break;
            case MappingKeys::Outcome::kTooManyCollisions:
              return too_many_collisions(frame);
          }
        }
      }
    }
    return std::nullopt;
  }

  const std::size_t node_budget_;
  std::size_t nodes_ = 0;
  std::vector<Frame> open_;                  // the collections being read, outermost first
  std::vector<std::uint32_t> child_counts_;  // of the document being built, from the counting pass
  std::size_t next_count_ = 0;
  std::unordered_map<std::string, Anchor> anchors_;
  Node root_;
  Mark document_start_;
  int document_index_ = 0;
  std::vector<Document> documents_;
};

// A libyaml parser over a text, and the event it last produced.
class Parser {
 public:
  explicit Parser(const std::string& text) {
    initialised_ = yaml_parser_initialize(&parser_) != 0;
    if (initialised_) {
      yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                   text.size());
    }
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  ~Parser() {
    yaml_event_delete(&event_);
    if (initialised_) yaml_parser_delete(&parser_);
  }

  // The next event, or libyaml's error: "problem (context)" where libyaml saw it.
  Result<const yaml_event_t*, YamlError> next() {
    if (!initialised_) {  // libyaml fails to start only when it cannot allocate
      return YamlError{0, 0, "cannot initialise the YAML parser: out of memory", true};
    }
    yaml_event_delete(&event_);
    if (yaml_parser_parse(&parser_, &event_) == 0) {
      if (parser_.error == YAML_MEMORY_ERROR) {
        return refused_at(last_mark_, "out of memory while parsing");
      }
      std::string problem = parser_.problem != nullptr ? parser_.problem : "invalid YAML";
      if (parser_.context != nullptr) problem += fmt::format(" ({})", parser_.context);
      return error_at(parser_.problem_mark, std::move(problem));
    }
    last_mark_ = event_.start_mark;
    return &event_;
  }

  const yaml_mark_t& last_mark() const { return last_mark_; }

 private:
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  yaml_mark_t last_mark_{};
  bool initialised_ = false;
};

// The first pass over each document: how many children each collection has (a key and a value
// count as two), in the order the collections start, so that the builder reserves each
// collection's storage once at its exact size. Building into storage that grows, or collecting
// children and moving them into storage of the right size at the end, would take twice a large
// collection's memory at its peak.
//
// This pass also meets the document's syntax errors first, as libyaml's document loader did; it
// bounds the depth it reads, since libyaml's cost per token grows with the depth; and it refuses
// a file whose written nodes alone (aliases not expanded) pass the budget, before the builder
// makes any of them. It makes no nodes: its memory is 4 bytes a collection, of one document.
class ChildCounter {
 public:
  ChildCounter(const std::string& text, std::size_t node_budget)
      : parser_(text), node_budget_(node_budget) {}

  // Counts the next document: true when there was one, false at the end of the stream.
  Result<bool, YamlError> count_document() {
    counts_.clear();
    for (;;) {
      Result<const yaml_event_t*, YamlError> next = parser_.next();
      if (!next.is_ok()) return next.error();
      const yaml_event_t& event = **next;
      switch (event.type) {
        case YAML_STREAM_END_EVENT:
          return false;
        case YAML_DOCUMENT_END_EVENT:
          return true;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
          if (Failure failure = child(event)) return *failure;
          break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
          if (Failure failure = child(event)) return *failure;
          open_.push_back(counts_.size());
          counts_.push_back(0);
          break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
          open_.pop_back();
          break;
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
        case YAML_NO_EVENT:
          break;
      }
    }
  }

  std::vector<std::uint32_t> take_counts() { return std::move(counts_); }

 private:
  Failure child(const yaml_event_t& event) {
    if (open_.size() > kMaxDepth) {
      return error_at(event.start_mark, fmt::format("nesting deeper than {} levels", kMaxDepth));
    }
    if (++nodes_ > node_budget_) return over_budget(node_budget_, event.start_mark);
    if (!open_.empty()) ++counts_[open_.back()];
    return std::nullopt;
  }

  Parser parser_;
  const std::size_t node_budget_;
  std::size_t nodes_ = 0;  // written in the documents counted so far
  std::vector<std::uint32_t> counts_;
  std::vector<std::size_t> open_;  // positions in counts_ of the open collections
};

}  // namespace

std::size_t node_budget(std::size_t text_bytes) {
  return kBaseNodeBudget + text_bytes / kBytesPerBudgetedNode;
}

YamlDocuments read_yaml_stream(const std::string& text) {
  // Two parsers over the text: the counter reads each document to its end before the builder
  // builds it.
  const std::size_t budget = node_budget(text.size());
  ChildCounter counter(text, budget);
  Parser parser(text);
  TreeBuilder builder(budget);
  try {
    for (;;) {
      Result<bool, YamlError> document = counter.count_document();
      if (!document.is_ok()) return document.error();
      builder.expect_children(counter.take_counts());
      for (;;) {
        Result<const yaml_event_t*, YamlError> next = parser.next();
        if (!next.is_ok()) return next.error();
        if (Failure failure = builder.add(**next)) return *failure;
        if ((*next)->type == YAML_DOCUMENT_END_EVENT) break;
        if ((*next)->type == YAML_STREAM_END_EVENT) return builder.take_documents();
      }
      NODROP_CHECK(*document);  // the builder's parser ended a document where the counter did
    }
  } catch (const std::bad_alloc&) {
    // The bounds keep a file's tree within a small multiple of its size; a machine without even
    // that much memory gets an error naming the place, not an abort.
    return refused_at(parser.last_mark(),
                      fmt::format("out of memory with {} nodes made", builder.nodes()));
  }
}

std::string YamlError::describe() const {
  const char* what = refused ? "YAML refused" : "invalid YAML";
  return column > 0 ? fmt::format("{} at column {}: {}", what, column, problem)
                    : fmt::format("{}: {}", what, problem);
}

Status YamlError::status() const {
  return {refused ? StatusCode::kResourceExhausted : StatusCode::kInvalidArgument,
          line > 0 ? fmt::format("{}:{}: {}", line, column, problem) : problem};
}

}  // namespace nodrop::manifest
