// A blocking TCP client with a timeout on every call, for tests, benchmarks and tools that talk
// to a proxy or play a backend's peer. Every wait is bounded by the timeout given at connect, so a
// test that uses it cannot hang.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/ipv4.h"
#include "base/status.h"
#include "live/file_descriptor.h"

namespace nodrop::live {

class BlockingClient {
 public:
  // Unavailable when the connection is refused, IoError for any other failure.
  static Result<BlockingClient> connect(const Ipv4Endpoint& endpoint,
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
  explicit BlockingClient(FileDescriptor socket) : socket_(std::move(socket)) {}
  FileDescriptor socket_;
};

}  // namespace nodrop::live
