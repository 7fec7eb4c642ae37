// The data plane on real sockets (server/data_plane.h): each listener a proxy::Proxy with its own
// worker threads, each health-check responder an HTTP server (live::LoopbackServer) on the
// cluster's loop, and a live prober for the load balancers' health checks.
#pragma once

#include <memory>

#include "live/loop/epoll_loop.h"
#include "live/probers.h"
#include "server/data_plane.h"

namespace nodrop::server {

class LiveDataPlane final : public DataPlane {
 public:
  explicit LiveDataPlane(live::EpollLoop& loop) : loop_(loop), prober_(loop) {}

  Result<std::unique_ptr<DataPlaneListener>> listen(const proxy::ProxyOptions& options) override;
  Result<std::unique_ptr<HealthCheckResponder>> serve_health_check(
      const Ipv4Endpoint& address, HealthCheckTarget target) override;
  runtime::Prober& health_prober() override { return prober_; }

 private:
  live::EpollLoop& loop_;
  live::LiveProber prober_;
};

}  // namespace nodrop::server
