// An incremental HTTP/1.1 response parser for the load generator: it finds where a response ends
// (Content-Length, chunked, or the connection's close) and its status code, and keeps no body.
//
// Bounds: the status line and headers together may take kMaxHeaderBytes, a chunk-size or trailer
// line kMaxLineBytes; anything longer makes the response invalid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nodrop::traffic {

class HttpResponseParser {
 public:
  static constexpr std::size_t kMaxHeaderBytes = 64 * std::size_t{1024};
  static constexpr std::size_t kMaxLineBytes = 4 * std::size_t{1024};

  enum class State {
    kHeaders,         // reading the status line and headers
    kFixedBody,       // reading Content-Length bytes
    kChunkSize,       // reading a chunk-size line
    kChunkData,       // reading a chunk's bytes
    kChunkDataEnd,    // reading the CRLF after a chunk
    kTrailers,        // reading trailer lines up to the empty line
    kBodyUntilClose,  // no length given: the body ends when the server closes
    kComplete,
    kInvalid,
  };

  // Starts a new response. A response to HEAD has no body whatever its headers say.
  void reset(bool request_was_head);

  // Consumes bytes of the response and returns how many it used: fewer than data.size() only when
  // the response completed (the rest belongs to no request) or turned out invalid.
  std::size_t feed(std::string_view data);
  // The server closed the connection: completes a body that runs until close. Returns whether
  // the response is complete.
  bool finish_at_close();

  State state() const { return state_; }
  bool complete() const { return state_ == State::kComplete; }
  bool invalid() const { return state_ == State::kInvalid; }
  bool received_any() const { return received_any_; }
  int status_code() const { return status_code_; }
  // Whether the connection may carry another request after this response.
  bool keep_alive() const { return keep_alive_; }

 private:
  bool parse_headers();  // on the complete header block in line_
  std::size_t feed_line(std::string_view data, bool* line_done);

  State state_ = State::kHeaders;
  bool head_request_ = false;
  bool received_any_ = false;
  int status_code_ = 0;
  bool keep_alive_ = true;
  std::uint64_t remaining_ = 0;
  std::string line_;  // the header block, or the current chunk-size or trailer line
};

}  // namespace nodrop::traffic
