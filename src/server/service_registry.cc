#include "server/service_registry.h"

#include <fmt/format.h>

#include <set>

#include "base/ipv4.h"

namespace nodrop::server {
namespace {

bool uses_node_ports(const api::Service& service) {
  return service.spec.type == api::kServiceTypeNodePort ||
         (service.spec.type == api::kServiceTypeLoadBalancer &&
          service.spec.allocate_load_balancer_node_ports.value_or(true));
}

bool needs_health_check_node_port(const api::Service& service) {
  return service.spec.type == api::kServiceTypeLoadBalancer &&
         service.spec.external_traffic_policy == api::kTrafficPolicyLocal;
}

// The old Service's port this one continues: the same name, else the same port and protocol.
const api::ServicePort* previous_port(const api::Service* old, const api::ServicePort& port) {
  if (old == nullptr) return nullptr;
  for (const api::ServicePort& candidate : old->spec.ports) {
    if (!port.name.empty() ? candidate.name == port.name
                           : candidate.port == port.port && candidate.protocol == port.protocol) {
      return &candidate;
    }
  }
  return nullptr;
}

}  // namespace

api::FieldErrors ServiceRegistry::prepare(api::Object& object, const api::Object* old_object,
                                          const Stored& stored) {
  auto* service = std::get_if<api::Service>(&object);
  if (service == nullptr) return {};
  const auto* old = old_object == nullptr ? nullptr : &std::get<api::Service>(*old_object);
  api::FieldErrors errors;
  const api::FieldPath spec("spec");
  if (service->spec.type == api::kServiceTypeExternalName) return errors;

  // What the other Services hold.
  std::set<std::int32_t> ports_held;
  std::set<std::uint32_t> addresses_held;
  for (const store::ObjectPtr& other_object : stored("Service")) {
    const api::Service& other = std::get<api::Service>(*other_object);
    if (other.metadata.namespace_name == service->metadata.namespace_name &&
        other.metadata.name == service->metadata.name) {
      continue;
    }
    for (const api::ServicePort& port : other.spec.ports) {
      if (port.node_port != 0) ports_held.insert(port.node_port);
    }
    if (other.spec.health_check_node_port != 0) {
      ports_held.insert(other.spec.health_check_node_port);
    }
    if (Result<Ipv4Address> address = parse_ipv4_address(other.spec.cluster_ip)) {
      addresses_held.insert(address->value);
    }
  }
  const auto allocate_port = [&]() -> std::int32_t {
    for (std::int32_t port = kFirstNodePort; port <= kLastNodePort; ++port) {
      if (!ports_held.contains(port)) {
        ports_held.insert(port);
        return port;
      }
    }
    return 0;
  };
  const auto check_port = [&](const api::FieldPath& path, std::int32_t port) {
    if (port < kFirstNodePort || port > kLastNodePort) {
      errors.push_back(api::invalid(path, port,
                                    fmt::format("provided port is not in the valid range. The "
                                                "range of valid ports is {}-{}",
                                                kFirstNodePort, kLastNodePort)));
    } else if (ports_held.contains(port)) {
      errors.push_back(api::invalid(path, port, "provided port is already allocated"));
    } else {
      ports_held.insert(port);
    }
  };

  // clusterIP: allocated once, then immutable.
  std::string& cluster_ip = service->spec.cluster_ip;
  const api::FieldPath cluster_ip_path = spec.child("clusterIP");
  if (old != nullptr && !old->spec.cluster_ip.empty()) {
    if (cluster_ip.empty()) {
      cluster_ip = old->spec.cluster_ip;
    } else if (cluster_ip != old->spec.cluster_ip) {
      errors.push_back(api::invalid(cluster_ip_path, cluster_ip, "field is immutable"));
    }
  } else if (cluster_ip.empty()) {
    for (std::uint32_t value = cluster_ips_.first; value <= cluster_ips_.last; ++value) {
      if (!addresses_held.contains(value)) {
        cluster_ip = Ipv4Address{value}.to_string();
        break;
      }
    }
    if (cluster_ip.empty()) {
      errors.push_back(api::invalid(cluster_ip_path, "", "range is full"));
    }
  } else if (cluster_ip != "None") {
    const Result<Ipv4Address> address = parse_ipv4_address(cluster_ip);
    if (!address || address->value < cluster_ips_.first || address->value > cluster_ips_.last) {
      errors.push_back(
          api::invalid(cluster_ip_path, cluster_ip,
                       "provided IP is not in the valid range. The range of valid IPs is " +
                           cluster_ips_.to_string()));
    } else if (addresses_held.contains(address->value)) {
      errors.push_back(
          api::invalid(cluster_ip_path, cluster_ip, "provided IP is already allocated"));
    }
  }

  // nodePorts: the given ones checked, the missing ones kept from before or allocated.
  const bool node_ports = uses_node_ports(*service);
  for (std::size_t i = 0; i < service->spec.ports.size(); ++i) {
    api::ServicePort& port = service->spec.ports[i];
    const api::FieldPath path = spec.child("ports").index(i).child("nodePort");
    if (!node_ports) continue;  // validation refuses a nodePort where it has no use
    const api::ServicePort* before = previous_port(old, port);
    if (port.node_port == 0 && before != nullptr && before->node_port != 0) {
      port.node_port = before->node_port;
    }
    if (port.node_port == 0) {
      port.node_port = allocate_port();
      if (port.node_port == 0) errors.push_back(api::invalid(path, 0, "range is full"));
    } else {
      check_port(path, port.node_port);
    }
  }

  // healthCheckNodePort: for LoadBalancer and externalTrafficPolicy: Local only.
  std::int32_t& health = service->spec.health_check_node_port;
  const api::FieldPath health_path = spec.child("healthCheckNodePort");
  if (!needs_health_check_node_port(*service)) {
    health = 0;
  } else {
    if (health == 0 && old != nullptr) health = old->spec.health_check_node_port;
    if (health == 0) {
      health = allocate_port();
      if (health == 0) errors.push_back(api::invalid(health_path, 0, "range is full"));
    } else {
      check_port(health_path, health);
    }
  }
  return errors;
}

}  // namespace nodrop::server
