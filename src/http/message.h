// HTTP/1.1 messages (RFC 9112) as every reader and writer of HTTP in nodrop frames them: the data
// plane, the load generator, the kubelet's probes and the test servers. Written for this project
// because Debian 12 packages no llhttp.
//
// Heads are parsed once complete: HeadScanner remembers how far it has looked for the blank line,
// so bytes arriving one at a time cost O(total) and a head larger than max_head_bytes is refused
// as soon as that many bytes have arrived without a blank line. Bodies are not copied or decoded:
// BodyDecoder walks the framing (Content-Length or chunked, including extensions and trailers)
// and tells its caller how many of the bytes at hand belong to the current message, so a proxy
// streams bodies through as they are; ResponseReader (response_reader.h) builds on both for
// clients that read whole responses.
//
// The parser is strict where a lenient one would let two recipients frame the same bytes
// differently (request smuggling): see parse_fields() and BodyDecoder::consume_chunked().
//
// Every view in a parsed head points into the caller's buffer and is valid while it is unchanged.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/strings.h"

namespace nodrop::http {

struct Limits {
  std::size_t max_head_bytes = 8 * 1024;
  std::size_t max_request_line_bytes = 8 * 1024;  // as nginx's default: longer gets 414
  std::size_t max_header_fields = 100;
  std::size_t max_chunk_line_bytes = 1024;  // chunk size plus extensions
  std::size_t max_trailer_bytes = 8 * 1024;
};

enum class HeadParse {
  kIncomplete,
  kComplete,
  kTooLarge,            // the head exceeds max_head_bytes (431 for a request)
  kTooManyFields,       // more than max_header_fields (431)
  kRequestLineTooLong,  // the request line exceeds max_request_line_bytes (414)
  kMalformed,           // 400 for a request, 502 for a response
};

enum class BodyFraming {
  kNone,           // no body (or Content-Length: 0)
  kContentLength,  // exactly `length` bytes
  kChunked,        // chunked transfer coding, ends with the last chunk and trailers
  kUntilClose,     // a response without length: the body ends when the server closes
};

struct HeaderField {
  std::string_view name;
  std::string_view value;  // without surrounding whitespace
};

struct Head {
  int minor_version = 1;  // HTTP/1.0 or HTTP/1.1
  std::vector<HeaderField> fields;
  std::size_t head_bytes = 0;  // including the blank line
  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t content_length = 0;
  bool connection_close = false;
  bool connection_keep_alive = false;
  bool connection_upgrade = false;
  bool has_upgrade = false;  // an Upgrade header field is present
  // Requests: the Host field's value and how many Host fields there were.
  std::string_view host;
  int host_count = 0;
  // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing; it is read as
  // chunked, and neither its connection nor the one it is forwarded on may carry another message.
  bool must_close = false;

  // Whether the connection may carry another message after this one, per RFC 9112 §9.3.
  bool keep_alive() const {
    return minor_version >= 1 ? !connection_close : connection_keep_alive && !connection_close;
  }
};

struct RequestHead : Head {
  std::string_view method;
  std::string_view target;
  bool wants_upgrade() const { return connection_upgrade && has_upgrade; }
};

struct ResponseHead : Head {
  int status = 0;
};

// Finds the end of a head in a growing buffer. Call find() with the whole buffer each time more
// bytes arrive; reset() before the next message.
class HeadScanner {
 public:
  // The size of the head including its blank line, or 0 if the blank line has not arrived.
  std::size_t find(std::string_view buffer);
  // Where the first line's LF is, once find() has seen it; npos before.
  std::size_t first_line_end() const { return first_line_end_; }
  void reset() {
    scanned_ = 0;
    first_line_end_ = std::string_view::npos;
  }

 private:
  std::size_t scanned_ = 0;
  std::size_t first_line_end_ = std::string_view::npos;
};

// Text without leading and trailing spaces and tabs (RFC 9110's OWS).
std::string_view trim_whitespace(std::string_view text);

// Bytes of empty lines (CRLF or LF) at the front of buffer, which a server ignores before a request
// line (RFC 9112 §2.2).
std::size_t leading_empty_lines(std::string_view buffer);

HeadParse parse_request_head(std::string_view buffer, const Limits& limits, HeadScanner& scanner,
                             RequestHead* head);
// request_method: the method of the request this answers (HEAD responses have no body).
HeadParse parse_response_head(std::string_view buffer, const Limits& limits, HeadScanner& scanner,
                              std::string_view request_method, ResponseHead* head);

class BodyDecoder {
 public:
  struct Step {
    std::size_t consumed = 0;  // bytes of input that belong to this body
    bool complete = false;     // the body ended within them
    bool malformed = false;
  };

  void start(BodyFraming framing, std::uint64_t content_length, const Limits& limits);
  // Walks as much of input as belongs to the body. kUntilClose consumes everything and completes
  // only through finish_at_close().
  Step consume(std::string_view input);
  bool complete() const { return state_ == State::kDone; }
  BodyFraming framing() const { return framing_; }
  void finish_at_close();

 private:
  enum class State {
    kLength,  // content-length bytes remain
    kUntilClose,
    kSize,            // reading the chunk size in hex
    kSizeWhitespace,  // BWS after the size, before ";"
    kExtension,       // after ";", until the end of the line
    kSizeLf,          // after the CR of the size line
    kData,            // chunk data bytes remain
    kDataCr,          // the CRLF after chunk data
    kDataLf,
    kTrailerStart,  // at the start of a trailer line (or the final blank line)
    kTrailerName,   // inside a trailer field's name
    kTrailer,       // inside a trailer field's value
    kTrailerLf,     // after the CR of a trailer line
    kFinalLf,       // after the CR of the final blank line
    kDone,
  };

  Step consume_chunked(std::string_view input);
  void note_trailer_name_char(char c);

  BodyFraming framing_ = BodyFraming::kNone;
  State state_ = State::kDone;
  std::uint64_t remaining_ = 0;
  // Sizes fit 32 bits (the limits are a few KiB): a decoder lives in every idle connection.
  std::uint32_t line_bytes_ = 0;
  std::uint32_t trailer_bytes_ = 0;
  std::uint32_t max_chunk_line_bytes_ = 0;
  std::uint32_t max_trailer_bytes_ = 0;
  bool saw_digit_ = false;
  // The name of the trailer field being read, as far as the longest name checked
  // ("transfer-encoding"); a longer one has a length of size() + 1.
  std::array<char, 17> trailer_name_{};
  std::uint8_t trailer_name_length_ = 0;
};

}  // namespace nodrop::http
