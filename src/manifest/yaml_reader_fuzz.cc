// Fuzz target for the YAML reader. Built as a corpus-replay program under g++ (ctest runs it over
// tests/fuzz/yaml_reader/, with tests/fuzz/replay_main.cc), and as a libFuzzer target under clang
// with -DNODROP_LIBFUZZER:
//   ./yaml_reader_fuzz -max_len=65536 -rss_limit_mb=4096 corpus/ tests/fuzz/yaml_reader
//
// The first byte chooses what the rest is fed to: the reader alone, whose every result is checked
// against the bounds it promises (yaml_reader.h) by a walk separate from the code that enforces
// them, or the whole of `nodrop validate` for one file (decoding, defaults, validation).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "base/check.h"
#include "manifest/load.h"
#include "manifest/yaml_reader.h"

namespace nodrop::manifest {
namespace {

struct TreeCount {
  std::size_t nodes = 0;  // keys included, as the budget counts them
  std::size_t deepest = 0;
};

void walk(const Node& node, std::size_t depth, int last_line, TreeCount& count) {
  ++count.nodes;
  count.deepest = std::max(count.deepest, depth);
  NODROP_CHECK(node.mark.line >= 1 && node.mark.line <= last_line);
  NODROP_CHECK(node.mark.column >= 1);
  NODROP_CHECK(node.is_sequence() || node.items().empty());
  NODROP_CHECK(node.is_mapping() || node.entries().empty());
  for (const Node& item : node.items()) walk(item, depth + 1, last_line, count);
  std::unordered_set<std::string_view> keys;
  for (const Node::Entry& entry : node.entries()) {
    ++count.nodes;                                // the key
    NODROP_CHECK(keys.insert(entry.key).second);  // no mapping keeps a duplicate key
    walk(entry.value, depth + 1, last_line, count);
  }
}

void check_reader(const std::string& text) {
  YamlDocuments documents = read_yaml_stream(text);
  if (!documents.is_ok()) {
    // Every error names a place.
    const YamlError& error = documents.error();
    NODROP_CHECK(error.line >= 1 && error.column >= 1);
    NODROP_CHECK(!error.problem.empty());
    return;
  }
  // A line break is \n, \r, or in UTF-8 NEL (C2 85), LS (E2 80 A8) or PS (E2 80 A9): counting
  // the bytes that end one gives at least as many lines as libyaml counts. Text that starts with
  // a UTF-16 byte order mark is decoded first; its lines are fewer than its bytes. libyaml ends a
  // last line without a break with one, and puts an empty node there ("---\n# x": line 3).
  const bool utf16 = text.rfind("\xfe\xff", 0) == 0 || text.rfind("\xff\xfe", 0) == 0;
  const int last_line =
      2 +
      static_cast<int>(utf16 ? text.size() : std::count_if(text.begin(), text.end(), [](char c) {
        return c == '\n' || c == '\r' || c == '\x85' || c == '\xa8' || c == '\xa9';
      }));
  TreeCount count;
  int index = 0;
  for (const Document& document : *documents) {
    NODROP_CHECK(document.index == index++);
    walk(document.root, 0, last_line, count);
  }
  // The copies anchors keep count against the budget too, so a tree may only be smaller.
  NODROP_CHECK(count.nodes <= node_budget(text.size()));
  NODROP_CHECK(count.deepest <= kMaxDepth);
}

void check_load(const std::string& text) {
  const LoadResult result = load_manifest_text(text, "fuzz.yaml", LoadOptions{});
  NODROP_CHECK(result.has_errors() == (result.error_count() > 0));
  if (result.has_errors()) NODROP_CHECK(result.objects.empty());
  for (const Diagnostic& diagnostic : result.diagnostics) {
    NODROP_CHECK(diagnostic.file == "fuzz.yaml");
    NODROP_CHECK(!diagnostic.message.empty());
  }
}

}  // namespace
}  // namespace nodrop::manifest

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    nodrop::manifest::check_reader(text);
  } else {
    nodrop::manifest::check_load(text);
  }
  return 0;
}
