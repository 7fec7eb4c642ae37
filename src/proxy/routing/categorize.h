// Which endpoints of a Service a proxy may pick: kube-proxy's CategorizeEndpoints
// (pkg/proxy/topology.go) without topology hints, including the KEP-1669 fallback to
// serving-terminating endpoints. reference/k8s-semantics.md §4 is the specification.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "proxy/routing/endpoint.h"

namespace nodrop::proxy {

// Which categories the proxy's traffic uses (service.go: UsesClusterEndpoints/UsesLocalEndpoints).
// A front load balancer uses the cluster category; a node proxy with externalTrafficPolicy=Local
// uses the local one for external traffic.
struct TrafficPolicy {
  bool uses_cluster = true;
  bool uses_local = false;
  std::string node_name;  // "local" means endpoint.node_name == node_name
};

// The result: for each endpoint, its state in this generation. Pickable endpoints are kReady or
// kServingTerminating; everything else is kDraining.
//
//   cluster = ready ones; if none: serving && terminating ones              (KEP-1669)
//   local   = local ready ones; if none: local serving && terminating ones
//   uses cluster only  -> cluster
//   uses local only    -> local
//   uses both          -> cluster, plus local if local came from the fallback
std::vector<EndpointState> categorize_endpoints(std::span<const Endpoint> endpoints,
                                                const TrafficPolicy& policy);

}  // namespace nodrop::proxy
