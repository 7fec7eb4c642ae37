// A blocking TCP client with a timeout on every call, for tests and benchmarks that talk to the
// proxy or play a backend's peer. Every wait is bounded by the timeout given at connect, so a test
// that uses it cannot hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "live/proxy_socket.h"

namespace nodrop::live {

class BlockingClient {
 public:
  static Result<BlockingClient> connect(std::uint32_t ipv4, std::uint16_t port,
                                        std::chrono::milliseconds timeout);

  Status send_all(std::string_view data);
  // Up to max bytes as soon as any arrive; "" when the peer closed; DeadlineExceeded on timeout;
  // IoError on reset.
  Result<std::string> receive_some(std::size_t max = 64 * 1024);
  // Everything until the peer closes (bounded by max_bytes and the timeout per read).
  Result<std::string> receive_until_close(std::size_t max_bytes = 64 * 1024 * 1024);
  void shutdown_write();
  // Closes with a RST.
  void reset();
  bool is_open() const { return socket_.is_open(); }

 private:
  explicit BlockingClient(ProxySocket socket) : socket_(std::move(socket)) {}
  ProxySocket socket_;
};

}  // namespace nodrop::live
