#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "http/response_reader.h"
#include "proxy/transport/proxy.h"
#include "proxy/transport/test_support.h"

namespace nodrop::proxy {
namespace {

using std::chrono::milliseconds;
using testing::connect_to;
using testing::fetch;
using testing::get;
using testing::kClientTimeout;
using testing::kLoopback;
using testing::TestBackend;

// How long a test waits to see that a client in the listen backlog is not answered.
constexpr milliseconds kWaitInBacklog{300};

// The status of one response on a client whose reads time out after kWaitInBacklog: reads again
// until the response's head arrives, bounded by kClientTimeout in all.
Result<int> receive_status_patiently(live::BlockingClient& client) {
  http::ResponseReader reader;
  reader.reset("GET");
  for (int reads = 0; reads < kClientTimeout / kWaitInBacklog; ++reads) {
    auto more = client.receive_some();
    if (more.is_ok()) {
      if (more->empty()) return Status(StatusCode::kUnavailable, "closed before a response");
      reader.feed(*more);
      if (reader.invalid()) return internal_error("not a valid HTTP response: " + *more);
      if (reader.state() != http::ResponseReader::State::kHead) return reader.status_code();
    } else if (more.status().code() != StatusCode::kDeadlineExceeded) {
      return more.status();
    }
  }
  return Status(StatusCode::kDeadlineExceeded, "no response in time");
}

Endpoint ready(const Ipv4Endpoint& address) {
  return Endpoint{.address = address, .node_name = "node-a"};
}

// A port that refuses connections for as long as the object lives (bound, never listening).
class RefusingPort {
 public:
  RefusingPort() : bound_(std::move(live::bind_refusing_port({kLoopback, 0}).value())) {}
  Ipv4Endpoint address() const { return bound_.endpoint; }

 private:
  live::Listener bound_;
};

// Every test runs twice: with the turn's sends batched (io_uring, where the kernel has it) and with
// one send() per write.
class HttpProxyTest : public ::testing::TestWithParam<bool> {
 protected:
  void start(const std::vector<Ipv4Endpoint>& endpoints, int workers = 1) {
    options_.listen = {kLoopback, 0};
    options_.batch_sends = GetParam();
    options_.workers = workers;
    auto started = Proxy::start(options_);
    ASSERT_TRUE(started.is_ok()) << started.status().to_string();
    proxy_ = std::move(started.value());
    set_endpoints(endpoints);
  }
  void set_endpoints(const std::vector<Ipv4Endpoint>& addresses) {
    std::vector<Endpoint> endpoints;
    for (const auto& address : addresses) endpoints.push_back(ready(address));
    auto generation = proxy_->set_endpoints(endpoints);
    ASSERT_TRUE(generation.is_ok());
    // Workers apply a table on their own threads: a request sent before that would still be
    // routed by the old one.
    ASSERT_TRUE(live::poll_until(
        [&] { return proxy_->publisher().acknowledged_by_all(*generation); }, kClientTimeout));
  }
  std::uint16_t port() const { return proxy_->port(); }

  ProxyOptions options_;
  std::unique_ptr<Proxy> proxy_;
};

TEST_P(HttpProxyTest, ForwardsRequestsOnOneKeepAliveConnectionAndAddsForwardedHeaders) {
  TestBackend backend("a");
  start({backend.address()});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client
                    ->send_all(get("/",
                                   "X-Forwarded-For: 10.1.1.1\r\nConnection: keep-alive, "
                                   "X-Hop\r\nX-Hop: 1\r\nX-End: 2\r\n"))
                    .is_ok());
    auto reply = client->read_http_response();
    ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->body, "a");
    EXPECT_EQ(reply->head.find("Connection: close"), std::string::npos);
  }
  const std::string head = backend.last_head();
  EXPECT_NE(head.find("X-Forwarded-For: 10.1.1.1, 127.0.0.1\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Forwarded-Proto: http\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("keep-alive"), std::string::npos) << head;  // hop-by-hop, not forwarded
  EXPECT_EQ(head.find("X-Hop"), std::string::npos) << head;       // named in Connection
  EXPECT_NE(head.find("X-End: 2\r\n"), std::string::npos) << head;
  EXPECT_EQ(proxy_->metrics().requests.load(), 3U);
  const auto counters = proxy_->publisher().counters(backend.address());
  EXPECT_EQ(counters->requests.load(), 3U);
  EXPECT_EQ(counters->latency.count(), 3U);
  EXPECT_EQ(counters->in_flight_requests.load(), 0);
  EXPECT_EQ(counters->open_connections.load(), 1);  // the pooled keep-alive connection
}

TEST_P(HttpProxyTest, ConnectsOnwardFromEachClientsAddressAndPoolsPerClient) {
  TestBackend backend("a");
  options_.upstream_source = {.kind = UpstreamSource::Kind::kClient};
  start({backend.address()});
  for (const char* source : {"127.0.41.41", "127.0.41.42", "127.0.41.41"}) {
    auto client = connect_to(port(), parse_ipv4_address(source).value());
    ASSERT_TRUE(client.is_ok());
    ASSERT_TRUE(client->send_all(get("/peer")).is_ok());
    auto reply = client->read_http_response();
    ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
    EXPECT_TRUE(reply->body.starts_with(std::string(source) + ":")) << reply->body;
  }
  // The third request reused the first client's pooled connection: two upstream connections.
  EXPECT_EQ(proxy_->publisher().counters(backend.address())->open_connections.load(), 2);
}

TEST_P(HttpProxyTest, BatchesSendsWhenAskedAndTheKernelAllows) {
  TestBackend backend("a");
  start({backend.address()});
  const bool kernel_allows = live::SendBatch::create(1) != nullptr;
  EXPECT_EQ(proxy_->batches_sends(), GetParam() && kernel_allows);
}

TEST_P(HttpProxyTest, AnswersPipelinedRequestsInOrder) {
  TestBackend backend("a");
  start({backend.address()});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  ASSERT_TRUE(client
                  ->send_all(get("/big/3") + get("/slow/50") + get("/echo").substr(0, 0) +
                             "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello" +
                             get("/"))
                  .is_ok());
  std::vector<std::string> bodies;
  for (int i = 0; i < 4; ++i) {
    auto reply = client->read_http_response();
    ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
    bodies.push_back(reply->body);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"xxx", "a", "hello", "a"}));
}

TEST_P(HttpProxyTest, ClosesAfterTheResponseWhenTheClientAsksToClose) {
  TestBackend backend("a");
  start({backend.address()});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  ASSERT_TRUE(client->send_all(get("/", "Connection: close\r\n")).is_ok());
  auto reply = client->read_http_response();
  ASSERT_TRUE(reply.is_ok());
  EXPECT_NE(reply->head.find("Connection: close"), std::string::npos);
  auto rest = client->receive_until_close();
  ASSERT_TRUE(rest.is_ok());
  EXPECT_EQ(*rest, "");
}

TEST_P(HttpProxyTest, AClientThatAskedToCloseGetsASlowResponseAfterHalfClosing) {
  TestBackend backend("a");
  start({backend.address()});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  ASSERT_TRUE(client->send_all(get("/slow/100", "Connection: close\r\n")).is_ok());
  client->shutdown_write();
  auto reply = client->read_http_response();
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 200);
}

TEST_P(HttpProxyTest, AClientThatAskedToCloseAndLeftWhileWaitingIsReleasedByTheResponseTimeout) {
  // Such a client is not watched for reads while its response is pending (it may send nothing
  // more), so its departure is noticed at the latest when the response timeout ends the exchange.
  TestBackend backend("a");
  options_.limits.response_timeout = milliseconds(300);
  options_.limits.sweep_interval = milliseconds(20);
  start({backend.address()});
  {
    auto client = connect_to(port());
    ASSERT_TRUE(client.is_ok());
    ASSERT_TRUE(client->send_all(get("/hang", "Connection: close\r\n")).is_ok());
    const auto counters = proxy_->publisher().counters(backend.address());
    ASSERT_NE(counters, nullptr);
    ASSERT_TRUE(
        live::poll_until([&] { return counters->in_flight_requests.load() == 1; }, kClientTimeout));
    client->reset();
  }
  const auto counters = proxy_->publisher().counters(backend.address());
  EXPECT_TRUE(live::poll_until(
      [&] {
        return counters->in_flight_requests.load() == 0 &&
               proxy_->metrics().connections_open.load() == 0;
      },
      kClientTimeout));
}

TEST_P(HttpProxyTest, StreamsLargeBodiesBothWays) {
  TestBackend backend("a");
  start({backend.address()});
  const std::string big(3 * 1024 * 1024 + 17, 'b');
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  ASSERT_TRUE(client
                  ->send_all("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: " +
                             std::to_string(big.size()) + "\r\n\r\n" + big)
                  .is_ok());
  auto reply = client->read_http_response();
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->body.size(), big.size());
  EXPECT_TRUE(reply->body == big);
  ASSERT_TRUE(client->send_all(get("/big/2000000")).is_ok());
  reply = client->read_http_response();
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->body.size(), 2000000U);
}

TEST_P(HttpProxyTest, StreamsChunkedBodiesBothWays) {
  TestBackend backend("a");
  start({backend.address()});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  ASSERT_TRUE(
      client
          ->send_all("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: 1\r\n\r\n")
          .is_ok());
  auto reply = client->read_http_response();
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  // The echo goes back as it was framed: extensions and trailers through the proxy both ways.
  EXPECT_NE(reply->head.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_EQ(reply->body, "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: 1\r\n\r\n");
  ASSERT_TRUE(client->send_all(get("/chunked")).is_ok());
  reply = client->read_http_response("GET");
  ASSERT_TRUE(reply.is_ok());
  EXPECT_NE(reply->head.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_EQ(reply->body, "5\r\nhello\r\n1;ext=1\r\n,\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n");
  ASSERT_TRUE(client->send_all(get("/")).is_ok());  // the connection is still usable
  reply = client->read_http_response();
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->body, "a");
}

TEST_P(HttpProxyTest, TunnelsAWebSocketUpgradeBothWaysWithHalfClose) {
  TestBackend backend("a");
  start({backend.address()});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  ASSERT_TRUE(
      client->send_all(get("/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\n")).is_ok());
  auto reply = client->read_http_response();
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 101);
  for (const std::string message : {"ping", "second frame"}) {
    ASSERT_TRUE(client->send_all(message).is_ok());
    std::string echoed;
    while (echoed.size() < message.size()) {
      auto more = client->receive_some();
      ASSERT_TRUE(more.is_ok() && !more->empty());
      echoed += *more;
    }
    EXPECT_EQ(echoed, message);
  }
  client->shutdown_write();
  auto rest = client->receive_until_close();
  ASSERT_TRUE(rest.is_ok()) << rest.status().to_string();
  EXPECT_EQ(*rest, "");
}

TEST_P(HttpProxyTest, RetriesARefusedConnectionOnAnotherEndpoint) {
  TestBackend backend("a");
  options_.picker = PickerKind::kRoundRobin;  // the refusing endpoint is picked first
  RefusingPort refusing;
  start({refusing.address(), backend.address()});
  for (int i = 0; i < 4; ++i) {
    auto reply = fetch(port(), get("/"));
    ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
    EXPECT_EQ(reply->status, 200);
  }
  EXPECT_GE(proxy_->metrics().retries.load(), 1U);
}

TEST_P(HttpProxyTest, RetriesAnIdempotentRequestOnceWhenTheEndpointClosesBeforeAnswering) {
  TestBackend closing("closing");
  TestBackend healthy("healthy");
  options_.picker = PickerKind::kRoundRobin;
  start({closing.address(), healthy.address()});
  // Round robin sends the first attempt to "closing", whose /close drops the connection; the
  // retry goes to "healthy", which also closes on /close, so the client gets one 502.
  auto reply = fetch(port(), get("/close"));
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 502);
  EXPECT_EQ(closing.requests() + healthy.requests(), 2U);
  EXPECT_EQ(proxy_->metrics().retries.load(), 1U);
  EXPECT_EQ(proxy_->publisher().counters(closing.address())->retries.load(), 1U);
  EXPECT_EQ(proxy_->publisher().counters(healthy.address())->upstream_errors.load(), 1U);
  // A POST is not idempotent: no retry.
  reply = fetch(port(), "POST /close HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 502);
  EXPECT_EQ(closing.requests() + healthy.requests(), 3U);
}

TEST_P(HttpProxyTest, KubernetesProfileDoesNotRetry) {
  TestBackend backend("a");
  options_.retry = RetryPolicy::kubernetes();
  options_.picker = PickerKind::kRoundRobin;
  RefusingPort refusing;
  start({refusing.address(), backend.address()});
  std::vector<int> statuses;
  for (int i = 0; i < 2; ++i) statuses.push_back(fetch(port(), get("/"))->status);
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{200, 502}));
}

TEST_P(HttpProxyTest, Answers502WhenEveryEndpointRefusesAnd503WhenThereIsNone) {
  RefusingPort first;
  RefusingPort second;
  start({first.address(), second.address()});
  auto reply = fetch(port(), get("/"));
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 502);
  EXPECT_NE(reply->body.find("nodrop:"), std::string::npos);
  set_endpoints({});
  reply = fetch(port(), get("/"));
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 503);
  EXPECT_EQ(proxy_->metrics().error_count(ProxyError::kNoEndpoint), 1U);
}

TEST_P(HttpProxyTest, Answers504WhenTheEndpointHangs) {
  TestBackend backend("a");
  options_.limits.response_timeout = milliseconds(300);
  options_.limits.sweep_interval = milliseconds(20);
  start({backend.address()});
  auto reply = fetch(port(), get("/hang"));
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 504);
}

TEST_P(HttpProxyTest, Answers502WhenTheEndpointResets) {
  TestBackend backend("a");
  options_.retry = RetryPolicy::kubernetes();
  start({backend.address()});
  auto reply = fetch(port(), get("/reset"));
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 502);
}

TEST_P(HttpProxyTest, CutsTheClientConnectionWhenTheEndpointClosesMidResponse) {
  TestBackend backend("a");
  start({backend.address()});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  ASSERT_TRUE(client->send_all(get("/close-mid")).is_ok());
  auto reply = client->read_http_response();
  EXPECT_FALSE(reply.is_ok());  // 10 of 1000 promised bytes, then the connection closed
  EXPECT_EQ(proxy_->metrics().error_count(ProxyError::kUpstreamAborted), 1U);
}

TEST_P(HttpProxyTest, RefusesOversizedAndMalformedHeads) {
  TestBackend backend("a");
  start({backend.address()});
  auto reply = fetch(port(), get("/", "X-Big: " + std::string(10000, 'h') + "\r\n"));
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 431);
  reply = fetch(port(), "GET / HTTP/1.1\r\nHost: test\r\nBad Header: x\r\n\r\n");
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 400);
  reply = fetch(
      port(),
      "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 400);
  reply = fetch(port(), "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 414);
  std::string many_fields;
  for (int i = 0; i < 101; ++i) many_fields += "F" + std::to_string(i) + ": v\r\n";
  reply = fetch(port(), get("/", many_fields));
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 431);
  reply = fetch(port(), "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n");
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 501);
  EXPECT_EQ(backend.requests(), 0U);
  // Empty lines before a request line are ignored, and the request is served.
  reply = fetch(port(), "\r\n\r\n" + get("/"));
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->status, 200);
}

TEST_P(HttpProxyTest, CutsOffASlowlorisClientAtTheHeaderTimeout) {
  TestBackend backend("a");
  options_.limits.header_timeout = milliseconds(200);
  options_.limits.sweep_interval = milliseconds(20);
  start({backend.address()});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  ASSERT_TRUE(client->send_all("GET / HTTP/1.1\r\nHost: test\r\nX-Slow: ").is_ok());
  auto reply = client->read_http_response();
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 408);
}

TEST_P(HttpProxyTest, ClosesIdleKeepAliveConnections) {
  TestBackend backend("a");
  options_.limits.idle_timeout = milliseconds(100);
  options_.limits.sweep_interval = milliseconds(20);
  start({backend.address()});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  auto rest = client->receive_until_close();
  ASSERT_TRUE(rest.is_ok()) << rest.status().to_string();
  EXPECT_EQ(*rest, "");
}

TEST_P(HttpProxyTest, StopsAcceptingAtTheConnectionLimitUntilAPlaceFrees) {
  TestBackend backend("a");
  options_.limits.max_connections = 2;
  start({backend.address()});
  auto first = connect_to(port());
  auto second = connect_to(port());
  ASSERT_TRUE(first.is_ok() && second.is_ok());
  ASSERT_TRUE(first->send_all(get("/")).is_ok());
  ASSERT_TRUE(first->read_http_response().is_ok());  // both are registered by now
  ASSERT_TRUE(second->send_all(get("/")).is_ok());
  ASSERT_TRUE(second->read_http_response().is_ok());
  // The third waits in the listen backlog: connected by the kernel, neither served nor closed.
  auto third = live::BlockingClient::connect({kLoopback, port()}, kWaitInBacklog);
  ASSERT_TRUE(third.is_ok());
  ASSERT_TRUE(third->send_all(get("/")).is_ok());
  auto nothing = third->receive_some();
  ASSERT_FALSE(nothing.is_ok());
  EXPECT_EQ(nothing.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_GE(proxy_->metrics().error_count(ProxyError::kOverConnectionLimit), 1U);
  // A client leaves: the third is accepted and served.
  { const live::BlockingClient leaving = std::move(first.value()); }
  auto status = receive_status_patiently(*third);
  ASSERT_TRUE(status.is_ok()) << status.status().to_string();
  EXPECT_EQ(*status, 200);
}
TEST_P(HttpProxyTest, TheConnectionLimitHoldsOverAllWorkers) {
  TestBackend backend("a");
  options_.limits.max_connections = 3;
  start({backend.address()}, 3);
  std::vector<live::BlockingClient> clients;
  for (int i = 0; i < 3; ++i) {
    auto client = connect_to(port());
    ASSERT_TRUE(client.is_ok());
    ASSERT_TRUE(client->send_all(get("/")).is_ok());
    ASSERT_TRUE(client->read_http_response().is_ok());  // registered by whichever worker took it
    clients.push_back(std::move(client.value()));
  }
  auto fourth = live::BlockingClient::connect({kLoopback, port()}, kWaitInBacklog);
  ASSERT_TRUE(fourth.is_ok());
  ASSERT_TRUE(fourth->send_all(get("/")).is_ok());
  auto nothing = fourth->receive_some();
  ASSERT_FALSE(nothing.is_ok());
  EXPECT_EQ(nothing.status().code(), StatusCode::kDeadlineExceeded);
  // A place frees when a client leaves, whichever worker held it.
  clients.erase(clients.begin());
  auto status = receive_status_patiently(*fourth);
  ASSERT_TRUE(status.is_ok()) << status.status().to_string();
  EXPECT_EQ(*status, 200);
  EXPECT_EQ(proxy_->metrics().connections_open.load(), 3);
}
TEST_P(HttpProxyTest, HoldsARequestUntilAnEndpointAppears) {
  TestBackend backend("a");
  options_.hold = HoldPolicy{.max_waiting = 8, .max_wait = milliseconds(10000)};
  start({});
  auto client = connect_to(port());
  ASSERT_TRUE(client.is_ok());
  ASSERT_TRUE(client->send_all(get("/")).is_ok());
  // The request is held: publish an endpoint once the proxy has registered it.
  ASSERT_TRUE(live::poll_until([&] { return proxy_->metrics().requests.load() == 1; },
                               testing::kClientTimeout));
  set_endpoints({backend.address()});
  auto reply = client->read_http_response();
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 200);
}

TEST_P(HttpProxyTest, DrainingFinishesInFlightRequestsAndAnswersAnIdleConnectionsNextRequest) {
  TestBackend backend("a");
  start({backend.address()});
  auto idle = connect_to(port());
  auto busy = connect_to(port());
  ASSERT_TRUE(idle.is_ok() && busy.is_ok());
  ASSERT_TRUE(idle->send_all(get("/")).is_ok());
  ASSERT_TRUE(idle->read_http_response().is_ok());
  ASSERT_TRUE(busy->send_all(get("/slow/300")).is_ok());
  ASSERT_TRUE(live::poll_until([&] { return backend.requests() == 2; }, testing::kClientTimeout));
  proxy_->drain();
  auto reply = busy->read_http_response();
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 200);
  EXPECT_NE(reply->head.find("Connection: close"), std::string::npos);
  busy->shutdown_write();  // the proxy lingers for the client's FIN before closing
  // The idle connection was kept: a request that was on its way when the drain began (the
  // client could not know) is answered, with Connection: close, and then the proxy closes.
  ASSERT_TRUE(idle->send_all(get("/")).is_ok());
  reply = idle->read_http_response();
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 200);
  EXPECT_NE(reply->head.find("Connection: close"), std::string::npos);
  idle->shutdown_write();
  auto rest = idle->receive_until_close();
  ASSERT_TRUE(rest.is_ok());
  EXPECT_EQ(*rest, "");
  proxy_->wait();
  EXPECT_FALSE(connect_to(port()).is_ok());
}

TEST_P(HttpProxyTest, DrainingClosesAnIdleConnectionThatSendsNothingAtTheDrainDeadline) {
  TestBackend backend("a");
  options_.limits.drain_timeout = milliseconds(200);
  start({backend.address()});
  auto idle = connect_to(port());
  ASSERT_TRUE(idle.is_ok());
  ASSERT_TRUE(idle->send_all(get("/")).is_ok());
  ASSERT_TRUE(idle->read_http_response().is_ok());
  proxy_->drain();
  auto rest = idle->receive_until_close();
  ASSERT_TRUE(rest.is_ok());
  EXPECT_EQ(*rest, "");
  proxy_->wait();
}
INSTANTIATE_TEST_SUITE_P(Sends, HttpProxyTest, ::testing::Bool(), [](const auto& param_info) {
  return param_info.param ? std::string("Batched") : std::string("OneByOne");
});

}  // namespace
}  // namespace nodrop::proxy
