// Reading a YAML or JSON tree into typed fields, with every error named by its field path and
// line: what decode.cc reads Kubernetes objects with, and what nodrop's own configuration file is
// read with, so both report mistakes the same way.
//
//   FieldContext context;
//   FieldReader reader(context, &root, FieldPath());
//   reader.str("name", out.name);            // a string, or a type error naming the path
//   reader.object("spec", [&](FieldReader& spec) { ... });
//   // leaving scope: every key not taken is an "unknown field" warning, with a suggestion
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/field_error.h"
#include "api/int_or_string.h"
#include "api/meta.h"
#include "base/time.h"
#include "manifest/decode.h"
#include "manifest/node.h"
#include "manifest/writer.h"

namespace nodrop::manifest {

using api::FieldErrorType;
using api::FieldPath;
using api::IntOrString;

struct FieldContext {
  api::FieldErrors errors;
  api::FieldErrors warnings;
  SourceMap lines;
  // What the typed objects being built may take, in bytes of list items: a list of structs costs
  // sizeof(T) per item however short its text ("containers: [{}, {}, ...]" is 4 bytes of YAML per
  // 2 KB container), so without a bound a small file could make gigabytes. The caller sets it from
  // the file's size; it is shared by every object of the file.
  std::size_t* budget_bytes = nullptr;
  bool budget_exceeded = false;
  // Whether `lines` is kept: messages about a file name lines; the API's messages name none, and
  // recording a path string per field was a tenth of the cost of an API write.
  bool record_lines = true;

  // Records the line path (made only when kept) is written on.
  template <typename MakePath>
  void record_line(MakePath&& make_path, int line) {
    if (record_lines) lines.record(make_path().str(), line);
  }

  // Takes bytes from the budget; false (once an error) when it is spent.
  bool spend(const FieldPath& path, std::size_t bytes) {
    if (budget_bytes == nullptr) return true;
    if (*budget_bytes >= bytes && !budget_exceeded) {
      *budget_bytes -= bytes;
      return true;
    }
    if (!budget_exceeded) {
      errors.push_back({FieldErrorType::kTooMany, path.str(), "",
                        "the objects of this file need more memory than nodrop allows for a file "
                        "of its size; split the file, or shorten this list"});
    }
    budget_exceeded = true;
    return false;
  }

  void type_error(const FieldPath& path, const Node& node, const char* expected) {
    errors.push_back({FieldErrorType::kTypeMismatch, path.str(), node.render(),
                      fmt::format("must be {}, not {}", expected, node.type_name())});
  }

  // A string field: the value, or an error. A number or boolean where a string belongs (the YAML
  // 1.1 trap: `version: 1.0`, `value: yes`) gets the quoted form as its fix.
  bool read_string(const FieldPath& path, const Node& node, std::string* out) {
    if (node.type() == Node::Type::kString) {
      *out = node.text();
      return true;
    }
    if (node.is_scalar() && !node.is_null()) {
      errors.push_back({FieldErrorType::kTypeMismatch, path.str(), node.render(),
                        fmt::format("must be a string, not {}; quote it: \"{}\"", node.type_name(),
                                    node.text())});
    } else {
      type_error(path, node, "a string");
    }
    return false;
  }
};

// Reads one mapping. Every key must be taken, declared not supported, or ignored; whatever is
// left when the reader goes out of scope is an unknown field.
class FieldReader {
 public:
  FieldReader(FieldContext& context, const Node* node, FieldPath path)
      : context_(context), node_(node), path_(std::move(path)) {
    if (node_ != nullptr && !node_->is_mapping()) {
      context_.type_error(path_, *node_, "a mapping");
      node_ = nullptr;
    }
    if (node_ != nullptr) used_.resize(node_->entries().size());
  }
  FieldReader(const FieldReader&) = delete;
  FieldReader& operator=(const FieldReader&) = delete;
  ~FieldReader() {
    if (node_ == nullptr) return;
    const std::vector<Node::Entry>& entries = node_->entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Node::Entry& entry = entries[i];
      if (used_[i]) continue;
      context_.record_line([&] { return path_.child(entry.key); }, entry.key_mark.line);
      const std::string suggestion = closest_known(entry.key);
      context_.warnings.push_back(
          {FieldErrorType::kUnknown, path_.child(entry.key).str(), "",
           suggestion.empty() ? "" : "did you mean \"" + suggestion + "\"?"});
    }
  }

  const FieldPath& path() const { return path_; }
  FieldPath path(const char* key) const { return path_.child(key); }
  FieldContext& context() { return context_; }

  // The value of key, marked as read; nullptr when absent or null. Keys here and in every reading
  // method are literals (the reader keeps the pointers, for suggestions).
  const Node* take(const char* key) {
    known_.push_back(key);
    if (node_ == nullptr) return nullptr;
    const std::vector<Node::Entry>& entries = node_->entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Node::Entry& entry = entries[i];
      if (entry.key != key) continue;
      used_[i] = true;
      context_.record_line([&] { return path_.child(key); }, entry.key_mark.line);
      return entry.value.is_null() ? nullptr : &entry.value;
    }
    return nullptr;
  }
  // The field's node without reading it (nullptr if absent): for a check on a field that is then
  // kept as given (preserve()).
  const Node* peek(const char* key) const { return node_ == nullptr ? nullptr : node_->find(key); }

  bool has(const char* key) {
    known_.push_back(key);
    return node_ != nullptr && node_->find(key) != nullptr;
  }

  void str(const char* key, std::string& out) {
    if (const Node* node = take(key)) {
      context_.read_string(path(key), *node, &out);
    }
  }
  void optional_str(const char* key, std::optional<std::string>& out) {
    if (has(key) && take(key) != nullptr) {
      std::string value;
      str(key, value);
      out = value;
    } else {
      take(key);
    }
  }

  template <typename Int>
  bool integer(const char* key, Int& out) {
    const Node* node = take(key);
    if (node == nullptr) return false;
    if (node->type() == Node::Type::kFloat &&
        node->float_value() ==
            static_cast<double>(static_cast<std::int64_t>(node->float_value()))) {
      // JSON writers emit 3.0 for 3; Kubernetes accepts integral floats.
      return store_integer(key, *node, static_cast<std::int64_t>(node->float_value()), out);
    }
    if (node->type() != Node::Type::kInt) {
      context_.type_error(path(key), *node, "an integer");
      return false;
    }
    return store_integer(key, *node, node->int_value(), out);
  }
  template <typename Int>
  void optional_integer(const char* key, std::optional<Int>& out) {
    Int value{};
    if (integer(key, value)) out = value;
  }

  void boolean(const char* key, bool& out) {
    if (const Node* node = take(key)) {
      if (node->type() != Node::Type::kBool) {
        context_.type_error(path(key), *node, "a boolean (true or false)");
        return;
      }
      out = node->bool_value();
    }
  }
  void optional_boolean(const char* key, std::optional<bool>& out) {
    if (has(key) && node_->find(key)->type() == Node::Type::kBool) {
      bool value = false;
      boolean(key, value);
      out = value;
    } else {
      bool ignored = false;
      boolean(key, ignored);
    }
  }

  void int_or_string(const char* key, std::optional<IntOrString>& out) {
    const Node* node = take(key);
    if (node == nullptr) return;
    if (node->type() == Node::Type::kInt) {
      std::int32_t value = 0;
      if (store_integer(key, *node, node->int_value(), value)) out = IntOrString::from_int(value);
    } else if (node->type() == Node::Type::kString) {
      out = IntOrString::from_string(node->text());
    } else {
      context_.type_error(path(key), *node, "an integer or a string");
    }
  }
  void int_or_string(const char* key, IntOrString& out) {
    std::optional<IntOrString> value;
    int_or_string(key, value);
    if (value.has_value()) out = *value;
  }

  void strings(const char* key, std::vector<std::string>& out) {
    const Node* node = take(key);
    if (node == nullptr) return;
    if (!node->is_sequence()) {
      context_.type_error(path(key), *node, "a list of strings");
      return;
    }
    for (std::size_t i = 0; i < node->items().size(); ++i) {
      const Node& item = node->items()[i];
      context_.record_line([&] { return path(key).index(i); }, item.mark.line);
      std::string value;
      if (context_.read_string(path(key).index(i), item, &value)) out.push_back(std::move(value));
    }
  }

  void string_map(const char* key, api::Labels& out) {
    const Node* node = take(key);
    if (node == nullptr) return;
    if (!node->is_mapping()) {
      context_.type_error(path(key), *node, "a mapping of strings");
      return;
    }
    for (const Node::Entry& entry : node->entries()) {
      const FieldPath item = path(key).child(entry.key);
      context_.record_line([&] { return item; }, entry.key_mark.line);
      if (entry.value.is_null()) {
        out[entry.key] = "";
        continue;
      }
      std::string value;
      if (context_.read_string(item, entry.value, &value)) out[entry.key] = std::move(value);
    }
  }

  void time(const char* key, std::optional<WallTime>& out) {
    const Node* node = take(key);
    if (node == nullptr) return;
    WallTime parsed;
    if (node->type() != Node::Type::kString || !parse_rfc3339(node->text(), &parsed)) {
      context_.type_error(path(key), *node, "an RFC 3339 time such as 2024-01-01T00:00:00Z");
      return;
    }
    out = parsed;
  }

  // Calls decode(FieldReader&) on the mapping at key, if present.
  template <typename Decode>
  bool object(const char* key, Decode&& decode) {
    const Node* node = take(key);
    if (node == nullptr) return false;
    FieldReader child(context_, node, path(key));
    decode(child);
    return true;
  }
  template <typename T, typename Decode>
  void optional_object(const char* key, std::optional<T>& out, Decode&& decode) {
    T value{};
    if (object(key, [&](FieldReader& child) { decode(child, value); })) out = std::move(value);
  }

  // Calls decode(FieldReader&, T&) for each mapping in the list at key.
  template <typename T, typename Decode>
  void list(const char* key, std::vector<T>& out, Decode&& decode) {
    const Node* node = take(key);
    if (node == nullptr) return;
    if (!node->is_sequence()) {
      context_.type_error(path(key), *node, "a list");
      return;
    }
    for (std::size_t i = 0; i < node->items().size(); ++i) {
      const Node& item = node->items()[i];
      context_.record_line([&] { return path(key).index(i); }, item.mark.line);
      if (!context_.spend(path(key).index(i), sizeof(T))) return;
      FieldReader child(context_, &item, path(key).index(i));
      T value{};
      decode(child, value);
      out.push_back(std::move(value));
    }
  }

  // Kubernetes fields nodrop reads past: each one present is a warning naming its path.
  void not_supported(std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
      if (!has(key)) continue;
      take(key);
      context_.warnings.push_back({FieldErrorType::kNotSupported, path(key).str(), "", ""});
    }
  }
  // Kubernetes fields nodrop stores without acting on: each one present is kept in `into` (its
  // value as compact JSON, served back as given) and, unless empty, is a warning naming its path.
  void preserve(api::PreservedFields& into, std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
      const Node* node = take(key);
      if (node == nullptr || dropped_.count(key) > 0) continue;
      into.fields.emplace_back(key, write_compact_json(sorted_keys(*node)));
      const bool empty = (node->is_mapping() && node->entries().empty()) ||
                         (node->is_sequence() && node->items().empty());
      if (!empty) {
        context_.warnings.push_back({FieldErrorType::kNotSupported, path(key).str(), "", ""});
      }
    }
  }
  // Fields whose empty value Kubernetes cannot tell from their absence (a struct held by value in
  // its Go types, such as a container's resources, which the API server serves as `{}` and clients
  // such as kubectl's rollout undo send back so): taken and dropped when an empty mapping, so that
  // they neither change what is stored nor a pod template's hash.
  void drop_if_empty(std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
      if (!has(key)) continue;
      const Node* node = node_->find(key);
      if (node->is_mapping() && node->entries().empty()) {
        take(key);
        dropped_.insert(key);
      }
    }
  }
  // node with the keys of every mapping in it sorted: JSON's objects are unordered, and Kubernetes
  // serves a field in its own order (its Go struct's), which clients such as kubectl's rollout
  // undo send back; a kept field's text, and so a pod template's hash, must not depend on it.
  static Node sorted_keys(const Node& node) {
    if (node.is_sequence()) {
      Node out = node;
      for (Node& item : out.items()) item = sorted_keys(item);
      return out;
    }
    if (!node.is_mapping()) return node;
    Node out = node;
    std::vector<Node::Entry>& entries = out.entries();
    for (Node::Entry& entry : entries) entry.value = sorted_keys(entry.value);
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Node::Entry& a, const Node::Entry& b) { return a.key < b.key; });
    return out;
  }
  // Fields accepted and dropped without a word (server-managed bookkeeping).
  void ignore(std::initializer_list<const char*> keys) {
    for (const char* key : keys) take(key);
  }

 private:
  // The known field closest to a misspelt one (edit distance at most 2), or "".
  std::string closest_known(const std::string& key) const {
    std::string best;
    std::size_t best_distance = 3;
    for (const char* candidate : known_) {
      const std::size_t distance = edit_distance(key, candidate);
      if (distance < best_distance) {
        best_distance = distance;
        best = candidate;
      }
    }
    return best;
  }

  static std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                          std::tolower(static_cast<unsigned char>(b[j - 1]));
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  }

  template <typename Int>
  bool store_integer(const char* key, const Node& node, std::int64_t value, Int& out) {
    if (value < std::numeric_limits<Int>::min() || value > std::numeric_limits<Int>::max()) {
      context_.errors.push_back(
          {FieldErrorType::kTypeMismatch, path(key).str(), node.render(),
           sizeof(Int) == 4 ? "must fit in a 32-bit integer" : "out of range"});
      return false;
    }
    out = static_cast<Int>(value);
    return true;
  }

  FieldContext& context_;
  const Node* node_;
  FieldPath path_;
  std::vector<bool> used_;          // by entry of the mapping
  std::set<std::string> dropped_;   // by drop_if_empty
  std::vector<const char*> known_;  // every field this reader asked for, present or not
};

}  // namespace nodrop::manifest
