// Node trees back into text: YAML in kubectl's block style, or JSON indented as `kubectl -o json`.
#pragma once

#include <string>
#include <vector>

#include "manifest/node.h"

namespace nodrop::manifest {

// One YAML document (no leading "---").
std::string write_yaml(const Node& node);
// Several documents separated by "---".
std::string write_yaml_stream(const std::vector<Node>& documents);
std::string write_json(const Node& node);
// JSON on one line without spaces or a final newline, as an API server sends it.
std::string write_compact_json(const Node& node);

}  // namespace nodrop::manifest
