// JSON as kubectl writes it: Go's encoding/json over map-based objects, so keys sorted; <, >, &,
// U+2028 and U+2029 escaped (\u003c ...); 0x7F, C1 controls, U+FFFE and U+FFFF written raw. Compact
// for the last-applied annotation (apply), indented by four spaces for `get -o json`. Byte for byte
// what kubectl writes, so that the two tools' annotations compare equal and their outputs can be
// diffed.
#pragma once

#include <string>

#include "manifest/node.h"

namespace nodrop::cli {

// json.Marshal: compact, no final newline.
std::string go_json(const manifest::Node& node);
// json.MarshalIndent(node, "", "    ") with a final newline, as `kubectl get -o json` prints.
std::string go_json_indented(const manifest::Node& node);
// fmt.Sprint of the value as Go holds it decoded from JSON (what kubectl's custom-columns print):
// strings bare, numbers as %v writes them (1e+06), null as <nil>, lists as [a b], mappings as
// map[k:v k2:v2] with their keys sorted.
std::string go_sprint(const manifest::Node& node);

}  // namespace nodrop::cli
