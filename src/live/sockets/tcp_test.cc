#include "live/sockets/tcp.h"

#include <gtest/gtest.h>

#include "live/sockets/blocking_client.h"

namespace nodrop::live {
namespace {

const Ipv4Endpoint kLoopbackAnyPort{Ipv4Address::loopback(), 0};

// Accepts one pending connection; loopback completes the handshake promptly.
Accepted accept_one(const Listener& listener) {
  Accepted accepted;
  for (int attempt = 0; attempt < 1000 && accepted.outcome != IoOutcome::kDone; ++attempt) {
    accepted = accept_connection(listener.socket.fd());
  }
  return accepted;
}

TEST(Tcp, ResolvesDottedQuadsAndLocalhost) {
  Result<Ipv4Endpoint> quad = resolve_ipv4("127.0.0.1", 80);
  ASSERT_TRUE(quad.is_ok());
  EXPECT_EQ(quad->to_string(), "127.0.0.1:80");
  EXPECT_TRUE(quad->address.is_loopback());
  Result<Ipv4Endpoint> name = resolve_ipv4("localhost", 8080);
  ASSERT_TRUE(name.is_ok()) << name.status().to_string();
  EXPECT_TRUE(name->address.is_loopback());
  EXPECT_EQ(name->port, 8080);
}

TEST(Tcp, ABoundPortThatDoesNotListenRefuses) {
  Result<Listener> refusing = bind_refusing_port(kLoopbackAnyPort);
  ASSERT_TRUE(refusing.is_ok());
  EXPECT_NE(refusing->endpoint.port, 0);
  Connecting started = start_connect(refusing->endpoint);
  IoOutcome outcome = started.outcome;
  if (outcome == IoOutcome::kWouldBlock) {
    // Loopback refuses at once; finish_connect sees it without waiting.
    outcome = finish_connect(started.socket.fd()).outcome;
  }
  EXPECT_EQ(outcome, IoOutcome::kRefused);
  EXPECT_FALSE(BlockingClient::connect(refusing->endpoint, std::chrono::seconds(1)).is_ok());
}

TEST(Tcp, AConnectToAListenerOnThisMachineCompletesAndTheAcceptorSeesThePeer) {
  Result<Listener> listener = listen_tcp(kLoopbackAnyPort, {.backlog = 8});
  ASSERT_TRUE(listener.is_ok());
  const Connecting client = start_connect(listener->endpoint);
  ASSERT_TRUE(client.socket.is_open());
  EXPECT_TRUE(client.outcome == IoOutcome::kDone || client.outcome == IoOutcome::kWouldBlock);
  const Accepted server = accept_one(*listener);
  ASSERT_EQ(server.outcome, IoOutcome::kDone);
  EXPECT_EQ(server.peer, local_endpoint(client.socket.fd()).value());
  EXPECT_EQ(local_endpoint(server.socket.fd()).value(), listener->endpoint);
  // Nothing else waits.
  EXPECT_EQ(accept_connection(listener->socket.fd()).outcome, IoOutcome::kWouldBlock);
}

TEST(Tcp, AConnectFromAChosenSourceAddressIsSeenFromThatAddress) {
  Result<Listener> listener = listen_tcp(kLoopbackAnyPort, {.backlog = 8});
  ASSERT_TRUE(listener.is_ok());
  const Ipv4Address source = parse_ipv4_address("127.0.41.9").value();
  // Two connections from one source address: each gets its own port.
  const Connecting first = start_connect(listener->endpoint, source);
  const Connecting second = start_connect(listener->endpoint, source);
  ASSERT_TRUE(first.socket.is_open() && second.socket.is_open());
  const Accepted one = accept_one(*listener);
  const Accepted two = accept_one(*listener);
  ASSERT_EQ(one.outcome, IoOutcome::kDone);
  ASSERT_EQ(two.outcome, IoOutcome::kDone);
  EXPECT_EQ(one.peer.address, source);
  EXPECT_EQ(two.peer.address, source);
  EXPECT_NE(one.peer.port, two.peer.port);
  // An address that is not this machine's cannot be a source.
  const Connecting foreign =
      start_connect(listener->endpoint, parse_ipv4_address("192.0.2.1").value());
  EXPECT_FALSE(foreign.socket.is_open());
  EXPECT_STREQ(foreign.failed_call, "bind");
}

TEST(Tcp, AResetFromThePeerIsReportedAsResetAndAnOrderlyCloseAsClosed) {
  Result<Listener> listener = listen_tcp(kLoopbackAnyPort, {.backlog = 8});
  ASSERT_TRUE(listener.is_ok());
  for (const bool reset : {true, false}) {
    const Connecting client = start_connect(listener->endpoint);
    ASSERT_TRUE(client.socket.is_open());
    Accepted server = accept_one(*listener);
    ASSERT_EQ(server.outcome, IoOutcome::kDone);
    if (reset) {
      ASSERT_EQ(write_some(client.socket.fd(), "x", 1).outcome, IoOutcome::kDone);
      close_with_reset(server.socket);
    } else {
      server.socket.reset();  // with nothing unread, which would make the kernel reset instead
    }
    char buffer[16];
    IoResult result = read_some(client.socket.fd(), buffer, sizeof buffer);
    for (int attempt = 0; attempt < 1000 && result.outcome == IoOutcome::kWouldBlock; ++attempt) {
      result = read_some(client.socket.fd(), buffer, sizeof buffer);
    }
    EXPECT_EQ(result.outcome, reset ? IoOutcome::kReset : IoOutcome::kClosed)
        << io_outcome_name(result.outcome);
  }
}

TEST(Tcp, APortWithoutReusePortCannotBeShared) {
  Result<Listener> first = listen_tcp(kLoopbackAnyPort, {.backlog = 8, .reuse_port = true});
  ASSERT_TRUE(first.is_ok());
  EXPECT_TRUE(listen_tcp(first->endpoint, {.backlog = 8, .reuse_port = true}).is_ok());
  Result<Listener> alone = listen_tcp(kLoopbackAnyPort, {.backlog = 8});
  ASSERT_TRUE(alone.is_ok());
  const Result<Listener> second = listen_tcp(alone->endpoint, {.backlog = 8, .reuse_port = true});
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().message().rfind("bind " + alone->endpoint.to_string() + ": ", 0), 0U)
      << second.status().message();
  // A duplicate is the same socket: it accepts the same connections.
  Result<FileDescriptor> copy = alone->socket.duplicate();
  ASSERT_TRUE(copy.is_ok());
  EXPECT_EQ(local_endpoint(copy->fd()).value(), alone->endpoint);
}

}  // namespace
}  // namespace nodrop::live
