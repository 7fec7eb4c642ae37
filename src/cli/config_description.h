// `kubectl describe configmap` and `kubectl describe secret`, laid out as kubectl's
// ConfigMapDescriber and SecretDescriber write them: a ConfigMap's data in full and its binary
// data's sizes, then its events; a Secret's type and the size of each value, never the value
// (but for a service account token's token, as kubectl). kubectl lists the keys in Go's map order,
// which differs from run to run; nodrop lists them sorted. Pure functions of the objects.
#pragma once

#include <string>

#include "base/time.h"
#include "manifest/node.h"

namespace nodrop::cli {

std::string describe_config_map(const manifest::Node& config_map, const manifest::Node& events,
                                WallTime now);

std::string describe_secret(const manifest::Node& secret);

}  // namespace nodrop::cli
