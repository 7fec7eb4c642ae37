// The data plane in virtual time (server/data_plane.h): no sockets, no threads. Each listener
// keeps the options it was started with and every table it was given, with the virtual time of
// each; health-check responders answer the prober this data plane hands out, at once (on the next
// loop turn), as a live responder on loopback answers within a millisecond. Tests and benchmarks
// read when each hop applied each change from here.
//
// A listener's tables count as applied the moment they are set: the live data plane's workers
// acknowledge within microseconds, far below what virtual-time tests resolve.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "runtime/event_loop.h"
#include "server/data_plane.h"

namespace nodrop::server {

class RecordedDataPlane final : public DataPlane {
 public:
  struct Table {
    runtime::Time at{};
    proxy::Generation generation = 0;
    std::vector<proxy::Endpoint> endpoints;
    std::vector<proxy::EndpointState> states;  // categorized by the listener's traffic policy
  };
  // What one listening address went through; kept after the listener is closed.
  struct Record {
    proxy::ProxyOptions options;
    runtime::Time opened{};
    std::optional<runtime::Time> closed;
    std::vector<Table> tables;
    // What the listener's counters show for an endpoint (set by a test, standing in for traffic).
    std::map<Ipv4Endpoint, std::shared_ptr<proxy::EndpointCounters>> counters;
    // The pickable endpoints of the last table.
    std::vector<Ipv4Endpoint> pickable() const;
  };

  explicit RecordedDataPlane(runtime::EventLoop& loop);
  ~RecordedDataPlane() override;

  Result<std::unique_ptr<DataPlaneListener>> listen(const proxy::ProxyOptions& options) override;
  Result<std::unique_ptr<HealthCheckResponder>> serve_health_check(
      const Ipv4Endpoint& address, HealthCheckTarget target) override;
  runtime::Prober& health_prober() override;

  // Every listener ever opened on address, oldest first; empty if none.
  std::vector<const Record*> records(const Ipv4Endpoint& address) const;
  // The listener open on address now; nullptr if none.
  const Record* open(const Ipv4Endpoint& address) const;
  // Addresses listened on now.
  std::vector<Ipv4Endpoint> listening() const;
  // What a health check of address answers now; nullopt when nothing serves there.
  std::optional<HealthCheckAnswer> health_check(const Ipv4Endpoint& address) const;
  // The counters the listener open on `listen` shows for `endpoint` (created at zero); a test
  // sets requests in flight or connections open through it. The listener must be open.
  proxy::EndpointCounters& counters(const Ipv4Endpoint& listen, const Ipv4Endpoint& endpoint);
  // Makes listen() on address fail with IoError, as a port another program holds.
  void hold_port(const Ipv4Endpoint& address) { held_.insert(address); }
  void release_port(const Ipv4Endpoint& address) { held_.erase(address); }

 private:
  class Listener;
  class Responder;
  class Prober;

  runtime::EventLoop& loop_;
  std::vector<std::unique_ptr<Record>> records_;
  std::map<Ipv4Endpoint, Record*> open_;
  std::map<Ipv4Endpoint, HealthCheckTarget> responders_;
  std::set<Ipv4Endpoint> held_;
  std::unique_ptr<Prober> prober_;
};

}  // namespace nodrop::server
