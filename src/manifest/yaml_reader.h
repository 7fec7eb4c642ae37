// YAML (and JSON, which is YAML) text into Node trees, one per document of a multi-document
// stream. The only place libyaml is used.
//
// Bounds: at most kMaxDepth levels of nesting and kMaxNodes nodes per document after aliases are
// expanded (a "billion laughs" file is an error, not an out-of-memory).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::manifest {

inline constexpr std::size_t kMaxDepth = 128;
inline constexpr std::size_t kMaxNodes = 500'000;  // per document

struct Document {
  Node root;
  int index = 0;  // 0-based position in the stream
  Mark start;     // where the document starts
};

// Parses every document of text. On a syntax error the Status message reads
// "LINE:COLUMN: problem (context)", with 1-based line and column.
Result<std::vector<Document>> read_yaml_stream(const std::string& text);

}  // namespace nodrop::manifest
