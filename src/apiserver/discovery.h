// Discovery and schema, as kubectl asks for them: /version, /api, /api/v1, /apis, /apis/G/V, and
// /openapi/v3 with one document per group version. The documents describe every operation with
// x-kubernetes-group-version-kind and the fieldValidation parameter (so kubectl validates on the
// server instead of falling back to /openapi/v2) and carry no component schemas: kubectl then
// builds strategic merge patches from its built-in types, whose patch metadata the server's
// strategic merge (patch.h) follows too. Partial schemas would be worse than none.
#pragma once

#include <optional>
#include <string>

#include "manifest/node.h"

namespace nodrop::apiserver {

// The Kubernetes version nodrop's API answers as (kubectl warns beyond one minor version of
// skew; 1.32 sits inside the window of 1.31 to 1.33, and kubectl 1.27 to 1.33 all work with it).
inline constexpr const char* kServedMajor = "1";
inline constexpr const char* kServedMinor = "32";
inline constexpr const char* kServedGitVersion = "v1.32.0-nodrop";

manifest::Node version_document();
manifest::Node core_versions(const std::string& server_address);  // /api
manifest::Node group_list();                                      // /apis
// /api/v1 or /apis/G/V; nullopt for a group version nodrop does not serve.
std::optional<manifest::Node> resource_list(const std::string& group, const std::string& version);

// /openapi/v3: the path of every group version's document, with its hash.
manifest::Node openapi_root();
// /openapi/v3/api/v1, /openapi/v3/apis/apps/v1; nullopt for an unknown path.
std::optional<manifest::Node> openapi_document(const std::string& path);

}  // namespace nodrop::apiserver
