// The port through which the Service path's controllers (node proxies, the front load balancers)
// reach their data plane: listeners that route connections to an endpoint table, the health-check
// responders kube-proxy serves for Local Services, and the prober a load balancer checks them
// with. Live (server/live_data_plane.h): real proxies (proxy::Proxy) on their own threads, real
// HTTP responders and probes. Virtual time (server/recorded_data_plane.h): a record of every table
// and the responders' answers, so the controllers' timing can be tested to the millisecond.
//
// Threading: everything is called on the cluster's loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "base/ipv4.h"
#include "base/status.h"
#include "proxy/routing/endpoint.h"
#include "proxy/routing/endpoint_table.h"
#include "proxy/transport/proxy_options.h"
#include "runtime/prober.h"

namespace nodrop::server {

// One listening address routed by one endpoint table (a proxy::Proxy, live).
class DataPlaneListener {
 public:
  virtual ~DataPlaneListener() = default;  // stops listening and closes every connection
  // Publishes the next table. ResourceExhausted above proxy::kMaxEndpointsPerTable.
  virtual Result<proxy::Generation> set_endpoints(std::span<const proxy::Endpoint> endpoints) = 0;
  // Every worker routes with `generation` or a later table (the drain gate's acknowledgement).
  virtual bool applied(proxy::Generation generation) const = 0;
  // An endpoint's counters (in-flight requests, open connections); nullptr if unknown.
  virtual std::shared_ptr<proxy::EndpointCounters> counters(const Ipv4Endpoint& address) const = 0;
  // Calls `callback`, from any thread, each time the listener's workers acknowledge a table (so
  // applied() may have changed). One callback; it must be cheap (post to a loop).
  virtual void on_applied(std::function<void()> callback) = 0;
};

// kube-proxy's health check of one Service on one node (healthCheckNodePort): answers every
// request from local_endpoints() at that moment. Stops serving when destroyed.
class HealthCheckResponder {
 public:
  virtual ~HealthCheckResponder() = default;
};

struct HealthCheckTarget {
  std::string namespace_name;
  std::string name;
  std::function<int()> local_endpoints;  // called on the loop, per request
};

class DataPlane {
 public:
  virtual ~DataPlane() = default;
  // Starts listening on options.listen. IoError when the address cannot be bound (another program
  // holds the port), InvalidArgument for options out of range.
  virtual Result<std::unique_ptr<DataPlaneListener>> listen(const proxy::ProxyOptions& options) = 0;
  virtual Result<std::unique_ptr<HealthCheckResponder>> serve_health_check(
      const Ipv4Endpoint& address, HealthCheckTarget target) = 0;
  // What a load balancer probes the health-check responders with.
  virtual runtime::Prober& health_prober() = 0;
};

// kube-proxy's answer to a health check (pkg/proxy/healthcheck/service_health.go): 200 when the
// node has a local ready endpoint of the Service, else 503, with this JSON body.
struct HealthCheckAnswer {
  int status = 503;
  std::string body;
};
HealthCheckAnswer health_check_answer(const std::string& namespace_name, const std::string& name,
                                      int local_endpoints);

}  // namespace nodrop::server
