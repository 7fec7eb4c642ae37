#include "server/drain_gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>

#include "proxy/routing/categorize.h"

namespace nodrop::server {

struct DataPlaneDrainGate::Signal {
  std::atomic<bool> check_posted{false};
  bool alive = true;  // read and written on the loop only
};

struct DataPlaneDrainGate::Tracked {
  proxy::ProxyOptions options;
  DataPlaneListener* inner = nullptr;
  // Per backend, the last generation whose table could pick it. The backend may be sent new work
  // until every worker has applied the generation after it; the entry goes once that is so.
  std::map<Ipv4Endpoint, proxy::Generation> last_pickable;
  // Backends whose counters may still show work: those of the latest table, and those that left
  // it while the data plane still kept their counters.
  std::set<Ipv4Endpoint> known;

  // A backend last pickable in `generation` may still get new work until every worker applied the
  // generation after it.
  bool may_still_pick(proxy::Generation generation) const {
    return !inner->applied(generation + 1);
  }

  bool routes(const Ipv4Endpoint& backend) const {
    const auto found = last_pickable.find(backend);
    return found != last_pickable.end() && may_still_pick(found->second);
  }

  // The backends at `address` that this listener may still send new work to.
  std::vector<Ipv4Endpoint> routing(Ipv4Address address) const {
    std::vector<Ipv4Endpoint> backends;
    for (auto it = last_pickable.lower_bound(Ipv4Endpoint{address, 0});
         it != last_pickable.end() && it->first.address == address; ++it) {
      if (may_still_pick(it->second)) backends.push_back(it->first);
    }
    return backends;
  }

  void published(proxy::Generation generation, std::span<const proxy::Endpoint> endpoints) {
    std::erase_if(last_pickable, [&](const auto& entry) { return !may_still_pick(entry.second); });
    std::erase_if(known, [&](const Ipv4Endpoint& backend) {
      const std::shared_ptr<proxy::EndpointCounters> counters = inner->counters(backend);
      return counters == nullptr ||
             (counters->in_flight_requests.load(std::memory_order_relaxed) == 0 &&
              counters->open_connections.load(std::memory_order_relaxed) == 0);
    });
    const std::vector<proxy::EndpointState> states =
        proxy::categorize_endpoints(endpoints, options.traffic);
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      known.insert(endpoints[i].address);
      if (states[i] != proxy::EndpointState::kDraining) {
        last_pickable[endpoints[i].address] = generation;
      }
    }
  }
};

class DataPlaneDrainGate::TrackingListener final : public DataPlaneListener {
 public:
  TrackingListener(DataPlaneDrainGate& gate, std::unique_ptr<DataPlaneListener> inner,
                   const proxy::ProxyOptions& options)
      : gate_(gate), inner_(std::move(inner)) {
    tracked_.options = options;
    tracked_.inner = inner_.get();
    gate_.listeners_.insert(&tracked_);
    // On a worker's thread: the gate outlives the workers (the destructor stops them first).
    inner_->on_applied([gate = &gate_] { gate->schedule_check(); });
  }
  ~TrackingListener() override {
    gate_.listeners_.erase(&tracked_);
    inner_.reset();          // stops the workers before anything they call back is gone
    gate_.schedule_check();  // what it routed routes no more
  }

  Result<proxy::Generation> set_endpoints(std::span<const proxy::Endpoint> endpoints) override {
    Result<proxy::Generation> generation = inner_->set_endpoints(endpoints);
    if (generation.is_ok()) {
      tracked_.published(*generation, endpoints);
      gate_.schedule_check();
    }
    return generation;
  }
  bool applied(proxy::Generation generation) const override { return inner_->applied(generation); }
  std::shared_ptr<proxy::EndpointCounters> counters(const Ipv4Endpoint& address) const override {
    return inner_->counters(address);
  }
  void on_applied(std::function<void()> /*callback*/) override {
    // The gate holds the one callback a listener has; nothing else asks for it.
  }

 private:
  DataPlaneDrainGate& gate_;
  std::unique_ptr<DataPlaneListener> inner_;
  Tracked tracked_;
};

class DataPlaneDrainGate::TrackingDataPlane final : public DataPlane {
 public:
  explicit TrackingDataPlane(DataPlaneDrainGate& gate) : gate_(gate) {}

  Result<std::unique_ptr<DataPlaneListener>> listen(const proxy::ProxyOptions& options) override {
    Result<std::unique_ptr<DataPlaneListener>> inner = gate_.ports_.data_plane.listen(options);
    if (!inner.is_ok()) return inner.status();
    return std::unique_ptr<DataPlaneListener>(
        std::make_unique<TrackingListener>(gate_, std::move(inner.value()), options));
  }
  Result<std::unique_ptr<HealthCheckResponder>> serve_health_check(
      const Ipv4Endpoint& address, HealthCheckTarget target) override {
    return gate_.ports_.data_plane.serve_health_check(address, std::move(target));
  }
  runtime::Prober& health_prober() override { return gate_.ports_.data_plane.health_prober(); }

 private:
  DataPlaneDrainGate& gate_;
};

DataPlaneDrainGate::DataPlaneDrainGate(DrainGatePorts ports)
    : ports_(std::move(ports)),
      tracking_(std::make_unique<TrackingDataPlane>(*this)),
      signal_(std::make_shared<Signal>()) {}

DataPlaneDrainGate::~DataPlaneDrainGate() {
  signal_->alive = false;
  for (auto& [id, waiting] : waiting_) {
    if (waiting.deadline_timer) ports_.loop.cancel(*waiting.deadline_timer);
  }
  if (poll_timer_) ports_.loop.cancel(*poll_timer_);
}

DataPlane& DataPlaneDrainGate::data_plane() { return *tracking_; }

void DataPlaneDrainGate::wait_for_drain(const api::Pod& pod, runtime::Time deadline,
                                        std::function<void()> proceed) {
  Result<Ipv4Address> address = parse_ipv4_address(pod.status.pod_ip);
  if (open_ || !address.is_ok()) {
    // Open, or never given an address (so never in a table): nothing to wait for.
    ports_.loop.post(std::move(proceed));
    return;
  }
  const std::uint64_t id = next_id_++;
  Waiting& waiting = waiting_[id];
  waiting.pod = pod;
  waiting.address = *address;
  waiting.proceed = std::move(proceed);
  const runtime::Duration left =
      std::max(runtime::Duration::zero(), deadline - ports_.loop.clock().now());
  waiting.deadline_timer = ports_.loop.run_after(left, [this, id] {
    const auto found = waiting_.find(id);
    if (found == waiting_.end()) return;
    found->second.deadline_timer.reset();
    const std::string outstanding = found->second.removed ? still_open(found->second.address)
                                                          : still_routing(found->second.address);
    record(found->second, api::EventType::kWarning, "DrainTimeout",
           fmt::format("the grace period ended before the pod was {}: {}",
                       found->second.removed ? "drained" : "out of rotation", outstanding));
    finish(id);
  });
  schedule_check();
}

void DataPlaneDrainGate::open() {
  open_ = true;
  std::vector<std::uint64_t> held;
  for (const auto& [id, waiting] : waiting_) held.push_back(id);
  for (const std::uint64_t id : held) finish(id);
}

std::string DataPlaneDrainGate::still_routing(Ipv4Address address) const {
  std::vector<std::string> hops;
  for (const Tracked* tracked : listeners_) {
    const std::vector<Ipv4Endpoint> backends = tracked->routing(address);
    if (backends.empty()) continue;
    // A Local node proxy's last pod: it may keep it while no one sends to the node proxy.
    if (tracked->options.traffic.uses_local && !tracked->options.traffic.uses_cluster) {
      const bool sent_to =
          std::any_of(listeners_.begin(), listeners_.end(), [&](const Tracked* other) {
            return other != tracked && other->routes(tracked->options.listen);
          });
      if (!sent_to) continue;
    }
    hops.push_back(tracked->options.listen.to_string());
  }
  if (hops.empty()) return "";
  return fmt::format("still routed to by {}", fmt::join(hops, ", "));
}

std::string DataPlaneDrainGate::still_open(Ipv4Address address) const {
  std::int64_t requests = 0;
  std::int64_t connections = 0;
  for (const Tracked* tracked : listeners_) {
    for (auto it = tracked->known.lower_bound(Ipv4Endpoint{address, 0});
         it != tracked->known.end() && it->address == address; ++it) {
      const std::shared_ptr<proxy::EndpointCounters> counters = tracked->inner->counters(*it);
      if (counters == nullptr) continue;
      if (tracked->options.mode == proxy::ProxyMode::kHttp) {
        requests += counters->in_flight_requests.load(std::memory_order_relaxed);
      } else {
        connections += counters->open_connections.load(std::memory_order_relaxed);
      }
    }
  }
  if (requests == 0 && connections == 0) return "";
  return fmt::format("{} request(s) in flight, {} connection(s) open", requests, connections);
}

void DataPlaneDrainGate::schedule_check() {
  if (signal_->check_posted.exchange(true)) return;
  ports_.post([signal = signal_, this] {
    signal->check_posted = false;
    if (signal->alive) check();
  });
}

void DataPlaneDrainGate::schedule_poll() {
  if (poll_timer_) return;
  poll_timer_ = ports_.loop.run_after(kCounterPollInterval, [this] {
    poll_timer_.reset();
    check();
  });
}

void DataPlaneDrainGate::check() {
  bool draining = false;
  std::vector<std::uint64_t> done;
  for (auto& [id, waiting] : waiting_) {
    if (!waiting.removed) {
      if (!still_routing(waiting.address).empty()) continue;
      waiting.removed = true;
      record(waiting, api::EventType::kNormal, "RemovedFromRotation",
             fmt::format("every data plane ({} listeners) has stopped sending new work to {}",
                         listeners_.size(), waiting.address.to_string()));
    }
    if (!still_open(waiting.address).empty()) {
      draining = true;
      continue;
    }
    record(waiting, api::EventType::kNormal, "Drained",
           fmt::format("no request or connection to {} is open", waiting.address.to_string()));
    done.push_back(id);
  }
  for (const std::uint64_t id : done) finish(id);
  if (draining) schedule_poll();
}

void DataPlaneDrainGate::finish(std::uint64_t id) {
  const auto found = waiting_.find(id);
  if (found == waiting_.end()) return;
  if (found->second.deadline_timer) ports_.loop.cancel(*found->second.deadline_timer);
  ports_.loop.post(std::move(found->second.proceed));
  waiting_.erase(found);
}

void DataPlaneDrainGate::record(const Waiting& waiting, api::EventType type,
                                const std::string& reason, const std::string& message) {
  ports_.events.record(store::EventSourceName{"kubelet", waiting.pod.spec.node_name},
                       api::Object(waiting.pod), type, reason, message);
}

}  // namespace nodrop::server
