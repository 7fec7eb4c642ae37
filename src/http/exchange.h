// One request and its response as a server's handler sees them: the request read whole (its body
// bounded by the server), the response either whole or streamed (a watch, `logs -f`). The types
// carry no sockets, so a handler is a pure function of the request that tests call directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nodrop::http {

struct ServerRequest {
  std::string method;                                       // "GET"
  std::string target;                                       // "/api/v1/pods?limit=10", as sent
  std::vector<std::pair<std::string, std::string>> fields;  // names as sent
  std::string body;

  // The value of the first field of that name (case-insensitive), or nullopt.
  std::optional<std::string_view> field(std::string_view name) const;
};

// A body that is produced while it is sent, as chunks of the chunked coding.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  struct Chunk {
    std::string bytes;  // may be empty: nothing yet
    bool done = false;  // the body ends after bytes
  };
  // Waits at most max_wait for more of the body. Called from the server's connection thread
  // only; the server stops calling when the client goes away or the server stops.
  virtual Chunk next(std::chrono::milliseconds max_wait) = 0;
};

struct ServerResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> fields;  // Content-Length is added
  std::string body;
  std::shared_ptr<ResponseStream> stream;  // set: body is ignored, the stream is sent chunked

  ServerResponse& with(std::string name, std::string value) {
    fields.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// "OK", "Not Found", ... for the status codes a server sends; "Unknown" for others.
const char* reason_phrase(int status);

}  // namespace nodrop::http
