// The test server itself: framing by src/http, answers in order, its bounds, echo and upgrade.
#include "live/sockets/loopback_server.h"

#include <gtest/gtest.h>

#include "live/sockets/blocking_client.h"

namespace nodrop::live {
namespace {

using Cue = LoopbackServer::Cue;
using std::chrono::milliseconds;

const Ipv4Endpoint kLoopbackAnyPort{Ipv4Address::loopback(), 0};
constexpr milliseconds kTimeout{10000};  // only stops a hang

std::unique_ptr<LoopbackServer> start(LoopbackServer::CueFunction cue,
                                      LoopbackServer::Mode mode = LoopbackServer::Mode::kHttp) {
  auto server = LoopbackServer::start_on_own_thread(kLoopbackAnyPort, mode, std::move(cue));
  NODROP_CHECK(server.is_ok());
  return std::move(server).value();
}

BlockingClient connect(const LoopbackServer& server) {
  auto client = BlockingClient::connect(server.endpoint(), kTimeout);
  NODROP_CHECK(client.is_ok());
  return std::move(client).value();
}

TEST(LoopbackServer, AnswersPipelinedRequestsInOrderEvenWhenAnEarlierOneIsLate) {
  auto server = start([](const LoopbackServer::Request& request) {
    Cue cue;
    cue.body = std::string(request.target) + " " + std::string(request.body);
    if (request.number == 0) cue.delay = milliseconds(100);
    return cue;
  });
  BlockingClient client = connect(*server);
  ASSERT_TRUE(client
                  .send_all("GET /first HTTP/1.1\r\nHost: t\r\n\r\n"
                            "POST /second HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"
                            "POST /third HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "2;x=1\r\nab\r\n0\r\n\r\n")
                  .is_ok());
  for (const std::string expected : {"/first ", "/second hi", "/third 2;x=1\r\nab\r\n0\r\n\r\n"}) {
    auto response = client.read_http_response();
    ASSERT_TRUE(response.is_ok()) << response.status().to_string();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, expected);
    EXPECT_TRUE(response->keep_alive);
  }
  EXPECT_EQ(server->requests_received(), 3U);
  EXPECT_EQ(server->connections_accepted(), 1U);
  EXPECT_EQ(server->last_request_head(),
            "POST /third HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
}

TEST(LoopbackServer, ClosesAfterAnsweringARequestThatAsksToCloseAndSendsNoBodyForHead) {
  auto server = start(nullptr);
  BlockingClient client = connect(*server);
  ASSERT_TRUE(client.send_all("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n").is_ok());
  auto head = client.read_http_response("HEAD");
  ASSERT_TRUE(head.is_ok()) << head.status().to_string();
  EXPECT_EQ(head->body, "");
  EXPECT_NE(head->head.find("Content-Length: 23\r\n"), std::string::npos) << head->head;
  ASSERT_TRUE(client.send_all("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").is_ok());
  auto last = client.read_http_response();
  ASSERT_TRUE(last.is_ok());
  EXPECT_EQ(last->body, "nodrop loopback server\n");
  EXPECT_FALSE(last->keep_alive);
  EXPECT_EQ(client.receive_until_close().value(), "");
}

TEST(LoopbackServer, RefusesWhatItCannotFrameAndClosesTheConnection) {
  auto server = start(nullptr);
  const std::pair<std::string, int> cases[] = {
      {"GET / HTTP/1.1\r\nHost: t\r\nX: " + std::string(LoopbackServer::kMaxHeadBytes, 'x') +
           "\r\n\r\n",
       431},
      {"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
  };
  for (const auto& [request, status] : cases) {
    BlockingClient client = connect(*server);
    ASSERT_TRUE(client.send_all(request).is_ok());
    auto response = client.read_http_response();
    ASSERT_TRUE(response.is_ok()) << response.status().to_string();
    EXPECT_EQ(response->status, status);
    EXPECT_FALSE(response->keep_alive);
  }
  EXPECT_EQ(server->requests_received(), 0U);
}

TEST(LoopbackServer, ResetsClosesTruncatesAndSendsGarbageOnCue) {
  auto server = start([](const LoopbackServer::Request& request) {
    Cue cue;
    if (request.target == "/reset") cue.action = Cue::Action::kReset;
    if (request.target == "/close") cue.action = Cue::Action::kClose;
    if (request.target == "/truncate") cue.action = Cue::Action::kTruncate;
    if (request.target == "/garbage") cue.action = Cue::Action::kGarbage;
    return cue;
  });
  const auto ask = [&](const std::string& path) {
    BlockingClient client = connect(*server);
    EXPECT_TRUE(client.send_all("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").is_ok());
    return client.read_http_response();
  };
  EXPECT_EQ(ask("/reset").status().code(), StatusCode::kIoError);
  EXPECT_EQ(ask("/close").status().message(), "closed before a response");
  EXPECT_EQ(ask("/truncate").status().message(), "closed mid-response");
  EXPECT_EQ(ask("/garbage").status().code(), StatusCode::kInternal);
}

TEST(LoopbackServer, EchoesInEchoModeAndAfterAnUpgrade) {
  auto echo = start(nullptr, LoopbackServer::Mode::kEcho);
  BlockingClient client = connect(*echo);
  ASSERT_TRUE(client.send_all("ping").is_ok());
  client.shutdown_write();
  EXPECT_EQ(client.receive_until_close().value(), "ping");
  EXPECT_EQ(echo->received(), "ping");

  auto upgrading = start([](const LoopbackServer::Request& request) {
    Cue cue;
    if (request.wants_upgrade) cue.action = Cue::Action::kUpgradeToEcho;
    return cue;
  });
  BlockingClient tunnel = connect(*upgrading);
  ASSERT_TRUE(tunnel
                  .send_all("GET /ws HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\n"
                            "Upgrade: websocket\r\n\r\nearly")
                  .is_ok());
  auto switched = tunnel.read_http_response();
  ASSERT_TRUE(switched.is_ok()) << switched.status().to_string();
  EXPECT_EQ(switched->status, 101);
  std::string echoed;
  while (echoed.size() < 5) {
    auto more = tunnel.receive_some();
    ASSERT_TRUE(more.is_ok() && !more->empty());
    echoed += *more;
  }
  EXPECT_EQ(echoed, "early");
}

TEST(LoopbackServer, ThePortRefusesOnceTheServerIsGone) {
  auto server = start(nullptr);
  const Ipv4Endpoint endpoint = server->endpoint();
  BlockingClient client = connect(*server);
  server.reset();
  EXPECT_EQ(client.receive_until_close().value(), "");
  EXPECT_EQ(BlockingClient::connect(endpoint, kTimeout).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace nodrop::live
