// An HTTPS/1.1 client for request-response APIs (nodrop's own cluster verbs talking to the
// Kubernetes API): TLS through OpenSSL, the server verified against a given authority and its
// address or name, framing through http/response_reader.h. One request per connection
// (Connection: close): the verbs send a handful of requests, and a fresh connection cannot be
// half-read by an earlier one.
//
// The server is untrusted too, so every cost is bounded before it is paid:
//   - time: connecting, the handshake, sending and the whole response within options.timeout,
//     measured from the start of the call (each read waits at most for what is left);
//   - memory: a head of at most 64 KiB (ResponseReader's limits), a body of at most
//     max_body_bytes as framed; one byte more makes the response an error.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ipv4.h"
#include "base/status.h"

namespace nodrop::live {

struct HttpsClientOptions {
  Ipv4Endpoint server{};
  // The name the certificate must carry: an IPv4 address ("127.0.0.1", checked against the
  // certificate's IP addresses) or a DNS name; sent as SNI when it is a name.
  std::string server_name{};
  std::string ca_certificate_pem{};  // the authority that signed the server's certificate
  // A certificate (PEM, intermediates after it) and its key that the client presents when the
  // server asks for one; none when empty. InvalidArgument when they do not parse or match.
  std::string client_certificate_pem{};
  std::string client_key_pem{};
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_body_bytes = 64 * 1024 * 1024;
  // https_stream: how long the body may last after the head (`rollout status --timeout`); zero:
  // until the server ends it or its reader stops.
  std::chrono::milliseconds stream_timeout{0};
};

struct HttpsRequest {
  std::string method = "GET";
  std::string target = "/";                                   // path and query, already escaped
  std::vector<std::pair<std::string, std::string>> fields{};  // Host, Content-Length are added
  std::string body{};
};

struct HttpsResponse {
  int status = 0;
  std::string content_type{};
  std::string body{};  // without its transfer coding
};

// Errors: Unavailable when the connection is refused (no server there), DeadlineExceeded when
// the timeout passes, FailedPrecondition when the server's certificate does not verify, IoError
// for a connection that breaks, ResourceExhausted for a response over a bound, Internal for bytes
// that are not an HTTP response.
Result<HttpsResponse> https_request(const HttpsClientOptions& options, const HttpsRequest& request);

// The same for a body that is read as it arrives (a watch, a followed log): on_data gets its
// bytes, without the chunked coding, until the body ends or on_data returns false. The head must
// arrive within options.timeout; the body then lasts at most options.stream_timeout
// (DeadlineExceeded after), without a bound when that is zero (it ends when its reader stops, as
// kubectl's streams do), and costs at most one read and one incomplete chunk of memory (bounded
// by max_body_bytes). An error answer (status 400 or more) is read whole and returned with its
// body, on_data never called.
Result<HttpsResponse> https_stream(const HttpsClientOptions& options, const HttpsRequest& request,
                                   const std::function<bool(std::string_view)>& on_data);

}  // namespace nodrop::live
