// Every kind nodrop reads, as one value type.
#pragma once

#include <string>
#include <variant>

#include "api/config.h"
#include "api/event.h"
#include "api/pod.h"
#include "api/service.h"
#include "api/workload.h"

namespace nodrop::api {

using Object = std::variant<Deployment, ReplicaSet, Pod, Service, EndpointSlice, Node, Event,
                            ConfigMap, Secret, ServiceAccount>;

// "Deployment", "ReplicaSet", ...
const char* kind_of(const Object& object);
// "apps/v1", "v1", "discovery.k8s.io/v1".
const char* api_version_of(const Object& object);
const ObjectMeta& metadata_of(const Object& object);
ObjectMeta& metadata_of(Object& object);
// Whether objects of this kind live in a namespace (Node does not).
bool is_namespaced(const Object& object);
// "Deployment default/web", or "Node node-1", as kubectl names objects in messages.
std::string describe(const Object& object);
// The resource of a kind as the API server names it in messages, "deployments.apps", "pods",
// "endpointslices.discovery.k8s.io"; the kind in lower case for a kind nodrop does not know.
std::string qualified_resource_of_kind(const std::string& kind);

}  // namespace nodrop::api
