// The EndpointSlice controller as a planner (staging/src/k8s.io/endpointslice: reconciler.go,
// utils.go; reference/k8s-semantics.md §3): which pods of a Service are endpoints, with which
// conditions and ports, and the slices that should hold them.
//
//   pod in the slices   selected by the Service, has a podIP, not Succeeded or Failed, on a known
//                       node (unless publishNotReadyAddresses); terminating pods stay, marked
//   serving             the pod's Ready condition is True
//   terminating         the pod has a deletionTimestamp
//   ready               publishNotReadyAddresses, or serving and not terminating
//
// A Service port's targetPort that names a port is resolved per pod (its containers' ports), so
// pods may map a port differently; endpoints with the same resolved ports share slices, at most
// kMaxEndpointsPerSlice each. Planning keeps the names of existing slices where it can: the i-th
// slice of a port mapping is updated in place, missing ones are created, extra ones deleted.
// (Kubernetes' reconciler also avoids moving endpoints between slices; nodrop's slices are small
// and rewritten in place, which readers see as the same endpoints.)
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "api/pod.h"
#include "api/service.h"

namespace nodrop::controller {

inline constexpr std::size_t kMaxEndpointsPerSlice = 100;  // --max-endpoints-per-slice
inline constexpr const char* kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr const char* kEndpointSliceController = "endpointslice-controller.k8s.io";

// util/controller_utils.go ShouldPodBeInEndpoints.
bool should_pod_be_in_endpoints(const api::Pod& pod, bool include_terminating);

// utils.go podToEndpoint.
api::Endpoint pod_to_endpoint(const api::Pod& pod, const api::Service& service);

struct EndpointSlicePlan {
  std::vector<api::EndpointSlice> to_create;  // metadata.generateName "<service>-"
  std::vector<api::EndpointSlice> to_update;  // the existing slice with new endpoints/ports
  std::vector<std::string> to_delete;         // names
};

// existing: the slices the controller manages for this Service (label kubernetes.io/service-name
// and managed-by). pods: the Service's namespace. node_names: the nodes that exist.
EndpointSlicePlan plan_endpoint_slices(const api::Service& service, std::span<const api::Pod> pods,
                                       std::span<const std::string> node_names,
                                       std::span<const api::EndpointSlice> existing);

}  // namespace nodrop::controller
