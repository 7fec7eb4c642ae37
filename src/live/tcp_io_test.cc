#include "live/tcp_io.h"

#include <gtest/gtest.h>

namespace nodrop::live {
namespace {

const Ipv4Endpoint kLoopbackAnyPort{0x7f000001, 0};

TEST(TcpIo, ResolvesDottedQuadsAndLocalhost) {
  Result<Ipv4Endpoint> quad = resolve_ipv4("127.0.0.1", 80);
  ASSERT_TRUE(quad.is_ok());
  EXPECT_EQ(quad->to_string(), "127.0.0.1:80");
  EXPECT_TRUE(quad->is_loopback());
  Result<Ipv4Endpoint> name = resolve_ipv4("localhost", 8080);
  ASSERT_TRUE(name.is_ok()) << name.status().to_string();
  EXPECT_TRUE(name->is_loopback());
}

TEST(TcpIo, ABoundPortThatDoesNotListenRefuses) {
  Result<Listener> refusing = bind_refusing_port(kLoopbackAnyPort);
  ASSERT_TRUE(refusing.is_ok());
  EXPECT_NE(refusing->endpoint.port, 0);
  const ConnectStart started = start_connect(refusing->endpoint);
  IoOutcome outcome = started.outcome;
  if (outcome == IoOutcome::kWouldBlock) {
    // Loopback refuses at once; finish_connect sees it without waiting.
    outcome = finish_connect(started.fd).outcome;
    close_socket(started.fd);
  }
  EXPECT_EQ(outcome, IoOutcome::kRefused);
  close_socket(refusing->fd);
}

TEST(TcpIo, AResetFromThePeerIsReportedAsReset) {
  Result<Listener> listener = listen_tcp(kLoopbackAnyPort, 8);
  ASSERT_TRUE(listener.is_ok());
  const ConnectStart client = start_connect(listener->endpoint);
  ASSERT_GE(client.fd, 0);
  ConnectStart server{};
  for (int attempt = 0; attempt < 1000 && server.fd < 0; ++attempt) {
    server = accept_connection(listener->fd);  // loopback completes the handshake promptly
  }
  ASSERT_GE(server.fd, 0);
  ASSERT_EQ(write_some(client.fd, "x", 1).outcome, IoOutcome::kDone);
  close_socket_with_reset(server.fd);
  char buffer[16];
  IoResult result = read_some(client.fd, buffer, sizeof buffer);
  for (int attempt = 0; attempt < 1000 && result.outcome == IoOutcome::kWouldBlock; ++attempt) {
    result = read_some(client.fd, buffer, sizeof buffer);
  }
  EXPECT_EQ(result.outcome, IoOutcome::kReset);
  close_socket(client.fd);
  close_socket(listener->fd);
}

}  // namespace
}  // namespace nodrop::live
