// Endpoint tables published as immutable snapshots with a generation number, and the record of
// which generation each data-plane worker has applied.
//
// The drain gate (DESIGN.md §4) works on this record: after publishing generation G, in which a
// pod is no longer pickable, it waits until acknowledged_by_all(G) and then for the pod's
// in_flight_requests (L7) or open_connections (L4) to reach zero.
//
// Threading: TablePublisher is safe to use from any thread. An EndpointTable never changes once
// published; workers hold it through shared_ptr, so an old table lives until its last reader
// lets go of it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "proxy/routing/categorize.h"
#include "proxy/routing/endpoint.h"

namespace nodrop::proxy {

using Generation = std::uint64_t;
using WorkerId = std::uint32_t;

inline constexpr std::size_t kMaxEndpointsPerTable = 4096;
inline constexpr std::size_t kMaxWorkers = 256;

struct RoutedEndpoint {
  Endpoint endpoint;
  EndpointState state = EndpointState::kDraining;
  std::shared_ptr<EndpointCounters> counters;  // shared by every generation that lists it
};

class EndpointTable {
 public:
  EndpointTable(Generation generation, std::vector<RoutedEndpoint> endpoints);

  Generation generation() const { return generation_; }
  // Every endpoint listed in this generation, pickable or not.
  std::span<const RoutedEndpoint> endpoints() const { return endpoints_; }
  // The pickable ones (kReady or kServingTerminating), in listing order.
  std::span<const RoutedEndpoint* const> pickable() const { return pickable_; }
  // Whether new work may go to address in this generation.
  bool is_pickable(const Ipv4Endpoint& address) const;

 private:
  Generation generation_;
  std::vector<RoutedEndpoint> endpoints_;
  std::vector<const RoutedEndpoint*> pickable_;
};

class TablePublisher {
 public:
  using Listener = std::function<void(std::shared_ptr<const EndpointTable>)>;

  explicit TablePublisher(TrafficPolicy policy);

  // Registers a data-plane worker, which has applied no generation yet. CHECKs the kMaxWorkers
  // bound: the number of workers is configuration, not input.
  WorkerId add_worker();
  // Called after each publish (outside the lock, on the publishing thread) with the new table;
  // the transport posts it to its workers from here. One listener; set before publishing.
  void set_listener(Listener listener);

  // Publishes a new generation built from endpoints. ResourceExhausted above
  // kMaxEndpointsPerTable; InvalidArgument if an address is listed twice.
  Result<Generation> publish(std::span<const Endpoint> endpoints);
  std::shared_ptr<const EndpointTable> current() const;

  // Called on the acknowledging worker's thread (outside the lock) after every acknowledgement:
  // the drain gate hears of them without polling. One; it may be set at any time.
  void set_acknowledgement_listener(std::function<void()> listener);

  // Worker `worker` now routes with generation `generation` (generations only move forward).
  void acknowledge(WorkerId worker, Generation generation);
  // True when every registered worker has applied `generation` or a later one.
  bool acknowledged_by_all(Generation generation) const;
  // Counters of an endpoint listed now or still in use by a worker; nullptr if neither.
  std::shared_ptr<EndpointCounters> counters(const Ipv4Endpoint& address) const;

 private:
  const TrafficPolicy policy_;
  mutable std::mutex mutex_;
  std::shared_ptr<const EndpointTable> current_;
  std::vector<Generation> acknowledged_;  // index: WorkerId
  // Counters outlive a table while any connection still holds them (use_count > 1).
  std::unordered_map<Ipv4Endpoint, std::shared_ptr<EndpointCounters>> counters_;
  Listener listener_;
  std::function<void()> acknowledgement_listener_;
};

}  // namespace nodrop::proxy
