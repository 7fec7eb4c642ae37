// Endpoint table swaps under load: a backend removed through the drain gate (publish, wait for
// every worker's acknowledgement, wait for its in-flight requests or open connections to reach
// zero, then stop it) costs no request.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <vector>

#include "live/loop/thread.h"
#include "proxy/transport/proxy.h"
#include "proxy/transport/test_support.h"

namespace nodrop::proxy {
namespace {

using std::chrono::milliseconds;
using testing::connect_to;
using testing::get;
using testing::kClientTimeout;
using testing::kLoopback;
using testing::TestBackend;

Endpoint ready(const Ipv4Endpoint& address) { return {.address = address, .node_name = "node-a"}; }
Endpoint terminating(const Ipv4Endpoint& address) {
  return {.address = address,
          .node_name = "node-a",
          .ready = false,
          .serving = true,
          .terminating = true};
}

// Clients on their own threads, each sending requests until stopped, counting failures.
class Load {
 public:
  Load(std::uint16_t port, int keep_alive_clients, int new_connection_clients, bool http) {
    for (int i = 0; i < keep_alive_clients + new_connection_clients; ++i) {
      const bool keep_alive = i < keep_alive_clients;
      threads_.push_back(std::make_unique<live::Thread>(
          [this, port, keep_alive, http] { run(port, keep_alive, http); }));
    }
  }
  void stop() {
    stop_ = true;
    for (auto& thread : threads_) thread->join();
  }
  std::uint64_t succeeded() const { return succeeded_.load(); }
  std::uint64_t failed() const { return failed_.load(); }
  std::string first_failure() {
    std::lock_guard lock(mutex_);
    return first_failure_;
  }

 private:
  void fail(const std::string& why) {
    failed_++;
    std::lock_guard lock(mutex_);
    if (first_failure_.empty()) first_failure_ = why;
  }

  void run(std::uint16_t port, bool keep_alive, bool http) {
    std::optional<live::BlockingClient> client;
    while (!stop_) {
      if (!client) {
        auto connected = connect_to(port);
        if (!connected.is_ok()) {
          fail("connect: " + connected.status().to_string());
          continue;
        }
        client.emplace(std::move(connected.value()));
      }
      if (http) {
        if (!client->send_all(get("/slow/1")).is_ok()) {
          fail("send");
          client.reset();
          continue;
        }
        auto reply = client->read_http_response();
        if (!reply.is_ok() || reply->status != 200) {
          fail(reply.is_ok() ? "status " + std::to_string(reply->status)
                             : reply.status().to_string());
          client.reset();
          continue;
        }
      } else {
        if (!client->send_all("ping").is_ok()) {
          fail("send");
          client.reset();
          continue;
        }
        std::string echoed;
        while (echoed.size() < 4) {
          auto more = client->receive_some();
          if (!more.is_ok() || more->empty()) break;
          echoed += *more;
        }
        if (echoed != "ping") {
          fail("echo: " + echoed);
          client.reset();
          continue;
        }
      }
      succeeded_++;
      if (!keep_alive) client.reset();
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> succeeded_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::mutex mutex_;
  std::string first_failure_;
  std::vector<std::unique_ptr<live::Thread>> threads_;
};

// The drain gate of DESIGN.md §4, as the kubelet will run it.
void drain_gate(Proxy& proxy, Generation generation, const Ipv4Endpoint& leaving, bool l4) {
  ASSERT_TRUE(live::poll_until([&] { return proxy.publisher().acknowledged_by_all(generation); },
                               kClientTimeout));
  const auto counters = proxy.publisher().counters(leaving);
  if (!counters) return;
  ASSERT_TRUE(live::poll_until(
      [&] {
        return l4 ? counters->open_connections.load() == 0
                  : counters->in_flight_requests.load() == 0;
      },
      kClientTimeout));
}

class TableSwapTest : public ::testing::TestWithParam<ProxyMode> {};

TEST_P(TableSwapTest, RemovingABackendThroughTheDrainGateFailsNoRequest) {
  const bool http = GetParam() == ProxyMode::kHttp;
  const auto kind = http ? TestBackend::Kind::kHttp : TestBackend::Kind::kTcpEcho;
  auto old_backend = std::make_unique<TestBackend>("old", kind);
  TestBackend new_backend("new", kind);
  ProxyOptions options;
  options.listen = {kLoopback, 0};
  options.mode = GetParam();
  options.workers = 2;
  options.retry = RetryPolicy::kubernetes();  // zero failures must not depend on retries
  auto proxy = Proxy::start(options);
  ASSERT_TRUE(proxy.is_ok());
  const Ipv4Endpoint old_address = old_backend->address();
  std::vector<Endpoint> endpoints = {ready(old_address)};
  ASSERT_TRUE((*proxy)->set_endpoints(endpoints).is_ok());

  // L4 clients use a new connection per exchange, as the drain must wait for each to close.
  Load load((*proxy)->port(), http ? 3 : 0, http ? 1 : 3, http);
  ASSERT_TRUE(live::poll_until([&] { return load.succeeded() > 50; }, kClientTimeout));
  endpoints = {ready(old_address), ready(new_backend.address())};
  ASSERT_TRUE((*proxy)->set_endpoints(endpoints).is_ok());
  ASSERT_TRUE(live::poll_until(
      [&] { return http ? new_backend.requests() > 0 : !new_backend.received().empty(); },
      kClientTimeout));
  // The old pod terminates: ready=false, serving, terminating; a ready endpoint exists, so the
  // old one is no longer picked (KEP-1669 fallback not needed).
  endpoints = {terminating(old_address), ready(new_backend.address())};
  const Generation generation = (*proxy)->set_endpoints(endpoints).value();
  drain_gate(**proxy, generation, old_address, !http);
  old_backend.reset();  // SIGTERM: the old backend closes its listener and every connection
  const std::uint64_t before = load.succeeded();
  ASSERT_TRUE(live::poll_until([&] { return load.succeeded() > before + 50; }, kClientTimeout));
  load.stop();
  EXPECT_EQ(load.failed(), 0U) << load.first_failure();
  (*proxy)->drain();
  (*proxy)->wait();
}

INSTANTIATE_TEST_SUITE_P(Modes, TableSwapTest, ::testing::Values(ProxyMode::kHttp, ProxyMode::kTcp),
                         [](const auto& param_info) {
                           return param_info.param == ProxyMode::kHttp ? std::string("Http")
                                                                       : std::string("Tcp");
                         });

TEST(TableSwap, KubernetesFallbackKeepsServingTerminatingEndpointsWhenNoneIsReady) {
  TestBackend only("only");
  ProxyOptions options;
  options.listen = {kLoopback, 0};
  auto proxy = Proxy::start(options);
  ASSERT_TRUE(proxy.is_ok());
  const std::vector<Endpoint> endpoints = {terminating(only.address())};
  ASSERT_TRUE((*proxy)->set_endpoints(endpoints).is_ok());
  auto reply = testing::fetch((*proxy)->port(), get("/"));
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 200);
}

}  // namespace
}  // namespace nodrop::proxy
