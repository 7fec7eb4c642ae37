#include "server/load_balancers.h"

#include <fmt/format.h>

#include <algorithm>

#include "server/service_endpoints.h"

namespace nodrop::server {
namespace {

std::string key_of(const api::ObjectMeta& metadata) {
  return metadata.namespace_name + "/" + metadata.name;
}

std::string port_key(const api::ServicePort& port) {
  return port.name.empty() ? std::to_string(port.port) : port.name;
}

bool is_tcp(const api::ServicePort& port) {
  return port.protocol.empty() || port.protocol == "TCP";
}

std::optional<Ipv4Address> internal_ip(const api::Node& node) {
  for (const api::NodeAddress& address : node.status.addresses) {
    if (address.type != "InternalIP") continue;
    if (Result<Ipv4Address> parsed = parse_ipv4_address(address.address); parsed.is_ok()) {
      return *parsed;
    }
  }
  return std::nullopt;
}

bool is_ready(const api::Node& node) {
  const api::Condition* ready = api::find_condition(node.status.conditions, "Ready");
  return ready != nullptr && ready->status == api::ConditionStatus::kTrue;
}

std::string describe(const std::vector<proxy::Endpoint>& table) {
  if (table.empty()) return "no backend";
  std::string text;
  for (const proxy::Endpoint& endpoint : table) {
    if (!text.empty()) text += ", ";
    text += endpoint.address.to_string();
  }
  return text;
}

}  // namespace

LoadBalancers::LoadBalancers(LoadBalancerPorts ports, LoadBalancerOptions options)
    : ports_(ports), options_(std::move(options)) {}

LoadBalancers::~LoadBalancers() {
  *alive_ = false;
  stop();
}

void LoadBalancers::start() {
  const auto changed = [this, alive = alive_] {
    if (*alive) schedule_sync();
  };
  const store::InformerHandlers handlers = store::InformerHandlers::any_change(changed);
  ports_.services.add_handlers(handlers);
  ports_.nodes.add_handlers(handlers);
  ports_.endpoint_slices.add_handlers(handlers);
  schedule_sync();
}

void LoadBalancers::stop() {
  stopped_ = true;
  if (retry_timer_) ports_.loop.cancel(*retry_timer_);
  retry_timer_.reset();
  for (auto& [key, balancer] : balancers_) {
    if (balancer.health_timer) ports_.loop.cancel(*balancer.health_timer);
    for (auto& [node, check] : balancer.health) {
      if (check.in_flight) ports_.data_plane.health_prober().cancel(*check.in_flight);
    }
  }
  balancers_.clear();
  requested_.clear();
}

std::optional<Ipv4Address> LoadBalancers::address_of(const std::string& service_key) const {
  const auto found = balancers_.find(service_key);
  if (found == balancers_.end()) return std::nullopt;
  return found->second.address;
}

void LoadBalancers::schedule_sync() {
  if (stopped_ || sync_posted_) return;
  sync_posted_ = true;
  ports_.loop.run_after(runtime::Duration::zero(), [this, alive = alive_] {
    if (!*alive) return;
    sync_posted_ = false;
    sync();
  });
}

void LoadBalancers::sync() {
  if (stopped_) return;
  std::set<std::string> present;
  for (const store::ObjectPtr& object : ports_.services.list()) {
    const auto& service = std::get<api::Service>(*object);
    if (!is_load_balancer(service)) continue;
    present.insert(key_of(service.metadata));
    sync_service(service);
  }
  std::vector<std::string> gone;
  for (const auto& [key, balancer] : balancers_) {
    if (present.count(key) == 0) gone.push_back(key);
  }
  for (const std::string& key : gone) remove(key);

  bool failing = false;
  for (const auto& [key, balancer] : balancers_) failing = failing || !balancer.failure.empty();
  if (failing && !retry_timer_) {
    retry_timer_ = ports_.loop.run_after(kRetryPeriod, [this, alive = alive_] {
      if (!*alive) return;
      retry_timer_.reset();
      schedule_sync();
    });
  }
}

std::optional<Ipv4Address> LoadBalancers::allocate_address() {
  for (std::uint32_t value = options_.addresses.first; value <= options_.addresses.last; ++value) {
    const Ipv4Address address{value};
    if (used_addresses_.insert(address).second) return address;
    if (value == options_.addresses.last) break;
  }
  return std::nullopt;
}

void LoadBalancers::remove(const std::string& key) {
  const auto found = balancers_.find(key);
  if (found == balancers_.end()) return;
  Balancer& balancer = found->second;
  if (balancer.health_timer) ports_.loop.cancel(*balancer.health_timer);
  for (auto& [node, check] : balancer.health) {
    if (check.in_flight) ports_.data_plane.health_prober().cancel(*check.in_flight);
  }
  used_addresses_.erase(balancer.address);
  std::erase_if(requested_, [&](const auto& entry) { return entry.first.first == key; });
  balancers_.erase(found);
}

void LoadBalancers::sync_service(const api::Service& service) {
  const std::string key = key_of(service.metadata);
  const store::EventSourceName controller{kControllerComponent, ""};
  if (auto found = balancers_.find(key);
      found != balancers_.end() && found->second.uid != service.metadata.uid) {
    remove(key);  // deleted and made again under the same name
  }
  const bool is_new = balancers_.count(key) == 0;
  Balancer& balancer = balancers_[key];
  if (is_new) {
    balancer.uid = service.metadata.uid;
    ports_.events.record(controller, api::Object(service), api::EventType::kNormal,
                         "EnsuringLoadBalancer", "Ensuring load balancer");
  }
  const auto fail = [&](const std::string& message) {
    if (message != balancer.failure) {
      ports_.events.record(
          controller, api::Object(service), api::EventType::kWarning, "SyncLoadBalancerFailed",
          "Error syncing load balancer: failed to ensure load balancer: " + message);
    }
    balancer.failure = message;
  };

  if (balancer.address.value == 0) {
    std::optional<Ipv4Address> address = allocate_address();
    if (!address) {
      fail(fmt::format("no address left in {}", options_.addresses.to_string()));
      return;
    }
    balancer.address = *address;
  }

  const ConnectionDraining draining = connection_draining(service);
  if (!draining.error.empty()) {
    ports_.events.record(controller, api::Object(service), api::EventType::kWarning,
                         "InvalidAnnotation", draining.error + "; connection draining stays off");
  }

  std::set<std::string> wanted_ports;
  std::string failure;
  for (const api::ServicePort& service_port : service.spec.ports) {
    if (!is_tcp(service_port)) continue;
    const std::string name = port_key(service_port);
    wanted_ports.insert(name);
    Port& port = balancer.ports[name];
    const bool changed = port.service_port != service_port.port ||
                         port.node_port != service_port.node_port ||
                         balancer.drain_seconds != draining.timeout_seconds;
    if (changed) port.listener.reset();
    port.name = name;
    port.service_port = service_port.port;
    port.node_port = service_port.node_port;
    if (port.listener == nullptr) {
      proxy::ProxyOptions options;
      options.listen =
          Ipv4Endpoint{balancer.address, static_cast<std::uint16_t>(service_port.port)};
      options.mode = options_.http_ports_l7 && is_http_port(service_port) ? proxy::ProxyMode::kHttp
                                                                          : proxy::ProxyMode::kTcp;
      options.upstream_source = {.kind = proxy::UpstreamSource::Kind::kClient};
      options.no_endpoint = proxy::NoEndpointAction::kReject;
      options.retry = options_.retry;
      options.hold = options_.hold;
      options.limits.idle_timeout = kIdleTimeout;
      options.limits.endpoint_drain_timeout = options_.keep_removed_connections
                                                  ? std::chrono::milliseconds(kIdleTimeout)
                                                  : std::chrono::milliseconds(std::chrono::seconds(
                                                        draining.timeout_seconds.value_or(0)));
      Result<std::unique_ptr<DataPlaneListener>> listener = ports_.data_plane.listen(options);
      if (!listener.is_ok()) {
        failure = listener.status().message();
        continue;
      }
      port.listener = std::move(listener.value());
      port.table.clear();  // a new listener routes nowhere until given its backends
      apply(key);
    }
    register_backends(key, name, wanted_backends(service, service_port, service_port.node_port));
  }
  balancer.drain_seconds = draining.timeout_seconds;
  std::erase_if(balancer.ports,
                [&](const auto& entry) { return wanted_ports.count(entry.first) == 0; });
  std::erase_if(requested_, [&](const auto& entry) {
    return entry.first.first == key && wanted_ports.count(entry.first.second) == 0;
  });

  // Health checks of every Ready node, for Local Services that go through nodes.
  std::set<std::string> checked;
  if (is_local_external_policy(service) && !is_eni_backend(service) &&
      service.spec.health_check_node_port > 0) {
    for (const store::ObjectPtr& object : ports_.nodes.list()) {
      const auto& node = std::get<api::Node>(*object);
      const std::optional<Ipv4Address> ip = internal_ip(node);
      if (!ip || !is_ready(node)) continue;
      checked.insert(node.metadata.name);
      HealthCheck& check = balancer.health[node.metadata.name];
      check.address =
          Ipv4Endpoint{*ip, static_cast<std::uint16_t>(service.spec.health_check_node_port)};
    }
  }
  for (auto it = balancer.health.begin(); it != balancer.health.end();) {
    if (checked.count(it->first) != 0) {
      ++it;
      continue;
    }
    if (it->second.in_flight) ports_.data_plane.health_prober().cancel(*it->second.in_flight);
    it = balancer.health.erase(it);
  }
  if (!balancer.health.empty() && !balancer.health_timer) check_health(key);
  if (balancer.health.empty() && balancer.health_timer) {
    ports_.loop.cancel(*balancer.health_timer);
    balancer.health_timer.reset();
  }

  if (!failure.empty()) {
    fail(failure);
    return;
  }
  balancer.failure.clear();
  if (!balancer.ensured) {
    balancer.ensured = true;
    ports_.events.record(controller, api::Object(service), api::EventType::kNormal,
                         "EnsuredLoadBalancer", "Ensured load balancer");
  }
  write_status(service, balancer);
}

std::vector<LoadBalancers::Backend> LoadBalancers::wanted_backends(const api::Service& service,
                                                                   const api::ServicePort& port,
                                                                   std::int32_t node_port) const {
  std::vector<Backend> backends;
  if (is_eni_backend(service)) {
    std::vector<const api::EndpointSlice*> slices;
    std::vector<store::ObjectPtr> held;  // keeps the slices alive while `slices` points at them
    for (const store::ObjectPtr& object :
         ports_.endpoint_slices.list(service.metadata.namespace_name)) {
      const auto& slice = std::get<api::EndpointSlice>(*object);
      const auto label = slice.metadata.labels.find(api::kServiceNameLabel);
      if (label == slice.metadata.labels.end() || label->second != service.metadata.name) continue;
      held.push_back(object);
      slices.push_back(&slice);
    }
    for (const proxy::Endpoint& endpoint : service_port_endpoints(port.name, slices)) {
      if (endpoint.ready) backends.push_back(Backend{endpoint.address, endpoint.node_name});
    }
    return backends;
  }
  if (node_port <= 0) return backends;
  for (const store::ObjectPtr& object : ports_.nodes.list()) {
    const auto& node = std::get<api::Node>(*object);
    const std::optional<Ipv4Address> ip = internal_ip(node);
    if (!ip || !is_ready(node)) continue;
    backends.push_back(
        Backend{Ipv4Endpoint{*ip, static_cast<std::uint16_t>(node_port)}, node.metadata.name});
  }
  std::sort(backends.begin(), backends.end(),
            [](const Backend& a, const Backend& b) { return a.address < b.address; });
  return backends;
}

void LoadBalancers::register_backends(const std::string& key, const std::string& port,
                                      std::vector<Backend> backends) {
  const auto requested = requested_.find({key, port});
  if (requested != requested_.end() && requested->second == backends) return;
  requested_[{key, port}] = backends;
  // The cloud API applies the list after its latency; lists requested in a row apply in order.
  ports_.loop.run_after(options_.api_latency,
                        [this, alive = alive_, key, port, uid = balancers_.at(key).uid,
                         backends = std::move(backends)] {
                          if (!*alive || stopped_) return;
                          const auto balancer = balancers_.find(key);
                          if (balancer == balancers_.end() || balancer->second.uid != uid) return;
                          const auto found = balancer->second.ports.find(port);
                          if (found == balancer->second.ports.end()) return;
                          found->second.registered = backends;
                          apply(key);
                        });
}

void LoadBalancers::apply(const std::string& key) {
  const auto found = balancers_.find(key);
  if (found == balancers_.end()) return;
  Balancer& balancer = found->second;
  const store::ObjectPtr service_object = [&] {
    const auto slash = key.find('/');
    return ports_.services.get(key.substr(0, slash), key.substr(slash + 1));
  }();
  for (auto& [name, port] : balancer.ports) {
    if (port.listener == nullptr) continue;
    std::vector<proxy::Endpoint> table;
    for (const Backend& backend : port.registered) {
      if (!balancer.health.empty()) {
        const auto check = balancer.health.find(backend.node_name);
        if (check == balancer.health.end() || !check->second.healthy) continue;
      }
      table.push_back(proxy::Endpoint{.address = backend.address, .node_name = backend.node_name});
    }
    const bool same = std::equal(
        table.begin(), table.end(), port.table.begin(), port.table.end(),
        [](const proxy::Endpoint& a, const proxy::Endpoint& b) { return a.address == b.address; });
    if (same) continue;
    if (Result<proxy::Generation> published = port.listener->set_endpoints(table);
        !published.is_ok()) {
      continue;
    }
    port.table = std::move(table);
    if (service_object != nullptr) {
      ports_.events.record(
          store::EventSourceName{kBalancerComponent, ""}, *service_object, api::EventType::kNormal,
          "BackendsApplied",
          fmt::format("load balancer {}:{} sends to {}", balancer.address.to_string(),
                      port.service_port, describe(port.table)));
    }
  }
}

void LoadBalancers::check_health(const std::string& key) {
  const auto found = balancers_.find(key);
  if (found == balancers_.end()) return;
  Balancer& balancer = found->second;
  balancer.health_timer =
      ports_.loop.run_after(options_.health_check_interval, [this, alive = alive_, key] {
        if (!*alive || stopped_) return;
        check_health(key);
      });
  const runtime::Duration timeout =
      std::min<runtime::Duration>(options_.health_check_interval, std::chrono::seconds(1));
  for (auto& [node, check] : balancer.health) {
    if (check.in_flight) continue;
    runtime::ProbeSpec spec;
    spec.action = runtime::HttpGetAction{.host = check.address.address.to_string(),
                                         .port = check.address.port,
                                         .path = "/healthz",
                                         .headers = {}};
    spec.timeout = timeout;
    check.in_flight = ports_.data_plane.health_prober().probe(
        spec, [this, alive = alive_, key, node = node](const runtime::ProbeOutcome& outcome) {
          if (!*alive || stopped_) return;
          const auto owner = balancers_.find(key);
          if (owner == balancers_.end()) return;
          const auto entry = owner->second.health.find(node);
          if (entry == owner->second.health.end()) return;
          HealthCheck& result = entry->second;
          result.in_flight.reset();
          const bool passed = outcome.result == runtime::ProbeResult::kSuccess ||
                              outcome.result == runtime::ProbeResult::kWarning;
          if (passed) {
            result.failures = 0;
            ++result.successes;
          } else {
            result.successes = 0;
            ++result.failures;
          }
          const bool was = result.healthy;
          if (!result.healthy && result.successes >= options_.healthy_threshold)
            result.healthy = true;
          if (result.healthy && result.failures >= options_.unhealthy_threshold)
            result.healthy = false;
          if (result.healthy != was) apply(key);
        });
  }
}

void LoadBalancers::write_status(const api::Service& service, const Balancer& balancer) {
  const std::string ip = balancer.address.to_string();
  if (service.status.load_balancer_ingress.size() == 1 &&
      service.status.load_balancer_ingress[0].ip == ip) {
    return;
  }
  api::Service updated = service;
  updated.status.load_balancer_ingress = {api::LoadBalancerIngress{.ip = ip, .hostname = ""}};
  if (Result<store::ObjectPtr> written = ports_.store.update_status(api::Object(updated));
      !written.is_ok() && !retry_timer_) {
    // A newer version arrived meanwhile: its update event syncs again. Anything else: retry.
    if (written.status().code() != StatusCode::kConflict) {
      retry_timer_ = ports_.loop.run_after(kRetryPeriod, [this, alive = alive_] {
        if (!*alive) return;
        retry_timer_.reset();
        schedule_sync();
      });
    }
  }
}

}  // namespace nodrop::server
