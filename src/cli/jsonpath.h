// `kubectl get -o jsonpath=TEMPLATE`, the part scripts use: text with {expressions} in it, an
// expression a path from the object (`.spec.replicas`, `.items[0]`, `.items[*].metadata.name`,
// `['app.kubernetes.io/name']`, `.conditions[?(@.type=="Ready")].status`), `{range PATH}...{end}`
// over a list, and quoted literals (`{"\n"}`). As kubectl: several results are joined by a space;
// strings print bare, other values as JSON; a missing field prints nothing.
//
// Filters compare a path with a literal (`[?(@.type=="Ready")]`, `!=`) or test that it exists
// (`[?(@.hostPort)]`); slices, unions and recursive descent are refused with a message that names
// them, not guessed at.
#pragma once

#include <string>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::cli {

// The template applied to root; InvalidArgument for a template that does not parse (kubectl's
// wording where it has one: "unclosed action").
Result<std::string> apply_jsonpath(const std::string& template_text, const manifest::Node& root);

}  // namespace nodrop::cli
