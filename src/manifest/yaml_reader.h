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

// A syntax error of read_yaml_stream, taken apart for a message that names the file:
// "FILE:LINE: invalid YAML at column COLUMN: PROBLEM". line is 0 when the place is unknown.
struct YamlError {
  int line = 0;
  int column = 0;
  std::string problem;

  // "invalid YAML at column 3: mapping values are not allowed in this context"
  std::string describe() const;
};
YamlError yaml_error_of(const Status& status);

}  // namespace nodrop::manifest
