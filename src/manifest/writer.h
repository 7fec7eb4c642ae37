// Node trees back into text: YAML as go-yaml v2 writes it (so as kubectl does, given keys in its
// order: cli/go_yaml.h), or JSON indented as `kubectl -o json`.
#pragma once

#include <string>
#include <vector>

#include "manifest/node.h"

namespace nodrop::manifest {

// One YAML document (no leading "---"), keys in the node's order, in go-yaml v2's block style:
// strings plain, quoted or as literal blocks by its rules, lines folded after column 80
// (yaml_writer.cc has the table). Bytes that are not UTF-8 are written as U+FFFD.
std::string write_yaml(const Node& node);
// Several documents separated by "---".
std::string write_yaml_stream(const std::vector<Node>& documents);
std::string write_json(const Node& node);
// JSON on one line without spaces or a final newline, as an API server sends it.
std::string write_compact_json(const Node& node);

}  // namespace nodrop::manifest
