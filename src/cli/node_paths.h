// Reading fields of JSON trees the API answers with (manifest::Node), where any field may be
// missing or of another type: a path of mapping keys leads to a node or to null, never to a crash.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "manifest/node.h"

namespace nodrop::cli {

// The node at the path of keys below node ({"metadata", "name"}), or null when a key is missing
// or a node on the way is not a mapping.
const manifest::Node* node_at(const manifest::Node& node, std::initializer_list<const char*> path);

// The string at the path, or "" when there is none (or it is not a string).
std::string text_at(const manifest::Node& node, std::initializer_list<const char*> path);

// The scalar at the path as Go's %v prints it: strings bare, numbers as written, booleans
// true/false; "" when there is none.
std::string scalar_at(const manifest::Node& node, std::initializer_list<const char*> path);

// The integer at the path, or 0 when there is none (or it is not an integer).
std::int64_t integer_at(const manifest::Node& node, std::initializer_list<const char*> path);

}  // namespace nodrop::cli
