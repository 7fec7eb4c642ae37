#include "cli/go_yaml.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "base/strings.h"
#include "manifest/writer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

// The code points of valid UTF-8 text.
std::vector<char32_t> code_points(std::string_view text) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t width = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    char32_t point = width == 1 ? lead : lead & (0xff >> (width + 1));
    for (std::size_t k = 1; k < width && i + k < text.size(); ++k) {
      point = (point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    }
    out.push_back(point);
    i += width;
  }
  return out;
}

bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
// Go's unicode.IsLetter for ASCII; other characters beyond ASCII count as letters, as most of
// those in keys are (Kubernetes' keys are ASCII).
bool is_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0xc0; }

// What reading the object's JSON back with go-yaml makes of its numbers, and its keys sorted.
Node as_go_yaml_reads_json(const Node& node) {
  if (node.type() == Node::Type::kFloat) {
    const double value = node.float_value();
    // Go's JSON writes an integral float below 1e21 without a fraction or exponent; go-yaml reads
    // that as an int when it fits 64 bits (only int64 here: Node holds no larger integers).
    if (std::isfinite(value) && value == std::trunc(value) && value >= -9223372036854775808.0 &&
        value < 9223372036854775808.0) {
      return Node::integer(static_cast<std::int64_t>(value));
    }
    return node;
  }
  if (node.is_sequence()) {
    Node out = Node::sequence();
    for (const Node& item : node.items()) out.push(as_go_yaml_reads_json(item));
    return out;
  }
  if (node.is_mapping()) {
    std::vector<const Node::Entry*> entries;
    for (const Node::Entry& entry : node.entries()) entries.push_back(&entry);
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto* a, const auto* b) { return go_yaml_key_less(a->key, b->key); });
    Node out = Node::mapping();
    for (const Node::Entry* entry : entries) {
      out.entries().push_back({entry->key, {}, as_go_yaml_reads_json(entry->value)});
    }
    return out;
  }
  return node;
}

}  // namespace

bool go_yaml_key_less(std::string_view a_text, std::string_view b_text) {
  const std::vector<char32_t> a = code_points(valid_utf8(a_text));
  const std::vector<char32_t> b = code_points(valid_utf8(b_text));
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    const bool a_letter = is_letter(a[i]);
    const bool b_letter = is_letter(b[i]);
    if (a_letter && b_letter) return a[i] < b[i];
    if (a_letter || b_letter) return b_letter;
    // Neither is a letter: runs of digits from here compare as numbers. A run that continues
    // digits before it with a non-zero among them counts from 1 on both sides, as go-yaml's does.
    // Unsigned, so that a run too long for 64 bits wraps as Go's int64 does.
    std::uint64_t a_number = 0;
    std::uint64_t b_number = 0;
    if (a[i] == '0' || b[i] == '0') {
      for (std::size_t j = i; j-- > 0 && is_digit(a[j]);) {
        if (a[j] != '0') {
          a_number = 1;
          b_number = 1;
          break;
        }
      }
    }
    std::size_t a_end = i;
    std::size_t b_end = i;
    for (; a_end < a.size() && is_digit(a[a_end]); ++a_end)
      a_number = a_number * 10 + (a[a_end] - '0');
    for (; b_end < b.size() && is_digit(b[b_end]); ++b_end)
      b_number = b_number * 10 + (b[b_end] - '0');
    if (a_number != b_number) {
      return static_cast<std::int64_t>(a_number) < static_cast<std::int64_t>(b_number);
    }
    if (a_end != b_end) return a_end < b_end;
    return a[i] < b[i];
  }
  return a.size() < b.size();
}

std::string go_yaml(const Node& object) {
  return manifest::write_yaml(as_go_yaml_reads_json(object));
}

}  // namespace nodrop::cli
