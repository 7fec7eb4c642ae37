#include "proxy/routing/endpoint_table.h"

#include <algorithm>
#include <unordered_set>

namespace nodrop::proxy {

EndpointTable::EndpointTable(Generation generation, std::vector<RoutedEndpoint> endpoints)
    : generation_(generation), endpoints_(std::move(endpoints)) {
  for (const RoutedEndpoint& routed : endpoints_) {
    switch (routed.state) {
      case EndpointState::kReady:
      case EndpointState::kServingTerminating:
        pickable_.push_back(&routed);
        break;
      case EndpointState::kDraining:
        break;
    }
  }
}

bool EndpointTable::is_pickable(const Ipv4Endpoint& address) const {
  return std::any_of(pickable_.begin(), pickable_.end(), [&](const RoutedEndpoint* routed) {
    return routed->endpoint.address == address;
  });
}

TablePublisher::TablePublisher(TrafficPolicy policy)
    : policy_(std::move(policy)),
      current_(std::make_shared<const EndpointTable>(0, std::vector<RoutedEndpoint>{})) {}

WorkerId TablePublisher::add_worker() {
  std::lock_guard lock(mutex_);
  NODROP_CHECK(acknowledged_.size() < kMaxWorkers);
  acknowledged_.push_back(0);
  return static_cast<WorkerId>(acknowledged_.size() - 1);
}

void TablePublisher::set_listener(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

Result<Generation> TablePublisher::publish(std::span<const Endpoint> endpoints) {
  if (endpoints.size() > kMaxEndpointsPerTable) {
    return Status(StatusCode::kResourceExhausted,
                  "endpoint table of " + std::to_string(endpoints.size()) +
                      " endpoints exceeds the limit of " + std::to_string(kMaxEndpointsPerTable));
  }
  std::unordered_set<Ipv4Endpoint> seen;
  for (const Endpoint& endpoint : endpoints) {
    if (!seen.insert(endpoint.address).second) {
      return invalid_argument("endpoint " + endpoint.address.to_string() + " is listed twice");
    }
  }
  const std::vector<EndpointState> states = categorize_endpoints(endpoints, policy_);
  std::shared_ptr<const EndpointTable> table;
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    std::vector<RoutedEndpoint> routed;
    routed.reserve(endpoints.size());
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      auto& counters = counters_[endpoints[i].address];
      if (!counters) counters = std::make_shared<EndpointCounters>();
      routed.push_back({endpoints[i], states[i], counters});
    }
    // Forget counters nobody holds any more: not listed, and no connection or table refers to them.
    std::erase_if(counters_, [&](const auto& entry) {
      return !seen.contains(entry.first) && entry.second.use_count() == 1;
    });
    table = std::make_shared<const EndpointTable>(current_->generation() + 1, std::move(routed));
    current_ = table;
    listener = listener_;
  }
  if (listener) listener(table);
  return table->generation();
}

std::shared_ptr<const EndpointTable> TablePublisher::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void TablePublisher::set_acknowledgement_listener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  acknowledgement_listener_ = std::move(listener);
}

void TablePublisher::acknowledge(WorkerId worker, Generation generation) {
  std::function<void()> listener;
  {
    std::lock_guard lock(mutex_);
    NODROP_CHECK(worker < acknowledged_.size());
    if (generation <= acknowledged_[worker]) return;
    acknowledged_[worker] = generation;
    listener = acknowledgement_listener_;
  }
  if (listener) listener();
}

bool TablePublisher::acknowledged_by_all(Generation generation) const {
  std::lock_guard lock(mutex_);
  return std::all_of(acknowledged_.begin(), acknowledged_.end(),
                     [&](Generation applied) { return applied >= generation; });
}

std::shared_ptr<EndpointCounters> TablePublisher::counters(const Ipv4Endpoint& address) const {
  std::lock_guard lock(mutex_);
  const auto found = counters_.find(address);
  return found == counters_.end() ? nullptr : found->second;
}

}  // namespace nodrop::proxy
