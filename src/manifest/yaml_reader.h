// YAML (and JSON, which is YAML) text into Node trees, one per document of a multi-document
// stream. The only place libyaml is used.
//
// Every file is hostile until read: each bound below is checked as the event that would cross it
// arrives, before libyaml reads deeper or the node is made. Two libyaml parsers read the text: the
// first counts each document's nodes and each collection's children, so that the second builds
// each collection once, in storage of its exact size. What a file costs is then linear in its
// size:
//   - time: libyaml reads each byte a bounded number of times once nesting is bounded (it looks
//     ahead at most 1,024 characters for a key, and rescans its open levels per token, which made
//     2 MB of "[" take a minute when depth was checked after parsing); a duplicate key is found
//     with one hash lookup (key_index.h); an alias costs the nodes it copies, which the budget
//     counts before copying;
//   - memory: the nodes made, 64 bytes each (node.h) and 40 more for a key, plus the text of
//     scalars longer than 15 characters: a file of 4-byte nodes ("- x") makes a tree about 16
//     times its size, real manifests (about 9 bytes a node) about 7 times (bench/manifest.sh).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::manifest {

// Levels of nesting, the root being level 0, aliases expanded. Kubernetes objects nest about 15
// levels and a CRD's schema about 40; 128 leaves room for both and keeps the recursion of every
// reader of a tree (decoding, writing, copying, destroying) a few hundred frames at most.
inline constexpr std::size_t kMaxDepth = 128;

// The nodes one file may make, counting keys, the copies aliases make, the copy an anchor keeps
// and two for an anchor's own entry: kBaseNodeBudget plus one per kBytesPerBudgetedNode bytes of
// its text. A scalar counts as
// one more node per kTextBytesPerNode bytes of its text, so that aliases to one long string
// cannot copy far more text than the file holds (10,000 aliases to a 64 KB string would be 640 MB).
//   - Real manifests hold one node per 8 to 15 bytes (the examples: 9.9; JSON on one line: 6),
//     and YAML's densest forms ("[1,1,...", "- 1") one per 2 to 4: one per 4 lets every real file
//     through and keeps a tree under about 20 times its file (64 to 104 bytes a node).
//   - The base lets a small file expand anchors as far as the previous bound of 500,000 nodes a
//     document did (about 40 MB, a fraction of a second); a "billion laughs" file stops there.
inline constexpr std::size_t kBaseNodeBudget = 500'000;
inline constexpr std::size_t kBytesPerBudgetedNode = 4;
inline constexpr std::size_t kTextBytesPerNode = 64;  // a node's own size: text costs as much
std::size_t node_budget(std::size_t text_bytes);

struct Document {
  Node root;
  int index = 0;  // 0-based position in the stream
  Mark start;     // where the document starts
};

// What stopped read_yaml_stream, at a 1-based line and column of the text (0 and 0 only when
// libyaml could not start): a syntax error ("problem (context)" from libyaml), a bound crossed or
// memory run out (refused: the text may be valid YAML), a duplicate key or anchor, an alias naming
// no anchor or the node it is inside. A message naming the file reads "FILE:LINE: " +
// describe().
struct YamlError {
  int line = 0;
  int column = 0;
  std::string problem;
  bool refused = false;  // a bound, not a mistake in the text

  // "invalid YAML at column 3: mapping values are not allowed in this context", or "YAML refused
  // at column 1: more than ... nodes ..." when refused.
  std::string describe() const;
  // As a Status, for callers that pass errors on as such: ResourceExhausted when refused,
  // InvalidArgument otherwise; the message "LINE:COLUMN: problem".
  Status status() const;
};

using YamlDocuments = Result<std::vector<Document>, YamlError>;

// Parses every document of text.
YamlDocuments read_yaml_stream(const std::string& text);

}  // namespace nodrop::manifest
