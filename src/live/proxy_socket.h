// Non-blocking TCP sockets for the proxy's data plane (listeners, accepted clients, upstream
// connections), plus the few socket facts the proxy needs. Everything here is a thin wrapper that
// turns errno into values; the proxy decides what a failure means.
//
// Addresses are IPv4 in host byte order, as proxy::EndpointAddress keeps them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "base/status.h"

namespace nodrop::live {

// Owns one file descriptor and closes it when destroyed.
class ProxySocket {
 public:
  ProxySocket() = default;
  explicit ProxySocket(int fd) : fd_(fd) {}
  ~ProxySocket() { reset(); }
  ProxySocket(ProxySocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ProxySocket& operator=(ProxySocket&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ProxySocket(const ProxySocket&) = delete;
  ProxySocket& operator=(const ProxySocket&) = delete;

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

struct SocketPeer {
  std::uint32_t ipv4 = 0;
  std::uint16_t port = 0;
};

enum class ProxyIoStatus {
  kOk,          // bytes > 0 moved
  kWouldBlock,  // nothing to do now; wait for readiness
  kEof,         // the peer closed its sending side (reads only)
  kError,       // reset or another failure; error holds errno
};

struct ProxyIoResult {
  ProxyIoStatus status = ProxyIoStatus::kOk;
  std::size_t bytes = 0;
  int error = 0;
};

// A listening socket bound to ipv4:port (port 0: any free port), non-blocking, SO_REUSEADDR, and
// SO_REUSEPORT when reuse_port so that several workers can each listen on the same port.
Result<ProxySocket> listen_tcp(std::uint32_t ipv4, std::uint16_t port, bool reuse_port,
                               int backlog);
// A second descriptor for the same socket (a listener several workers accept from).
Result<ProxySocket> duplicate_socket(int fd);
// A socket bound to ipv4:port but not listening: the port stays taken and every connection to it
// is refused. Tests hold one to own an endpoint that refuses, which a closed port would not be
// once another process binds it.
Result<ProxySocket> bind_tcp(std::uint32_t ipv4, std::uint16_t port);
// The address a socket is bound to.
Result<SocketPeer> local_address(int fd);

enum class AcceptStatus { kAccepted, kNoneWaiting, kOutOfDescriptors, kError };
struct Accepted {
  AcceptStatus status = AcceptStatus::kNoneWaiting;
  ProxySocket socket;  // non-blocking, TCP_NODELAY
  SocketPeer peer;
};
Accepted accept_client(int listen_fd);

// Starts a non-blocking connect. in_progress: wait for writability, then connect_error(); else
// connected (error 0) or failed (error set). A connect the kernel completes at once, as to a
// server on this machine, is reported connected.
struct Connecting {
  ProxySocket socket;
  bool in_progress = false;
  int error = 0;  // set when the connect failed at once (the socket is then closed)
};
Connecting connect_tcp(std::uint32_t ipv4, std::uint16_t port);
// The outcome of an in-progress connect: 0 when connected, else the errno.
int connect_error(int fd);

ProxyIoResult proxy_read_some(int fd, char* data, std::size_t size);
// Never raises SIGPIPE.
ProxyIoResult proxy_write_some(int fd, const char* data, std::size_t size);
void shutdown_write(int fd);
// Makes close() send a RST instead of a FIN (SO_LINGER 0): how tests play a crashing peer.
void set_reset_on_close(int fd);

bool is_connection_refused(int error);
bool is_connection_reset(int error);
std::string error_text(int error);

}  // namespace nodrop::live
