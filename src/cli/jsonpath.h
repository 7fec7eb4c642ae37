// `kubectl get -o jsonpath=TEMPLATE`: text with {expressions} in it, an expression a path from
// the object (`.spec.replicas`, `.items[0]`, `.items[*].metadata.name`,
// `['app.kubernetes.io/name']`), `{range PATH}...{end}` over a list, and quoted literals
// (`{"\n"}`). As kubectl: several results are joined by a space; strings print bare, other values
// as JSON; a missing field prints nothing.
//
// A path's steps, as kubectl's JSONPath reads them:
//   .name  ['name']  \. in a name     a field of a mapping
//   [2]  [-1]                         an item of a list (outside it: an error, as kubectl says)
//   [1:3]  [-2:]  [::2]               a slice of a list (start:end:stride, each optional)
//   [0,2]  ['a','b']                  a union: each part's results, one part after the other
//   [*]  .*                           every item of a list, or value of a mapping
//   [?(@.type=="Ready")]              a filter: ==, !=, <, >, <=, >= against a quoted string, a
//   [?(@.port>8000)]  [?(@.hostPort)] number, true, false or a path from @; or that a path exists
//   ..name                            recursive descent: name in every collection below, itself
//                                     first (where kubectl visits a mapping's keys in Go's random
//                                     map order, this visits them in the object's order)
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::cli {

// The template applied to root; InvalidArgument for a template that does not parse (kubectl's
// wording where it has one: "unclosed action") or a slice outside its list.
Result<std::string> apply_jsonpath(const std::string& template_text, const manifest::Node& root);

// The values one path (no braces: `.spec.containers[*].image`) leads to from root, in order; none
// for a missing field. What kubectl's custom-columns prints in a cell.
Result<std::vector<const manifest::Node*>> find_jsonpath(const std::string& path,
                                                         const manifest::Node& root);

}  // namespace nodrop::cli
