// Non-blocking IPv4 TCP sockets for the event loop: connect, listen, accept, read and write, with
// every outcome a load generator must tell apart (refused, reset, closed) reported as a value.
//
// These are thin wrappers over the socket calls, so that code outside src/live/ never includes an
// OS header. Every fd returned here is non-blocking and close-on-exec, and owned by the caller,
// who closes it with close_socket() or close_socket_with_reset().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace nodrop::live {

struct Ipv4Endpoint {
  std::uint32_t address = 0;  // host byte order: 127.0.0.1 is 0x7f000001
  std::uint16_t port = 0;

  std::string to_string() const;  // "127.0.0.1:8080"
  bool is_loopback() const { return (address >> 24) == 127; }
};

// Resolves a host name or dotted quad to its first IPv4 address. Blocks while a name server
// answers, so callers resolve once, before their loop starts.
Result<Ipv4Endpoint> resolve_ipv4(const std::string& host, std::uint16_t port);

// What a socket call came to.
enum class IoOutcome {
  kDone,        // the call did (some of) its work; see bytes
  kWouldBlock,  // try again when the loop reports the fd ready
  kClosed,      // the peer closed its side (read returned 0)
  kRefused,     // ECONNREFUSED: nothing listens there
  kReset,       // ECONNRESET or EPIPE: the peer reset the connection
  kError,       // anything else; error_number says what
};
const char* io_outcome_name(IoOutcome outcome);

struct IoResult {
  IoOutcome outcome = IoOutcome::kDone;
  std::size_t bytes = 0;
  int error_number = 0;
};

struct ConnectStart {
  int fd = -1;  // -1 when outcome is kRefused or kError and no socket was left open
  IoOutcome outcome = IoOutcome::kError;  // kDone (connected), kWouldBlock (in progress), ...
  int error_number = 0;
};

// Starts a non-blocking connect with TCP_NODELAY set. On kWouldBlock, wait for the fd to become
// writable and call finish_connect().
ConnectStart start_connect(const Ipv4Endpoint& endpoint);
// The result of a connect that was in progress: kDone, kRefused, kReset or kError.
IoResult finish_connect(int fd);

IoResult read_some(int fd, char* buffer, std::size_t size);
// Never raises SIGPIPE: a write to a reset connection reports kReset.
IoResult write_some(int fd, const char* data, std::size_t size);

void close_socket(int fd);
// Closes with SO_LINGER 0, so the peer sees a reset (RST) instead of an orderly close.
void close_socket_with_reset(int fd);

struct Listener {
  int fd = -1;
  Ipv4Endpoint endpoint;  // with the port the kernel chose when asked for port 0
};
// Listens on endpoint (port 0: any free port) with SO_REUSEADDR. backlog is bounded by the
// kernel's somaxconn.
Result<Listener> listen_tcp(const Ipv4Endpoint& endpoint, int backlog);
// Accepts one pending connection as a non-blocking fd with TCP_NODELAY; fd -1 with kWouldBlock
// when none is pending.
ConnectStart accept_connection(int listener_fd);

// Binds a socket without listening on it: connections to the returned endpoint are refused for
// as long as the socket stays open, and no other process can take the port meanwhile.
Result<Listener> bind_refusing_port(const Ipv4Endpoint& endpoint);

// Raises the soft limit on open files toward the hard limit so that `needed` descriptors fit; an
// error naming both numbers when even the hard limit is too low.
Status reserve_open_files(std::size_t needed);

}  // namespace nodrop::live
