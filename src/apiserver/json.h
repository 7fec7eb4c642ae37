// JSON for the API: request bodies parsed into manifest::Node trees (the YAML reader, which reads
// JSON within its bounds), responses written back compact, and small builders for the
// API's own objects (Status, lists, discovery).
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::apiserver {

using manifest::Node;

// A body of one JSON (or YAML) document; an InvalidArgument naming the line and column otherwise.
Result<Node> parse_body(const std::string& body);

Node object_of(std::initializer_list<std::pair<const char*, Node>> entries);
Node strings_of(const std::vector<std::string>& values);
Node strings_of(const std::vector<const char*>& values);
inline Node text(std::string value) { return Node::string(std::move(value)); }

std::string to_json(const Node& node);

}  // namespace nodrop::apiserver
