#include <gtest/gtest.h>

#include <memory>

#include "live/loop/thread.h"
#include "live/sockets/tcp.h"
#include "proxy/transport/proxy.h"
#include "proxy/transport/tcp_session.h"
#include "proxy/transport/test_support.h"

namespace nodrop::proxy {
namespace {

using std::chrono::milliseconds;
using testing::connect_to;
using testing::kClientTimeout;
using testing::kLoopback;
using testing::TestBackend;

// Every test runs twice: with the turn's sends batched (io_uring, where the kernel has it) and with
// one send() per write.
class TcpProxyTest : public ::testing::TestWithParam<bool> {
 protected:
  void start(const std::vector<Ipv4Endpoint>& addresses) {
    options_.listen = {kLoopback, 0};
    options_.batch_sends = GetParam();
    options_.mode = ProxyMode::kTcp;
    auto started = Proxy::start(options_);
    ASSERT_TRUE(started.is_ok()) << started.status().to_string();
    proxy_ = std::move(started.value());
    set_endpoints(addresses);
  }
  void set_endpoints(const std::vector<Ipv4Endpoint>& addresses) {
    std::vector<Endpoint> endpoints;
    for (const auto& address : addresses)
      endpoints.push_back({.address = address, .node_name = "node-a"});
    auto generation = proxy_->set_endpoints(endpoints);
    ASSERT_TRUE(generation.is_ok());
    // Workers apply a table on their own threads: a connection made before that would still be
    // routed by the old one.
    ASSERT_TRUE(live::poll_until(
        [&] { return proxy_->publisher().acknowledged_by_all(*generation); }, kClientTimeout));
  }

  ProxyOptions options_;
  std::unique_ptr<Proxy> proxy_;
};

std::string round_trip(live::BlockingClient& client, const std::string& message) {
  if (!client.send_all(message).is_ok()) return "<send failed>";
  std::string echoed;
  while (echoed.size() < message.size()) {
    auto more = client.receive_some();
    if (!more.is_ok() || more->empty()) return echoed + "<closed>";
    echoed += *more;
  }
  return echoed;
}

TEST_P(TcpProxyTest, ForwardsBytesBothWaysAndPassesOnHalfClose) {
  TestBackend backend("echo", TestBackend::Kind::kTcpEcho);
  start({backend.address()});
  auto client = connect_to(proxy_->port());
  ASSERT_TRUE(client.is_ok());
  EXPECT_EQ(round_trip(*client, "hello"), "hello");
  const std::string big(1 << 20, 'z');
  EXPECT_EQ(round_trip(*client, big).size(), big.size());
  ASSERT_TRUE(client->send_all("last").is_ok());
  client->shutdown_write();  // the backend sees EOF, echoes what it had, and closes its side
  auto rest = client->receive_until_close();
  ASSERT_TRUE(rest.is_ok()) << rest.status().to_string();
  EXPECT_EQ(*rest, "last");
}

TEST_P(TcpProxyTest, WorkersShareOneListeningSocketThatNoOtherSocketCanJoin) {
  TestBackend backend("echo", TestBackend::Kind::kTcpEcho);
  options_.workers = 2;
  start({backend.address()});
  // One socket for both workers: a stray SO_REUSEPORT socket cannot bind the port and take a
  // share of the connections.
  EXPECT_FALSE(
      live::listen_tcp({kLoopback, proxy_->port()}, {.backlog = 16, .reuse_port = true}).is_ok());
  for (int i = 0; i < 20; ++i) {
    auto client = connect_to(proxy_->port());
    ASSERT_TRUE(client.is_ok());
    EXPECT_EQ(round_trip(*client, "hello " + std::to_string(i)), "hello " + std::to_string(i));
  }
}

TEST_P(TcpProxyTest, WorkersCanEachHaveAReusePortSocketInstead) {
  TestBackend backend("echo", TestBackend::Kind::kTcpEcho);
  options_.workers = 2;
  options_.reuse_port = true;
  start({backend.address()});
  // The port is a SO_REUSEPORT group: another such socket could join it (which is why this is not
  // the default).
  EXPECT_TRUE(
      live::listen_tcp({kLoopback, proxy_->port()}, {.backlog = 16, .reuse_port = true}).is_ok());
}

TEST_P(TcpProxyTest, CountsEveryByteWhetherCopiedOrSplicedAfterABulkTransfer) {
  TestBackend backend("echo", TestBackend::Kind::kTcpEcho);
  start({backend.address()});
  auto client = connect_to(proxy_->port());
  ASSERT_TRUE(client.is_ok());
  // Short messages are copied; the megabyte fills the copy buffer and switches both directions
  // to splice, which then also carries the short message after it, in order.
  std::uint64_t total = 0;
  for (const std::string& message :
       {std::string("one"), std::string("two"), std::string(1 << 20, 'b'), std::string("after")}) {
    EXPECT_EQ(round_trip(*client, message), message);
    total += message.size();
  }
  const ProxyMetrics& metrics = proxy_->metrics();
  EXPECT_TRUE(live::poll_until(
      [&] {
        return metrics.bytes_from_clients.load() == total &&
               metrics.bytes_to_clients.load() == total;
      },
      kClientTimeout));
  EXPECT_EQ(metrics.bytes_from_clients.load(), total);
}

TEST_P(TcpProxyTest, RetriesARefusedConnectionOnAnotherEndpoint) {
  TestBackend backend("echo", TestBackend::Kind::kTcpEcho);
  const auto bound = live::bind_refusing_port({kLoopback, 0});  // held, never listening: refuses
  const Ipv4Endpoint refusing = bound->endpoint;
  options_.picker = PickerKind::kRoundRobin;
  start({refusing, backend.address()});
  for (int i = 0; i < 3; ++i) {
    auto client = connect_to(proxy_->port());
    ASSERT_TRUE(client.is_ok());
    EXPECT_EQ(round_trip(*client, "x"), "x");
  }
  EXPECT_GE(proxy_->metrics().retries.load(), 1U);
}

TEST_P(TcpProxyTest, SendsAProxyProtocolV2HeaderBeforeTheClientsBytes) {
  TestBackend backend("echo", TestBackend::Kind::kTcpEcho);
  options_.proxy_protocol_v2 = true;
  start({backend.address()});
  auto client = connect_to(proxy_->port());
  ASSERT_TRUE(client.is_ok());
  const std::string expected_prefix =
      proxy_protocol_v2_header({kLoopback, 0}, {kLoopback, proxy_->port()});
  const std::string echoed = round_trip(*client, std::string(expected_prefix.size(), '?') + "data");
  ASSERT_TRUE(
      live::poll_until([&] { return backend.received().size() >= 2 * 28 + 4; }, kClientTimeout));
  const std::string received = backend.received();
  EXPECT_EQ(received.substr(0, 16), expected_prefix.substr(0, 16));  // signature, family, length
  EXPECT_EQ(received.substr(16, 8), expected_prefix.substr(16, 8));  // client and proxy address
  EXPECT_EQ(received.substr(26, 2), expected_prefix.substr(26, 2));  // proxy port
  EXPECT_EQ(received.substr(28 + 28), "data");
}

TEST_P(TcpProxyTest, KeepsAConnectionToARemovedEndpointUntilTheDrainDeadline) {
  TestBackend backend("echo", TestBackend::Kind::kTcpEcho);
  options_.limits.endpoint_drain_timeout = milliseconds(300);
  options_.limits.sweep_interval = milliseconds(20);
  start({backend.address()});
  auto client = connect_to(proxy_->port());
  ASSERT_TRUE(client.is_ok());
  EXPECT_EQ(round_trip(*client, "before"), "before");
  const auto counters = proxy_->publisher().counters(backend.address());
  ASSERT_NE(counters, nullptr);
  EXPECT_EQ(counters->open_connections.load(), 1);
  const Generation generation = proxy_->set_endpoints({}).value();
  ASSERT_TRUE(live::poll_until([&] { return proxy_->publisher().acknowledged_by_all(generation); },
                               kClientTimeout));
  EXPECT_EQ(round_trip(*client, "during"), "during");  // not cut at once
  auto rest = client->receive_until_close();           // cut (reset) at the deadline
  EXPECT_EQ(rest.status().code(), StatusCode::kIoError);
  EXPECT_TRUE(
      live::poll_until([&] { return counters->open_connections.load() == 0; }, kClientTimeout));
  // New connections find no endpoint and are reset.
  auto late = connect_to(proxy_->port());
  ASSERT_TRUE(late.is_ok());
  EXPECT_EQ(late->receive_until_close().status().code(), StatusCode::kIoError);
}

TEST_P(TcpProxyTest, ConnectsOnwardFromAFixedAddressOrFromTheClientsAddress) {
  TestBackend backend("b");  // HTTP through the L4 proxy: /peer names the address it saw
  const auto peer_seen = [&](std::optional<Ipv4Address> client_source) -> std::string {
    auto client = connect_to(proxy_->port(), client_source);
    if (!client.is_ok()) return client.status().to_string();
    if (!client->send_all("GET /peer HTTP/1.1\r\nHost: t\r\n\r\n").is_ok()) return "send";
    auto reply = client->read_http_response();
    return reply.is_ok() ? reply->body : reply.status().to_string();
  };
  options_.upstream_source = {.kind = UpstreamSource::Kind::kAddress,
                              .address = parse_ipv4_address("127.0.41.20").value()};
  start({backend.address()});
  EXPECT_TRUE(peer_seen(parse_ipv4_address("127.0.41.30").value()).starts_with("127.0.41.20:"));
  proxy_.reset();
  options_.upstream_source = {.kind = UpstreamSource::Kind::kClient};
  start({backend.address()});
  EXPECT_TRUE(peer_seen(parse_ipv4_address("127.0.41.30").value()).starts_with("127.0.41.30:"));
}

TEST_P(TcpProxyTest, WithoutAnEndpointAConnectionIsResetOrLeftUnanswered) {
  start({});
  auto rejected = connect_to(proxy_->port());
  ASSERT_TRUE(rejected.is_ok());
  auto reply = rejected->receive_some();
  EXPECT_EQ(reply.status().code(), StatusCode::kIoError) << "expected a reset";

  proxy_.reset();
  options_.no_endpoint = NoEndpointAction::kDrop;
  options_.limits.idle_timeout = milliseconds(10000);
  start({});
  auto dropped = live::BlockingClient::connect({kLoopback, proxy_->port()}, milliseconds(300));
  ASSERT_TRUE(dropped.is_ok());
  ASSERT_TRUE(dropped->send_all("GET / HTTP/1.1\r\nHost: t\r\n\r\n").is_ok());
  // Neither an answer nor a close nor a reset: the client waits until its own timeout.
  EXPECT_EQ(dropped->receive_some().status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(proxy_->metrics().error_count(ProxyError::kNoEndpoint), 1U);
  // A client that gives up is seen: its connection does not linger until the idle timeout.
  EXPECT_EQ(proxy_->metrics().connections_open.load(), 1);
  dropped = Status(StatusCode::kUnavailable, "closed");  // closes the client's socket
  EXPECT_TRUE(live::poll_until([&] { return proxy_->metrics().connections_open.load() == 0; },
                               kClientTimeout));
}

TEST_P(TcpProxyTest, WithoutConnectionDrainingAConnectionToARemovedEndpointIsCutAtOnce) {
  TestBackend backend("echo", TestBackend::Kind::kTcpEcho);
  options_.limits.endpoint_drain_timeout = milliseconds(0);
  start({backend.address()});
  auto client = connect_to(proxy_->port());
  ASSERT_TRUE(client.is_ok());
  EXPECT_EQ(round_trip(*client, "before"), "before");
  set_endpoints({});
  auto cut = client->receive_some();
  EXPECT_EQ(cut.status().code(), StatusCode::kIoError) << "expected a reset";
  const auto counters = proxy_->publisher().counters(backend.address());
  EXPECT_TRUE(live::poll_until(
      [&] { return counters == nullptr || counters->open_connections.load() == 0; },
      kClientTimeout));
}

TEST_P(TcpProxyTest, ARefusalOrAResetBehindTheProxyReachesTheClientAsAReset) {
  // Refused: nothing listens at the endpoint (bound, not listening).
  auto refusing = live::bind_refusing_port({kLoopback, 0});
  ASSERT_TRUE(refusing.is_ok());
  options_.retry = RetryPolicy::kubernetes();
  start({refusing->endpoint});
  auto refused = connect_to(proxy_->port());
  ASSERT_TRUE(refused.is_ok());
  EXPECT_EQ(refused->receive_some().status().code(), StatusCode::kIoError);

  // Reset after connecting: the backend answers /reset with an RST.
  TestBackend backend("b");
  set_endpoints({backend.address()});
  auto reset = connect_to(proxy_->port());
  ASSERT_TRUE(reset.is_ok());
  ASSERT_TRUE(reset->send_all("GET /reset HTTP/1.1\r\nHost: t\r\n\r\n").is_ok());
  EXPECT_EQ(reset->receive_some().status().code(), StatusCode::kIoError);
}

TEST(TcpProxyOptions, DroppingIsForL4Only) {
  ProxyOptions options;
  options.listen = {kLoopback, 0};
  options.no_endpoint = NoEndpointAction::kDrop;
  EXPECT_EQ(Proxy::start(options).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Sends, TcpProxyTest, ::testing::Bool(), [](const auto& param_info) {
  return param_info.param ? std::string("Batched") : std::string("OneByOne");
});

}  // namespace
}  // namespace nodrop::proxy
