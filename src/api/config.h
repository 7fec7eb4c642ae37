// ConfigMaps, Secrets and ServiceAccounts: objects an application's manifests carry beside its
// Deployment and Service. nodrop stores and serves them, so that `kubectl apply -f` on a real
// application's directory succeeds; it acts on none of them.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "api/meta.h"

namespace nodrop::api {

struct ConfigMap {
  ObjectMeta metadata;
  std::map<std::string, std::string> data;
  std::map<std::string, std::string> binary_data;  // base64, as Kubernetes serves it
  std::optional<bool> immutable;
  bool operator==(const ConfigMap&) const = default;
};

struct Secret {
  ObjectMeta metadata;
  std::string type;  // defaulted to Opaque
  // base64, as Kubernetes serves it; a manifest's stringData is folded in, encoded, as the API
  // server does on every write.
  std::map<std::string, std::string> data;
  std::optional<bool> immutable;
  bool operator==(const Secret&) const = default;
};

struct ServiceAccount {
  ObjectMeta metadata;
  PreservedFields preserved;  // secrets, imagePullSecrets, automountServiceAccountToken
  bool operator==(const ServiceAccount&) const = default;
};

}  // namespace nodrop::api
