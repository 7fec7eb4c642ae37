// Reads one HTTP/1.1 response off a byte stream, incrementally, with message.h's framing: where
// it ends (Content-Length, chunked, or the connection's close), its status, whether the connection
// may carry another request, and (if asked) the start of its body. For clients that read whole
// responses: the load generator, the kubelet's HTTP probes, tests. Interim 1xx responses (100
// Continue, 103 Early Hints) are read past; the final response is the one reported.
//
// Bounds: the head is kept while it arrives, at most limits.max_head_bytes; of the body, at most
// body_bytes_kept bytes; chunk lines and trailers have message.h's limits. Anything over a bound,
// or framing message.h refuses, makes the response invalid.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "http/message.h"

namespace nodrop::http {

class ResponseReader {
 public:
  enum class State {
    kHead,      // reading the status line and fields
    kBody,      // reading the body (by its framing)
    kComplete,  // the response ended; bytes after it belong to no request
    kInvalid,
  };

  // Limits for reading responses from any server: a 64 KiB head of up to 1,000 fields.
  static Limits default_limits();

  explicit ResponseReader(Limits limits = default_limits(), std::size_t body_bytes_kept = 0)
      : limits_(limits), body_bytes_kept_(body_bytes_kept) {}

  // Starts a new response to a request with this method (responses to HEAD have no body).
  void reset(std::string_view request_method);
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
  // The first body_bytes_kept bytes of the body, as framed (chunked framing included).
  const std::string& body() const { return body_; }
  // For a body read as it arrives (a watch, a followed log): the bytes kept so far, handed over;
  // the reader then keeps up to body_bytes_kept more.
  std::string take_body() { return std::exchange(body_, std::string()); }
  // The final response's head as it arrived (status line, fields, blank line), once the state is
  // kBody or kComplete: for clients that check a field, such as tests.
  const std::string& head() const { return head_; }
  // Whether the body came in the chunked coding (body() then holds its framing), once the state
  // is kBody or kComplete.
  bool body_is_chunked() const { return body_decoder_.framing() == BodyFraming::kChunked; }

 private:
  std::size_t feed_head(std::string_view data);

  Limits limits_;
  std::size_t body_bytes_kept_;
  std::string method_;
  State state_ = State::kHead;
  bool received_any_ = false;
  int status_code_ = 0;
  bool keep_alive_ = true;
  std::string head_;  // the head while it arrives, then the final response's head
  HeadScanner scanner_;
  ResponseHead head_parsed_;
  BodyDecoder body_decoder_;
  std::string body_;
};

// The data of the complete chunks at the front of chunked framing as ResponseReader kept it
// (already checked by BodyDecoder): the chunks' bytes without sizes and extensions. consumed: how
// many bytes of framed they took (a chunk not yet complete is left); last_chunk: the zero-size
// chunk was among them (trailers, if any, follow and hold no data).
struct ChunkedData {
  std::string data;
  std::size_t consumed = 0;
  bool last_chunk = false;
  bool malformed = false;  // a size line that does not parse, which checked framing never has
};
ChunkedData take_complete_chunks(std::string_view framed);

// The data of a complete chunked body; nullopt when it does not end with the last chunk or does
// not parse.
std::optional<std::string> remove_chunked_framing(std::string_view framed);

}  // namespace nodrop::http
