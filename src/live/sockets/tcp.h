// TCP over IPv4 for every part of nodrop that talks to the network: the proxy's listeners, clients
// and upstream connections, the load generator, the probes, the test servers. Thin wrappers that
// turn errno into values; the caller decides what an outcome means.
//
// Every socket made here is non-blocking (except connect_blocking()'s), close-on-exec and
// TCP_NODELAY, and comes as a FileDescriptor; calls that take a plain fd only use it. Code outside
// src/live/ never includes an OS header, so this is where socket calls happen.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/ipv4.h"
#include "base/status.h"
#include "live/file_descriptor.h"

namespace nodrop::live {

// What a socket call came to.
enum class IoOutcome {
  kDone,            // the call did (some of) its work; see bytes
  kWouldBlock,      // try again when the loop reports the fd ready
  kClosed,          // the peer closed its sending side (a read returned 0)
  kRefused,         // ECONNREFUSED: nothing listens there
  kReset,           // ECONNRESET, EPIPE or ECONNABORTED: the peer reset the connection
  kOutOfResources,  // EMFILE, ENFILE, ENOBUFS or ENOMEM: no descriptor or memory to spare
  kError,           // anything else; error_number says what
};
const char* io_outcome_name(IoOutcome outcome);
// The outcome an errno value stands for (EAGAIN: kWouldBlock, ECONNREFUSED: kRefused, ...).
IoOutcome io_outcome_of(int error_number);

struct IoResult {
  IoOutcome outcome = IoOutcome::kDone;
  std::size_t bytes = 0;
  int error_number = 0;  // set when outcome is a failure
};

// Resolves a host name or dotted quad to its first IPv4 address. Blocks while a name server
// answers, so callers resolve once, before their loop starts.
Result<Ipv4Endpoint> resolve_ipv4(const std::string& host, std::uint16_t port);

struct Connecting {
  FileDescriptor socket;  // closed when the connect failed at once
  // kDone: connected already (a server on this machine often completes the handshake inside
  // connect()); kWouldBlock: in progress, wait for writability and call finish_connect(); any
  // other outcome: failed.
  IoOutcome outcome = IoOutcome::kError;
  int error_number = 0;
  const char* failed_call = "";  // "socket" or "connect", for messages
};
// From `source` when given: the socket is bound to that address before connecting (any port,
// chosen at connect(), so one source address may reach many servers). Every address of
// 127.0.0.0/8 is local, so a proxy on loopback can connect onward from its client's address.
Connecting start_connect(const Ipv4Endpoint& endpoint,
                         std::optional<Ipv4Address> source = std::nullopt);
// The result of a connect that was in progress: kDone, kRefused, kReset, kError, ...
IoResult finish_connect(int fd);

// A blocking connect whose sends and receives time out after timeout (SO_SNDTIMEO, SO_RCVTIMEO:
// they then report kWouldBlock), for clients that wait instead of watching: tests and tools.
Connecting connect_blocking(const Ipv4Endpoint& endpoint, std::chrono::milliseconds timeout,
                            std::optional<Ipv4Address> source = std::nullopt);

struct ListenOptions {
  int backlog = 1024;  // bounded by the kernel's somaxconn
  // SO_REUSEPORT, so that several sockets (one per proxy worker) can listen on the same port.
  bool reuse_port = false;
};
struct Listener {
  FileDescriptor socket;
  Ipv4Endpoint endpoint;  // with the port the kernel chose when asked for port 0
};
// Listens on endpoint (port 0: any free port) with SO_REUSEADDR.
Result<Listener> listen_tcp(const Ipv4Endpoint& endpoint, const ListenOptions& options);
// Binds a socket without listening on it: connections to the returned endpoint are refused for
// as long as the socket stays open, and no other process can take the port meanwhile (which a
// closed port would not guarantee). Tests hold one to own an endpoint that refuses.
Result<Listener> bind_refusing_port(const Ipv4Endpoint& endpoint);
// The address a socket is bound to.
Result<Ipv4Endpoint> local_endpoint(int fd);

struct Accepted {
  FileDescriptor socket;  // open when outcome is kDone
  Ipv4Endpoint peer;
  // kDone; kWouldBlock when none is waiting (or the one waiting was reset before it was taken);
  // kOutOfResources when the process is out of descriptors; kError.
  IoOutcome outcome = IoOutcome::kWouldBlock;
};
Accepted accept_connection(int listener_fd);

IoResult read_some(int fd, char* buffer, std::size_t size);
// Never raises SIGPIPE: a write to a reset connection reports kReset.
IoResult write_some(int fd, const char* data, std::size_t size);
// Sends a FIN: the peer reads the end of the stream, and may still send.
void shutdown_write(int fd);
// Closes with SO_LINGER 0, so the peer sees a reset (RST) instead of an orderly close: how test
// servers play a crashing peer.
void close_with_reset(FileDescriptor& socket);

}  // namespace nodrop::live
