// The client half of `apply` (kubectl's three-way apply, which nodrop's `apply` performs so that
// the two tools can be used on the same objects):
//   - the last-applied annotation: the object as the file gives it (its namespace filled in, its
//     own last-applied annotation left out, `annotations: {}` kept), as compact JSON with sorted
//     keys and Go's escaping plus a newline, byte for byte what kubectl writes, so an object
//     applied by one tool is `unchanged` when applied by the other;
//   - the patch: everything the file says, plus the deletion of what the previous apply said and
//     the file no longer does (a key set to null, a list item by its merge key with
//     `$patch: delete`, a primitive by `$deleteFromPrimitiveList`); a strategic merge patch;
//   - the verdict: the patch applied to the live object with the API server's own strategic merge
//     (apiserver/patch.h); nothing changes: `unchanged`, and nothing is sent.
// Pure functions over JSON trees.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"
#include "manifest/node.h"

namespace nodrop::cli {

inline constexpr char kLastAppliedAnnotation[] = "kubectl.kubernetes.io/last-applied-configuration";

// The object to send: the file's object with namespace_name set (when not empty and the object
// has none) and the last-applied annotation set to the text described above.
manifest::Node with_last_applied(const manifest::Node& object, const std::string& namespace_name);

// The previous apply's object, from the live object's annotation; nullopt when it has none (or it
// does not parse: kubectl then treats the object as never applied too).
std::optional<manifest::Node> last_applied_of(const manifest::Node& live);

// The strategic merge patch from the previous apply (original; nullopt: none) to modified, for
// an object of kind.
manifest::Node apply_patch(const std::optional<manifest::Node>& original,
                           const manifest::Node& modified, const std::string& kind);

// The patch to send to make live what the file says, or nullopt when applying it would change
// nothing (`unchanged`). Errors: the patch does not apply (a list where a map is, ...).
Result<std::optional<manifest::Node>> patch_to_send(const manifest::Node& live,
                                                    const manifest::Node& modified,
                                                    const std::string& kind);

}  // namespace nodrop::cli
