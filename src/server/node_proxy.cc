#include "server/node_proxy.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "server/service_endpoints.h"

namespace nodrop::server {
namespace {

// What makes a listener: a change here means a new one (a changed table does not).
bool same_listener(const proxy::ProxyOptions& a, const proxy::ProxyOptions& b) {
  return a.listen == b.listen && a.mode == b.mode &&
         a.traffic.uses_cluster == b.traffic.uses_cluster &&
         a.traffic.uses_local == b.traffic.uses_local &&
         a.traffic.node_name == b.traffic.node_name &&
         a.upstream_source.kind == b.upstream_source.kind &&
         a.upstream_source.address == b.upstream_source.address && a.no_endpoint == b.no_endpoint;
}

bool same_endpoints(const std::vector<proxy::Endpoint>& a, const std::vector<proxy::Endpoint>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const proxy::Endpoint& x, const proxy::Endpoint& y) {
                      return x.address == y.address && x.node_name == y.node_name &&
                             x.ready == y.ready && x.serving == y.serving &&
                             x.terminating == y.terminating;
                    });
}

// "127.0.16.2:8080, 127.0.16.3:8080 (terminating: 127.0.16.1:8080)"
std::string describe(std::span<const proxy::Endpoint> endpoints,
                     std::span<const proxy::EndpointState> states) {
  std::string pickable;
  std::string terminating;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    if (states[i] == proxy::EndpointState::kDraining) {
      if (!endpoints[i].terminating) continue;
      if (!terminating.empty()) terminating += ", ";
      terminating += endpoints[i].address.to_string();
    } else {
      if (!pickable.empty()) pickable += ", ";
      pickable += endpoints[i].address.to_string();
    }
  }
  std::string text = pickable.empty() ? "no endpoint" : pickable;
  if (!terminating.empty()) text += " (terminating: " + terminating + ")";
  return text;
}

}  // namespace

NodeProxy::NodeProxy(NodeProxyPorts ports, NodeProxyOptions options)
    : ports_(ports), options_(std::move(options)) {}

NodeProxy::~NodeProxy() {
  *alive_ = false;
  stop();
}

void NodeProxy::start() {
  const auto changed = [this, alive = alive_] {
    if (*alive) schedule_sync();
  };
  const store::InformerHandlers handlers = store::InformerHandlers::any_change(changed);
  ports_.services.add_handlers(handlers);
  ports_.endpoint_slices.add_handlers(handlers);
  schedule_sync();
}

void NodeProxy::stop() {
  stopped_ = true;
  if (sync_timer_) ports_.loop.cancel(*sync_timer_);
  if (retry_timer_) ports_.loop.cancel(*retry_timer_);
  sync_timer_.reset();
  retry_timer_.reset();
  ports_by_key_.clear();
  health_checks_.clear();
}

void NodeProxy::schedule_sync() {
  if (stopped_ || sync_timer_) return;
  runtime::Time due = ports_.loop.clock().now();
  if (last_sync_) due = std::max(due, *last_sync_ + options_.min_sync_period);
  sync_timer_ = ports_.loop.run_at(due, [this, alive = alive_] {
    if (!*alive) return;
    sync_timer_.reset();
    sync();
  });
}

proxy::ProxyOptions NodeProxy::port_options(const api::Service& service,
                                            const api::ServicePort& port) const {
  proxy::ProxyOptions options;
  options.listen = Ipv4Endpoint{options_.node_address, static_cast<std::uint16_t>(port.node_port)};
  options.mode = options_.http_ports_l7 && is_http_port(port) ? proxy::ProxyMode::kHttp
                                                              : proxy::ProxyMode::kTcp;
  options.traffic = external_traffic_policy(service, options_.node_name);
  const bool local = is_local_external_policy(service);
  options.upstream_source =
      local ? proxy::UpstreamSource{.kind = proxy::UpstreamSource::Kind::kClient}
            : proxy::UpstreamSource{.kind = proxy::UpstreamSource::Kind::kAddress,
                                    .address = options_.node_address};
  options.no_endpoint = local && options.mode == proxy::ProxyMode::kTcp
                            ? proxy::NoEndpointAction::kDrop
                            : proxy::NoEndpointAction::kReject;
  options.retry = options_.retry;
  options.hold = options_.hold;
  const auto established =
      std::chrono::duration_cast<std::chrono::milliseconds>(kEstablishedTimeout);
  options.limits.idle_timeout = established;
  options.limits.endpoint_drain_timeout = established;
  return options;
}

proxy::ProxyOptions NodeProxy::cluster_ip_options(Ipv4Address cluster_ip,
                                                  const api::ServicePort& port) const {
  proxy::ProxyOptions options;
  options.listen = Ipv4Endpoint{cluster_ip, static_cast<std::uint16_t>(port.port)};
  options.mode = options_.http_ports_l7 && is_http_port(port) ? proxy::ProxyMode::kHttp
                                                              : proxy::ProxyMode::kTcp;
  options.traffic = proxy::TrafficPolicy{
      .uses_cluster = true, .uses_local = false, .node_name = options_.node_name};
  options.upstream_source = proxy::UpstreamSource{.kind = proxy::UpstreamSource::Kind::kClient};
  options.no_endpoint = proxy::NoEndpointAction::kReject;
  options.retry = options_.retry;
  options.hold = options_.hold;
  const auto established =
      std::chrono::duration_cast<std::chrono::milliseconds>(kEstablishedTimeout);
  options.limits.idle_timeout = established;
  options.limits.endpoint_drain_timeout = established;
  return options;
}

void NodeProxy::sync() {
  if (stopped_) return;
  last_sync_ = ports_.loop.clock().now();
  ++syncs_;

  // The slices of each Service, by namespace and name.
  std::map<std::pair<std::string, std::string>, std::vector<store::ObjectPtr>> slices;
  for (const store::ObjectPtr& object : ports_.endpoint_slices.list()) {
    const auto& slice = std::get<api::EndpointSlice>(*object);
    const auto service = slice.metadata.labels.find(api::kServiceNameLabel);
    if (service == slice.metadata.labels.end()) continue;
    slices[{slice.metadata.namespace_name, service->second}].push_back(object);
  }

  std::set<std::string> wanted_ports;
  std::set<std::string> wanted_checks;
  for (const store::ObjectPtr& object : ports_.services.list()) {
    const auto& service = std::get<api::Service>(*object);
    const std::optional<Ipv4Address> cluster_ip =
        options_.serves_cluster_ips ? served_cluster_ip(service) : std::nullopt;
    if (!has_node_ports(service) && !cluster_ip) continue;
    const std::string service_key = service.metadata.namespace_name + "/" + service.metadata.name;
    std::vector<const api::EndpointSlice*> service_slices;
    for (const store::ObjectPtr& slice :
         slices[{service.metadata.namespace_name, service.metadata.name}]) {
      service_slices.push_back(&std::get<api::EndpointSlice>(*slice));
    }
    if (cluster_ip) {
      for (const api::ServicePort& port : service.spec.ports) {
        if (!port.protocol.empty() && port.protocol != "TCP") continue;
        const std::string key = "clusterIP " + service_key + ":" +
                                (port.name.empty() ? std::to_string(port.port) : port.name);
        wanted_ports.insert(key);
        sync_port(key, service, cluster_ip_options(*cluster_ip, port),
                  service_port_endpoints(port.name, service_slices));
      }
    }
    if (!has_node_ports(service)) continue;
    std::set<Ipv4Address> local_ready;
    for (const api::ServicePort& port : service.spec.ports) {
      if (port.node_port <= 0 || (!port.protocol.empty() && port.protocol != "TCP")) continue;
      std::vector<proxy::Endpoint> endpoints = service_port_endpoints(port.name, service_slices);
      for (const proxy::Endpoint& endpoint : endpoints) {
        if (endpoint.node_name == options_.node_name && endpoint.ready) {
          local_ready.insert(endpoint.address.address);
        }
      }
      const std::string key =
          service_key + ":" + (port.name.empty() ? std::to_string(port.port) : port.name);
      wanted_ports.insert(key);
      sync_port(key, service, port_options(service, port), std::move(endpoints));
    }
    if (is_load_balancer(service) && is_local_external_policy(service) &&
        service.spec.health_check_node_port > 0) {
      wanted_checks.insert(service_key);
      sync_health_check(service, static_cast<int>(local_ready.size()));
    }
  }
  std::erase_if(ports_by_key_,
                [&](const auto& entry) { return wanted_ports.count(entry.first) == 0; });
  std::erase_if(health_checks_,
                [&](const auto& entry) { return wanted_checks.count(entry.first) == 0; });

  // A port or check that could not listen is tried again.
  bool failing = false;
  for (const auto& [key, port] : ports_by_key_) failing = failing || port.listener == nullptr;
  for (const auto& [key, check] : health_checks_) failing = failing || check.responder == nullptr;
  if (failing && !retry_timer_) {
    retry_timer_ = ports_.loop.run_after(kRetryListenPeriod, [this, alive = alive_] {
      if (!*alive) return;
      retry_timer_.reset();
      schedule_sync();
    });
  }
}

void NodeProxy::sync_port(const std::string& key, const api::Service& service,
                          proxy::ProxyOptions options, std::vector<proxy::Endpoint> endpoints) {
  Port& port = ports_by_key_[key];
  const store::EventSourceName source{kComponent, options_.node_name};
  if (port.listener != nullptr && !same_listener(port.options, options)) port.listener.reset();
  const bool opened = port.listener == nullptr;
  if (opened) {
    port.options = options;
    Result<std::unique_ptr<DataPlaneListener>> listener = ports_.data_plane.listen(options);
    if (!listener.is_ok()) {
      const std::string failure = listener.status().message();
      if (failure != port.failure) {
        ports_.events.record(
            source, api::Object(service), api::EventType::kWarning, "FailedToListen",
            fmt::format("{}: cannot listen on {} for port {}: {}; trying again every {}s",
                        options_.node_name, options.listen.to_string(),
                        key.substr(key.find(':') + 1), failure, kRetryListenPeriod.count()));
      }
      port.failure = failure;
      return;
    }
    port.failure.clear();
    port.listener = std::move(listener.value());
  }
  if (!opened && same_endpoints(port.endpoints, endpoints)) return;
  Result<proxy::Generation> published = port.listener->set_endpoints(endpoints);
  if (!published.is_ok()) {
    ports_.events.record(source, api::Object(service), api::EventType::kWarning,
                         "FailedToApplyEndpoints",
                         fmt::format("{}: {}", options_.node_name, published.status().message()));
    return;
  }
  port.endpoints = std::move(endpoints);
  const std::vector<proxy::EndpointState> states =
      proxy::categorize_endpoints(port.endpoints, options.traffic);
  ports_.events.record(source, api::Object(service), api::EventType::kNormal, "EndpointsApplied",
                       fmt::format("{} {} routes to {}", options_.node_name,
                                   options.listen.to_string(), describe(port.endpoints, states)));
}

void NodeProxy::sync_health_check(const api::Service& service, int local_endpoints) {
  const std::string key = service.metadata.namespace_name + "/" + service.metadata.name;
  HealthCheck& check = health_checks_[key];
  check.local_endpoints = local_endpoints;
  const Ipv4Endpoint address{options_.node_address,
                             static_cast<std::uint16_t>(service.spec.health_check_node_port)};
  if (check.responder != nullptr && check.address == address) return;
  check.responder.reset();
  check.address = address;
  Result<std::unique_ptr<HealthCheckResponder>> responder = ports_.data_plane.serve_health_check(
      address,
      HealthCheckTarget{.namespace_name = service.metadata.namespace_name,
                        .name = service.metadata.name,
                        .local_endpoints = [this, key] {
                          const auto found = health_checks_.find(key);
                          return found == health_checks_.end() ? 0 : found->second.local_endpoints;
                        }});
  if (!responder.is_ok()) {
    const std::string failure = responder.status().message();
    if (failure != check.failure) {
      ports_.events.record(
          store::EventSourceName{kComponent, options_.node_name}, api::Object(service),
          api::EventType::kWarning, "FailedToListen",
          fmt::format("{}: cannot serve the health check on {}: {}; trying again every {}s",
                      options_.node_name, address.to_string(), failure,
                      kRetryListenPeriod.count()));
    }
    check.failure = failure;
    return;
  }
  check.failure.clear();
  check.responder = std::move(responder.value());
}

}  // namespace nodrop::server
