// An HTTPS/1.1 server for request-response APIs (the Kubernetes API): TLS through OpenSSL, framing
// through http/message.h, one thread per connection, each request handed whole to a handler that
// returns the response (or a stream, sent chunked: watches, followed logs).
//
// Every byte a client sends is hostile, so every cost is bounded before it is paid:
//   - connections: at most max_connections at once; one more is closed as it is accepted;
//   - time: the TLS handshake within handshake_timeout; a request's head and body within
//     request_timeout of its first byte; an idle keep-alive connection is closed after
//     idle_timeout; a client that stops reading is dropped after write_timeout;
//   - memory: a head of at most limits.max_head_bytes (431 beyond); a body only with
//     Content-Length (411 for chunked), at most max_body_bytes (413 beyond, before any of it is
//     read); the handler's response is the only other buffer.
// A request that breaks a bound is answered by error_response (the handler's format for errors)
// where the protocol still allows an answer, and its connection is closed.
//
// Threading: start() returns once the server listens; the handler runs on connection threads,
// several at once. stop() (or the destructor) closes the listener, ends every connection and joins
// every thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "base/ipv4.h"
#include "base/status.h"
#include "http/exchange.h"
#include "http/message.h"

namespace nodrop::live {

struct HttpsServerOptions {
  Ipv4Endpoint listen{};  // port 0: a free port (see endpoint())
  std::string certificate_file{};
  std::string key_file{};
  std::size_t max_connections = 128;
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds idle_timeout{120'000};
  std::chrono::milliseconds write_timeout{30'000};
  http::Limits limits{.max_head_bytes = 32 * 1024,
                      .max_request_line_bytes = 16 * 1024,
                      .max_header_fields = 100,
                      .max_chunk_line_bytes = 1024,
                      .max_trailer_bytes = 8 * 1024};
};

using HttpsHandler = std::function<http::ServerResponse(const http::ServerRequest&)>;
// The response to a request refused by the server itself (status 400, 408, 411, 413, 414, 431).
using HttpsErrorResponse = std::function<http::ServerResponse(int status, const std::string&)>;

class HttpsServer {
 public:
  static Result<std::unique_ptr<HttpsServer>> start(HttpsServerOptions options,
                                                    HttpsHandler handler,
                                                    HttpsErrorResponse error_response);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  Ipv4Endpoint endpoint() const;
  // Connections open now.
  std::size_t connections() const;
  void stop();

  struct State;

 private:
  explicit HttpsServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace nodrop::live
