// Fuzz target for the HTTP/1.1 framing (message.h) and the response reader built on it. Built as a
// corpus-replay program under g++ (ctest runs it over tests/fuzz/http_parser/), and as a libFuzzer
// target under clang with -DNODROP_LIBFUZZER.
//
// The first byte chooses what the rest is fed to; every mode checks that parsing in pieces gives
// the same answer as parsing at once, and that no result points outside the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "http/message.h"
#include "http/response_reader.h"

namespace nodrop::http {
namespace {

void check_request(std::string_view input) {
  const Limits limits;
  HeadScanner whole_scanner;
  RequestHead whole;
  const HeadParse at_once = parse_request_head(input, limits, whole_scanner, &whole);
  HeadScanner piece_scanner;
  RequestHead piece;
  HeadParse in_pieces = HeadParse::kIncomplete;
  for (std::size_t end = 1; end <= input.size() && in_pieces == HeadParse::kIncomplete; end += 7) {
    in_pieces = parse_request_head(input.substr(0, end), limits, piece_scanner, &piece);
  }
  if (in_pieces == HeadParse::kIncomplete) {
    in_pieces = parse_request_head(input, limits, piece_scanner, &piece);
  }
  // A prefix may already be complete or too large where the whole is too; otherwise they agree.
  if (at_once == HeadParse::kComplete) {
    NODROP_CHECK(whole.head_bytes <= input.size());
    NODROP_CHECK(in_pieces == HeadParse::kComplete);
    NODROP_CHECK(piece.head_bytes == whole.head_bytes);
    NODROP_CHECK(piece.framing == whole.framing);
  }
}

void check_response(std::string_view input) {
  HeadScanner scanner;
  ResponseHead head;
  const HeadParse parsed = parse_response_head(input, Limits{}, scanner, "GET", &head);
  if (parsed == HeadParse::kComplete) {
    NODROP_CHECK(head.head_bytes <= input.size());
    NODROP_CHECK(head.status >= 100 && head.status <= 999);
  }
}

void check_chunked(std::string_view input) {
  BodyDecoder whole;
  whole.start(BodyFraming::kChunked, 0, Limits{});
  const BodyDecoder::Step at_once = whole.consume(input);
  NODROP_CHECK(at_once.consumed <= input.size());
  BodyDecoder bytes;
  bytes.start(BodyFraming::kChunked, 0, Limits{});
  std::size_t consumed = 0;
  bool malformed = false;
  while (consumed < input.size() && !bytes.complete()) {
    const BodyDecoder::Step step = bytes.consume(input.substr(consumed, 1));
    consumed += step.consumed;
    if (step.malformed) {
      malformed = true;
      break;
    }
    if (step.consumed == 0) break;
  }
  NODROP_CHECK(malformed == at_once.malformed);
  if (!malformed) {
    NODROP_CHECK(bytes.complete() == whole.complete());
    NODROP_CHECK(consumed == at_once.consumed);
  }
}

// The response reader fed whole and a byte at a time must agree on where the response ends.
void check_response_reader(std::string_view input) {
  ResponseReader whole;
  whole.reset("GET");
  const std::size_t at_once = whole.feed(input);
  NODROP_CHECK(at_once <= input.size());
  ResponseReader bytes;
  bytes.reset("GET");
  std::size_t consumed = 0;
  while (consumed < input.size() && !bytes.complete() && !bytes.invalid()) {
    const std::size_t took = bytes.feed(input.substr(consumed, 1));
    if (took == 0) break;
    consumed += took;
  }
  NODROP_CHECK(bytes.invalid() == whole.invalid());
  if (!whole.invalid()) {
    NODROP_CHECK(bytes.complete() == whole.complete());
    NODROP_CHECK(consumed == at_once);
    NODROP_CHECK(bytes.status_code() == whole.status_code());
  }
}

}  // namespace
}  // namespace nodrop::http

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      nodrop::http::check_request(input);
      break;
    case 1:
      nodrop::http::check_response(input);
      break;
    case 2:
      nodrop::http::check_chunked(input);
      break;
    default:
      nodrop::http::check_response_reader(input);
      break;
  }
  return 0;
}
