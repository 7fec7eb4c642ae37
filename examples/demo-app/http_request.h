// The part of HTTP/1.1 request parsing demo-app needs: the request line, Content-Length and
// Connection. Pure, so it is tested without sockets.
#pragma once

#include <cstddef>
#include <string_view>

namespace demo_app {

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;

enum class ParseState {
  kIncomplete,  // need more bytes
  kComplete,    // a whole request (head and body) is at the start of the buffer
  kInvalid,     // answer with `error_status` and close
};

struct Request {
  std::string_view method;  // views into the parsed buffer
  std::string_view path;    // without the query string
  bool keep_alive = true;
  std::size_t total_bytes = 0;  // head plus body; where the next pipelined request starts
};

struct ParseResult {
  ParseState state = ParseState::kIncomplete;
  Request request;
  int error_status = 0;  // 400, 413, 431 or 501 when kInvalid
};

ParseResult parse_request(std::string_view buffer);

}  // namespace demo_app
