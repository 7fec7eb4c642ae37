// How the Service path reads Services and EndpointSlices (kube-proxy's servicechangetracker.go and
// endpointslicecache.go, the cloud controller's backend lists): pure functions from API objects
// to the data plane's small types, shared by the node proxies and the front load balancers.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "api/service.h"
#include "base/ipv4.h"
#include "proxy/routing/categorize.h"
#include "proxy/routing/endpoint.h"

namespace nodrop::server {

// Annotations of the Alibaba Cloud load balancer that the seed's manifests use: connection
// draining on backend removal ("on"), and its timeout in seconds.
inline constexpr const char* kConnectionDrainAnnotation =
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain";
inline constexpr const char* kConnectionDrainTimeoutAnnotation =
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout";

// The endpoints of one Service port: every endpoint of every slice whose ports list a port of
// that name (the Service port's name; "" for an unnamed port), at the port number that slice
// gives (targetPort resolved per pod). A slice without a matching port contributes nothing; an
// address listed twice (two slices during an update) counts once, the first listing. Conditions
// are read as kube-proxy reads them: a missing ready or serving is true, a missing terminating
// false. Sorted by address, so equal inputs give equal tables.
std::vector<proxy::Endpoint> service_port_endpoints(
    const std::string& port_name, std::span<const api::EndpointSlice* const> slices);

// The endpoints a node proxy routes external traffic of `service` to: for Local, the policy that
// uses only `node_name`'s endpoints (with the KEP-1669 fallback to serving-terminating ones);
// else every endpoint in the cluster.
proxy::TrafficPolicy external_traffic_policy(const api::Service& service,
                                             const std::string& node_name);
bool is_local_external_policy(const api::Service& service);

// Whether a node proxy opens nodePorts for the Service (NodePort or LoadBalancer, with
// allocateLoadBalancerNodePorts not false for the latter).
bool has_node_ports(const api::Service& service);
// A port that carries HTTP: appProtocol http, or named http or http-*, as Istio reads ports.
bool is_http_port(const api::ServicePort& port);
bool is_load_balancer(const api::Service& service);
// The clusterIP a Service is reached at: nullopt for a headless one (clusterIP None), one without
// an address (ExternalName) or one whose address is not IPv4 (v1helper.IsServiceIPSet).
std::optional<Ipv4Address> served_cluster_ip(const api::Service& service);
// The seed's ENI mode: service.beta.kubernetes.io/backend-type "eni".
bool is_eni_backend(const api::Service& service);

// Connection draining on backend removal: nullopt when off (a removed backend's connections are
// cut at once), else how long they may go on. InvalidArgument-style message in `error` when the
// annotations are malformed (draining then stays off).
struct ConnectionDraining {
  std::optional<int> timeout_seconds;
  std::string error;
};
ConnectionDraining connection_draining(const api::Service& service);

}  // namespace nodrop::server
