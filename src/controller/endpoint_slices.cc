#include "controller/endpoint_slices.h"

#include <algorithm>
#include <map>
#include <optional>

namespace nodrop::controller {
namespace {

bool pod_ready(const api::Pod& pod) {
  const api::Condition* ready = api::find_condition(pod.status.conditions, api::kPodReady);
  return ready != nullptr && ready->status == api::ConditionStatus::kTrue;
}

// FindPort: a number as it is; a name, the first port of that name and protocol among the app
// containers, then among the sidecars (init containers with restartPolicy Always), as Kubernetes
// 1.29+ looks it up.
std::optional<std::int32_t> resolve_target_port(const api::ServicePort& port, const api::Pod& pod) {
  const api::IntOrString target = port.target_port.value_or(api::IntOrString::from_int(port.port));
  if (!target.is_string()) return target.int_value();
  const std::string protocol = port.protocol.empty() ? "TCP" : port.protocol;
  const auto declared = [&](const api::Container& container) -> std::optional<std::int32_t> {
    for (const api::ContainerPort& container_port : container.ports) {
      if (container_port.name == target.string_value() && container_port.protocol == protocol) {
        return container_port.container_port;
      }
    }
    return std::nullopt;
  };
  for (const api::Container& container : pod.spec.containers) {
    if (const auto number = declared(container)) return number;
  }
  for (const api::Container& container : pod.spec.init_containers) {
    if (!api::is_sidecar(container)) continue;
    if (const auto number = declared(container)) return number;
  }
  return std::nullopt;
}

// The ports a pod serves the Service on; a port whose name the pod does not declare is left out
// for that pod, as Kubernetes' getEndpointPorts does.
std::vector<api::EndpointPort> endpoint_ports(const api::Service& service, const api::Pod& pod) {
  std::vector<api::EndpointPort> ports;
  for (const api::ServicePort& port : service.spec.ports) {
    const std::optional<std::int32_t> number = resolve_target_port(port, pod);
    if (!number) continue;
    api::EndpointPort out;
    out.name = port.name;
    out.protocol = port.protocol.empty() ? "TCP" : port.protocol;
    out.port = *number;
    if (!port.app_protocol.empty()) out.app_protocol = port.app_protocol;
    ports.push_back(out);
  }
  return ports;
}

// A key for a port mapping: the same ports, whatever their order, give the same key.
std::string ports_key(std::vector<api::EndpointPort> ports) {
  std::sort(ports.begin(), ports.end(), [](const api::EndpointPort& a, const api::EndpointPort& b) {
    return a.name.value_or("") < b.name.value_or("");
  });
  std::string key;
  for (const api::EndpointPort& port : ports) {
    key += port.name.value_or("") + "/" + port.protocol.value_or("") + "/" +
           std::to_string(port.port.value_or(0)) + "/" + port.app_protocol.value_or("") + ";";
  }
  return key;
}

api::EndpointSlice new_slice(const api::Service& service) {
  api::EndpointSlice slice;
  slice.metadata.generate_name = service.metadata.name + "-";
  slice.metadata.namespace_name = service.metadata.namespace_name;
  slice.metadata.labels = {{api::kServiceNameLabel, service.metadata.name},
                           {kManagedByLabel, kEndpointSliceController}};
  api::OwnerReference owner;
  owner.api_version = "v1";
  owner.kind = "Service";
  owner.name = service.metadata.name;
  owner.uid = service.metadata.uid;
  owner.controller = true;
  owner.block_owner_deletion = true;
  slice.metadata.owner_references = {owner};
  slice.address_type = "IPv4";
  return slice;
}

}  // namespace

bool should_pod_be_in_endpoints(const api::Pod& pod, bool include_terminating) {
  if (pod.status.phase == api::PodPhase::kSucceeded || pod.status.phase == api::PodPhase::kFailed) {
    return false;
  }
  if (pod.status.pod_ip.empty()) return false;
  if (!include_terminating && pod.metadata.deletion_timestamp) return false;
  return true;
}

api::Endpoint pod_to_endpoint(const api::Pod& pod, const api::Service& service) {
  api::Endpoint endpoint;
  endpoint.addresses = {pod.status.pod_ip};
  const bool serving = pod_ready(pod);
  const bool terminating = pod.metadata.deletion_timestamp.has_value();
  endpoint.conditions.ready = service.spec.publish_not_ready_addresses || (serving && !terminating);
  endpoint.conditions.serving = serving;
  endpoint.conditions.terminating = terminating;
  endpoint.node_name = pod.spec.node_name;
  api::ObjectReference target;
  target.kind = "Pod";
  target.namespace_name = pod.metadata.namespace_name;
  target.name = pod.metadata.name;
  target.uid = pod.metadata.uid;
  endpoint.target_ref = target;
  return endpoint;
}

EndpointSlicePlan plan_endpoint_slices(const api::Service& service, std::span<const api::Pod> pods,
                                       std::span<const std::string> node_names,
                                       std::span<const api::EndpointSlice> existing) {
  EndpointSlicePlan plan;
  if (service.spec.selector.empty())
    return plan;  // slices of a selector-less Service are the user's

  // Desired endpoints, grouped by port mapping, in a stable order (by address).
  struct Group {
    std::vector<api::EndpointPort> ports;
    std::vector<api::Endpoint> endpoints;
  };
  std::map<std::string, Group> desired;
  for (const api::Pod& pod : pods) {
    if (pod.metadata.namespace_name != service.metadata.namespace_name) continue;
    api::LabelSelector selector;
    selector.match_labels = service.spec.selector;
    if (!selector.matches(pod.metadata.labels)) continue;
    if (!should_pod_be_in_endpoints(pod, true)) continue;
    const bool node_known =
        std::find(node_names.begin(), node_names.end(), pod.spec.node_name) != node_names.end();
    if (!node_known && !service.spec.publish_not_ready_addresses) continue;
    std::vector<api::EndpointPort> ports = endpoint_ports(service, pod);
    Group& group = desired[ports_key(ports)];
    group.ports = std::move(ports);
    group.endpoints.push_back(pod_to_endpoint(pod, service));
  }
  // A Service without endpoints keeps one empty slice, as Kubernetes' placeholder: a reader
  // tells "no endpoints" from "not yet synced".
  if (desired.empty()) desired[ports_key({})] = Group{};
  for (auto& [key, group] : desired) {
    std::sort(group.endpoints.begin(), group.endpoints.end(),
              [](const api::Endpoint& a, const api::Endpoint& b) {
                return a.addresses.front() < b.addresses.front();
              });
  }

  // Existing slices, by port mapping, oldest name first.
  std::map<std::string, std::vector<const api::EndpointSlice*>> have;
  for (const api::EndpointSlice& slice : existing) have[ports_key(slice.ports)].push_back(&slice);
  for (auto& [key, slices] : have) {
    std::sort(slices.begin(), slices.end(),
              [](const auto* a, const auto* b) { return a->metadata.name < b->metadata.name; });
  }

  for (const auto& [key, group] : desired) {
    const std::vector<const api::EndpointSlice*> reuse =
        have.contains(key) ? have[key] : std::vector<const api::EndpointSlice*>{};
    // One slice per kMaxEndpointsPerSlice endpoints, and one (empty) for none.
    const std::size_t chunks = std::max<std::size_t>(
        1, (group.endpoints.size() + kMaxEndpointsPerSlice - 1) / kMaxEndpointsPerSlice);
    for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
      const std::size_t start = chunk * kMaxEndpointsPerSlice;
      const std::size_t end = std::min(start + kMaxEndpointsPerSlice, group.endpoints.size());
      std::vector<api::Endpoint> endpoints(group.endpoints.begin() + static_cast<long>(start),
                                           group.endpoints.begin() + static_cast<long>(end));
      if (chunk < reuse.size()) {
        const api::EndpointSlice& current = *reuse[chunk];
        if (current.endpoints != endpoints || current.ports != group.ports) {
          api::EndpointSlice updated = current;
          updated.endpoints = std::move(endpoints);
          updated.ports = group.ports;
          plan.to_update.push_back(std::move(updated));
        }
      } else {
        api::EndpointSlice created = new_slice(service);
        created.endpoints = std::move(endpoints);
        created.ports = group.ports;
        plan.to_create.push_back(std::move(created));
      }
    }
    for (std::size_t extra = chunks; extra < reuse.size(); ++extra) {
      plan.to_delete.push_back(reuse[extra]->metadata.name);
    }
  }
  for (const auto& [key, slices] : have) {
    if (desired.contains(key)) continue;
    for (const api::EndpointSlice* slice : slices) plan.to_delete.push_back(slice->metadata.name);
  }
  return plan;
}

}  // namespace nodrop::controller
