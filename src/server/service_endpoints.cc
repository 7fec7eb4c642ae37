#include "server/service_endpoints.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace nodrop::server {
namespace {

constexpr int kMinDrainSeconds = 10;  // the range Alibaba Cloud's load balancer accepts
constexpr int kMaxDrainSeconds = 900;

const std::string* annotation(const api::Service& service, const char* key) {
  const auto found = service.metadata.annotations.find(key);
  return found == service.metadata.annotations.end() ? nullptr : &found->second;
}

}  // namespace

std::vector<proxy::Endpoint> service_port_endpoints(
    const std::string& port_name, std::span<const api::EndpointSlice* const> slices) {
  std::vector<proxy::Endpoint> endpoints;
  std::set<Ipv4Endpoint> seen;
  for (const api::EndpointSlice* slice : slices) {
    if (slice->address_type != "IPv4") continue;
    std::optional<std::int32_t> port;
    for (const api::EndpointPort& candidate : slice->ports) {
      if (candidate.name.value_or("") == port_name && candidate.port) port = candidate.port;
    }
    if (!port || *port < 1 || *port > 65535) continue;
    for (const api::Endpoint& endpoint : slice->endpoints) {
      if (endpoint.addresses.empty()) continue;
      const Result<Ipv4Address> address = parse_ipv4_address(endpoint.addresses.front());
      if (!address.is_ok()) continue;
      const Ipv4Endpoint at{*address, static_cast<std::uint16_t>(*port)};
      if (!seen.insert(at).second) continue;
      endpoints.push_back(
          proxy::Endpoint{.address = at,
                          .node_name = endpoint.node_name,
                          .ready = endpoint.conditions.ready.value_or(true),
                          .serving = endpoint.conditions.serving.value_or(true),
                          .terminating = endpoint.conditions.terminating.value_or(false)});
    }
  }
  std::sort(
      endpoints.begin(), endpoints.end(),
      [](const proxy::Endpoint& a, const proxy::Endpoint& b) { return a.address < b.address; });
  return endpoints;
}

bool is_local_external_policy(const api::Service& service) {
  return service.spec.external_traffic_policy == api::kTrafficPolicyLocal;
}

proxy::TrafficPolicy external_traffic_policy(const api::Service& service,
                                             const std::string& node_name) {
  if (is_local_external_policy(service)) {
    return proxy::TrafficPolicy{.uses_cluster = false, .uses_local = true, .node_name = node_name};
  }
  return proxy::TrafficPolicy{.uses_cluster = true, .uses_local = false, .node_name = node_name};
}

std::optional<Ipv4Address> served_cluster_ip(const api::Service& service) {
  if (service.spec.type == api::kServiceTypeExternalName) return std::nullopt;
  Result<Ipv4Address> address = parse_ipv4_address(service.spec.cluster_ip);
  if (!address) return std::nullopt;
  return *address;
}

bool is_load_balancer(const api::Service& service) {
  return service.spec.type == api::kServiceTypeLoadBalancer;
}

bool is_http_port(const api::ServicePort& port) {
  return port.app_protocol == "http" || port.name == "http" || port.name.starts_with("http-");
}

bool has_node_ports(const api::Service& service) {
  if (service.spec.type == api::kServiceTypeNodePort) return true;
  return is_load_balancer(service) && service.spec.allocate_load_balancer_node_ports.value_or(true);
}

bool is_eni_backend(const api::Service& service) {
  const std::string* type = annotation(service, api::kBackendTypeAnnotation);
  return type != nullptr && *type == "eni";
}

ConnectionDraining connection_draining(const api::Service& service) {
  ConnectionDraining draining;
  const std::string* on = annotation(service, kConnectionDrainAnnotation);
  if (on == nullptr || *on == "off") return draining;
  if (*on != "on") {
    draining.error = std::string(kConnectionDrainAnnotation) +
                     ": must be \"on\" or \"off\", not \"" + *on + "\"";
    return draining;
  }
  const std::string* timeout = annotation(service, kConnectionDrainTimeoutAnnotation);
  if (timeout == nullptr) {
    draining.error = std::string(kConnectionDrainTimeoutAnnotation) +
                     ": required when connection draining is on";
    return draining;
  }
  int seconds = 0;
  const auto [end, error] =
      std::from_chars(timeout->data(), timeout->data() + timeout->size(), seconds);
  if (error != std::errc() || end != timeout->data() + timeout->size() ||
      seconds < kMinDrainSeconds || seconds > kMaxDrainSeconds) {
    draining.error = std::string(kConnectionDrainTimeoutAnnotation) + ": \"" + *timeout +
                     "\" is not a whole number of seconds from 10 to 900";
    return draining;
  }
  draining.timeout_seconds = seconds;
  return draining;
}

}  // namespace nodrop::server
