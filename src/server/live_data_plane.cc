#include "server/live_data_plane.h"

#include "live/sockets/loopback_server.h"
#include "proxy/transport/proxy.h"

namespace nodrop::server {
namespace {

class ProxyListener final : public DataPlaneListener {
 public:
  explicit ProxyListener(std::unique_ptr<proxy::Proxy> proxy) : proxy_(std::move(proxy)) {}
  ~ProxyListener() override { proxy_->stop(); }

  Result<proxy::Generation> set_endpoints(std::span<const proxy::Endpoint> endpoints) override {
    return proxy_->set_endpoints(endpoints);
  }
  bool applied(proxy::Generation generation) const override {
    return proxy_->publisher().acknowledged_by_all(generation);
  }
  std::shared_ptr<proxy::EndpointCounters> counters(const Ipv4Endpoint& address) const override {
    return proxy_->publisher().counters(address);
  }
  void on_applied(std::function<void()> callback) override {
    proxy_->publisher().set_acknowledgement_listener(std::move(callback));
  }

 private:
  std::unique_ptr<proxy::Proxy> proxy_;
};

class ServerResponder final : public HealthCheckResponder {
 public:
  explicit ServerResponder(std::unique_ptr<live::LoopbackServer> server)
      : server_(std::move(server)) {}

 private:
  std::unique_ptr<live::LoopbackServer> server_;
};

}  // namespace

Result<std::unique_ptr<DataPlaneListener>> LiveDataPlane::listen(
    const proxy::ProxyOptions& options) {
  Result<std::unique_ptr<proxy::Proxy>> started = proxy::Proxy::start(options);
  if (!started.is_ok()) return started.status();
  return std::unique_ptr<DataPlaneListener>(
      std::make_unique<ProxyListener>(std::move(started.value())));
}

Result<std::unique_ptr<HealthCheckResponder>> LiveDataPlane::serve_health_check(
    const Ipv4Endpoint& address, HealthCheckTarget target) {
  auto answer_from_count = [target = std::move(target)](const live::LoopbackServer::Request&) {
    const HealthCheckAnswer answer =
        health_check_answer(target.namespace_name, target.name, target.local_endpoints());
    live::LoopbackServer::Cue cue;
    cue.status = answer.status;
    cue.body = answer.body;
    cue.extra_fields = "Content-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n";
    return cue;
  };
  Result<std::unique_ptr<live::LoopbackServer>> server = live::LoopbackServer::start(
      loop_, address, live::LoopbackServer::Mode::kHttp, answer_from_count);
  if (!server.is_ok()) return server.status();
  return std::unique_ptr<HealthCheckResponder>(
      std::make_unique<ServerResponder>(std::move(server.value())));
}

}  // namespace nodrop::server
