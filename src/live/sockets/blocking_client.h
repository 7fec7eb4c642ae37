// A blocking TCP client with a timeout on every call, for tests, benchmarks and tools that talk
// to a proxy or play a backend's peer. Every wait is bounded by the timeout given at connect, so a
// test that uses it cannot hang.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/ipv4.h"
#include "base/status.h"
#include "live/file_descriptor.h"

namespace nodrop::live {

// One HTTP response as a test reads it.
struct HttpResponse {
  int status = 0;
  std::string head;             // as it arrived
  std::string body;             // as framed (chunked coding included)
  bool keep_alive = false;      // the connection may carry another request
  bool ended_at_close = false;  // a body without length, ended by the server's close
};

class BlockingClient {
 public:
  // Unavailable when the connection is refused, IoError for any other failure.
  // From `source` when given (see start_connect).
  static Result<BlockingClient> connect(const Ipv4Endpoint& endpoint,
                                        std::chrono::milliseconds timeout,
                                        std::optional<Ipv4Address> source = std::nullopt);

  Status send_all(std::string_view data);
  // Up to max bytes as soon as any arrive; "" when the peer closed; DeadlineExceeded on timeout;
  // IoError on reset. Bytes read past an HTTP response come first.
  Result<std::string> receive_some(std::size_t max = 64 * 1024);
  // One HTTP response (framed by http::ResponseReader) to a request with request_method; bytes
  // that arrive after it are kept for the next read, so pipelined responses read one by one.
  // Unavailable when the connection closes before the response is complete, Internal when what
  // arrives is not a valid response or its body exceeds max_body_bytes.
  Result<HttpResponse> read_http_response(std::string_view request_method = "GET",
                                          std::size_t max_body_bytes = 64 * 1024 * 1024);
  // Everything until the peer closes (bounded by max_bytes and the timeout per read).
  Result<std::string> receive_until_close(std::size_t max_bytes = 64 * 1024 * 1024);
  void shutdown_write();
  // Closes with a RST.
  void reset();
  bool is_open() const { return socket_.is_open(); }

 private:
  explicit BlockingClient(FileDescriptor socket) : socket_(std::move(socket)) {}
  FileDescriptor socket_;
  std::string unread_;  // received after the last HTTP response, not yet returned
};

}  // namespace nodrop::live
