#include "http/message.h"

#include <gtest/gtest.h>

#include <string>

namespace nodrop::http {
namespace {

HeadParse parse_request(std::string_view text, RequestHead* head, Limits limits = {}) {
  HeadScanner scanner;
  return parse_request_head(text, limits, scanner, head);
}

HeadParse parse_response(std::string_view text, ResponseHead* head,
                         std::string_view method = "GET") {
  HeadScanner scanner;
  return parse_response_head(text, Limits{}, scanner, method, head);
}

TEST(HttpParser, ParsesARequestHeadAndItsFraming) {
  RequestHead head;
  const std::string text =
      "POST /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Length:  12 \r\nConnection: Keep-Alive, "
      "Upgrade\r\n"
      "Upgrade: websocket\r\n\r\nbody";
  ASSERT_EQ(parse_request(text, &head), HeadParse::kComplete);
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/a?b=c");
  EXPECT_EQ(head.minor_version, 1);
  EXPECT_EQ(head.head_bytes, text.size() - 4);
  EXPECT_EQ(head.framing, BodyFraming::kContentLength);
  EXPECT_EQ(head.content_length, 12U);
  EXPECT_TRUE(head.keep_alive());
  EXPECT_TRUE(head.wants_upgrade());
  ASSERT_EQ(head.fields.size(), 4U);
  EXPECT_EQ(head.fields[1].value, "12");
}

TEST(HttpParser, KeepAliveFollowsTheVersionAndConnectionField) {
  RequestHead head;
  ASSERT_EQ(parse_request("GET / HTTP/1.0\r\n\r\n", &head), HeadParse::kComplete);
  EXPECT_FALSE(head.keep_alive());
  ASSERT_EQ(parse_request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &head),
            HeadParse::kComplete);
  EXPECT_TRUE(head.keep_alive());
  ASSERT_EQ(parse_request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &head),
            HeadParse::kComplete);
  EXPECT_FALSE(head.keep_alive());
}

TEST(HttpParser, FindsTheHeadIncrementallyOneByteAtATime) {
  const std::string text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  HeadScanner scanner;
  RequestHead head;
  for (std::size_t i = 1; i < text.size(); ++i) {
    ASSERT_EQ(parse_request_head(text.substr(0, i), Limits{}, scanner, &head),
              HeadParse::kIncomplete)
        << i;
  }
  EXPECT_EQ(parse_request_head(text, Limits{}, scanner, &head), HeadParse::kComplete);
}

TEST(HttpParser, RefusesMalformedRequests) {
  RequestHead head;
  for (
      const char* bad : {
          "GET /\r\n\r\n",                          // no version
          "GET / HTTP/2.0\r\n\r\n",                 // unsupported
          "G(T / HTTP/1.1\r\n\r\n",                 // method token
          "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",  // space in name
          "GET / HTTP/1.1\r\n folded: x\r\n\r\n",   // obs-fold
          "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
          "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
          "GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",  // smuggling
          "GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",  // unknown length
          "GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
          "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",  // bare CR
      }) {
    EXPECT_EQ(parse_request(bad, &head), HeadParse::kMalformed) << bad;
  }
}

TEST(HttpParser, RefusesHeadsOverTheLimitBeforeTheyEnd) {
  RequestHead head;
  Limits limits;
  limits.max_head_bytes = 64;
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nX: " + std::string(80, 'a'), &head, limits),
            HeadParse::kTooLarge);
  limits.max_header_fields = 1;
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", &head, limits),
            HeadParse::kTooManyFields);
}

TEST(HttpParser, RefusesTheHundredAndFirstFieldAsTooMany) {
  RequestHead head;
  std::string text = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 1; i < 100; ++i) text += "F" + std::to_string(i) + ": v\r\n";
  ASSERT_EQ(parse_request(text + "\r\n", &head), HeadParse::kComplete);  // 100 fields
  EXPECT_EQ(parse_request(text + "F100: v\r\n\r\n", &head), HeadParse::kTooManyFields);
}

TEST(HttpParser, ARequestLineOverItsLimitIsTooLongEvenBeforeItEnds) {
  RequestHead head;
  Limits limits;
  limits.max_head_bytes = 256;
  limits.max_request_line_bytes = 64;
  const std::string long_target = "/" + std::string(80, 'a');
  EXPECT_EQ(parse_request("GET " + long_target, &head, limits), HeadParse::kRequestLineTooLong);
  EXPECT_EQ(parse_request("GET " + long_target + " HTTP/1.1\r\nHost: x\r\n\r\n", &head, limits),
            HeadParse::kRequestLineTooLong);
  // At the limit exactly: fine; a long head with a short request line is too large, not too long.
  const std::string line = "GET /" + std::string(64 - 14, 'a') + " HTTP/1.1";
  ASSERT_EQ(line.size(), 64U);
  EXPECT_EQ(parse_request(line + "\r\nHost: x\r\n\r\n", &head, limits), HeadParse::kComplete);
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nX: " + std::string(300, 'a'), &head, limits),
            HeadParse::kTooLarge);
}

TEST(HttpParser, IgnoresEmptyLinesBeforeTheRequestLine) {
  RequestHead head;
  const std::string text = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(parse_request(text, &head), HeadParse::kComplete);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.head_bytes, text.size());
  // Arriving a byte at a time, with the scanner kept between calls, as the proxy reads.
  HeadScanner scanner;
  for (std::size_t i = 1; i < text.size(); ++i) {
    ASSERT_EQ(parse_request_head(text.substr(0, i), Limits{}, scanner, &head),
              HeadParse::kIncomplete)
        << i;
  }
  ASSERT_EQ(parse_request_head(text, Limits{}, scanner, &head), HeadParse::kComplete);
  EXPECT_EQ(head.head_bytes, text.size());
}

TEST(HttpParser, RefusesHostFieldsThatWouldRouteAmbiguously) {
  RequestHead head;
  for (const char* bad : {
           "GET / HTTP/1.1\r\n\r\n",                         // HTTP/1.1 without Host
           "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",   // two Host fields
           "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n",           // a list
           "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",            // whitespace inside
           "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n",            // userinfo
           "GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n",      // absolute form, other host
           "GET http://u@a/ HTTP/1.1\r\nHost: u@a\r\n\r\n",  // userinfo in the target
       }) {
    EXPECT_EQ(parse_request(bad, &head), HeadParse::kMalformed) << bad;
  }
  ASSERT_EQ(parse_request("GET http://A:80/p?q HTTP/1.1\r\nHost: a:80\r\n\r\n", &head),
            HeadParse::kComplete);
  EXPECT_EQ(head.host, "a:80");
  ASSERT_EQ(parse_request("GET / HTTP/1.0\r\n\r\n", &head), HeadParse::kComplete);  // 1.0: optional
  EXPECT_EQ(head.host_count, 0);
}

TEST(HttpParser, RefusesControlBytesInTheTargetAndInFieldValues) {
  RequestHead head;
  for (const std::string& bad : {
           std::string("GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n"),
           std::string("GET /a\x7f HTTP/1.1\r\nHost: x\r\n\r\n"),
           std::string("GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n"),
           std::string("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n", 31),
           std::string("GET / HTTP/1.1\r\nHost: x\r\nX: a\x0b"
                       "b\r\n\r\n"),
           std::string("GET / HTTP/1.1\r\nHost: x\r\nX: a\x1b[31m\r\n\r\n"),
       }) {
    EXPECT_EQ(parse_request(bad, &head), HeadParse::kMalformed) << bad;
  }
  // A tab inside a value and non-ASCII bytes (obs-text) are allowed.
  EXPECT_EQ(parse_request("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\nX: a\tb\xff\r\n\r\n", &head),
            HeadParse::kComplete);
}

TEST(HttpParser, Http10WithTransferEncodingMustCloseBothConnections) {
  RequestHead head;
  ASSERT_EQ(parse_request("POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n",
                          &head),
            HeadParse::kComplete);
  EXPECT_EQ(head.framing, BodyFraming::kChunked);
  EXPECT_TRUE(head.must_close);
  EXPECT_FALSE(head.keep_alive());
  ASSERT_EQ(
      parse_request("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", &head),
      HeadParse::kComplete);
  EXPECT_FALSE(head.must_close);
  EXPECT_TRUE(head.keep_alive());
}

TEST(HttpParser, ResponseFramingFollowsStatusAndRequestMethod) {
  ResponseHead head;
  ASSERT_EQ(parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", &head),
            HeadParse::kComplete);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.framing, BodyFraming::kContentLength);
  ASSERT_EQ(parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", &head, "HEAD"),
            HeadParse::kComplete);
  EXPECT_EQ(head.framing, BodyFraming::kNone);
  ASSERT_EQ(parse_response("HTTP/1.1 204 No Content\r\n\r\n", &head), HeadParse::kComplete);
  EXPECT_EQ(head.framing, BodyFraming::kNone);
  ASSERT_EQ(parse_response("HTTP/1.0 200\r\n\r\n", &head), HeadParse::kComplete);
  EXPECT_EQ(head.framing, BodyFraming::kUntilClose);
  EXPECT_FALSE(head.keep_alive());
  ASSERT_EQ(parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", &head),
            HeadParse::kComplete);
  EXPECT_EQ(head.framing, BodyFraming::kChunked);
  EXPECT_EQ(parse_response("HTTP/1.1 20 OK\r\n\r\n", &head), HeadParse::kMalformed);
  EXPECT_EQ(parse_response("HTTP/1.1 200OK\r\n\r\n", &head), HeadParse::kMalformed);
}

BodyDecoder::Step feed(BodyDecoder& decoder, std::string_view input) {
  return decoder.consume(input);
}

TEST(BodyDecoder, ContentLengthStopsAtTheEndOfTheBody) {
  BodyDecoder decoder;
  decoder.start(BodyFraming::kContentLength, 5, Limits{});
  auto step = feed(decoder, "abc");
  EXPECT_EQ(step.consumed, 3U);
  EXPECT_FALSE(step.complete);
  step = feed(decoder, "deGET /");
  EXPECT_EQ(step.consumed, 2U);
  EXPECT_TRUE(step.complete);
}

TEST(BodyDecoder, ChunkedWalksSizesExtensionsAndTrailersInAnySplit) {
  const std::string body = "3\r\nabc\r\nA;name=value\r\n0123456789\r\n0\r\nTrailer: 1\r\n\r\n";
  for (std::size_t split = 0; split <= body.size(); ++split) {
    BodyDecoder decoder;
    decoder.start(BodyFraming::kChunked, 0, Limits{});
    const auto first = feed(decoder, std::string_view(body).substr(0, split));
    ASSERT_FALSE(first.malformed);
    ASSERT_EQ(first.consumed, split);
    const auto second = feed(decoder, body.substr(split) + "NEXT");
    ASSERT_FALSE(second.malformed) << split;
    EXPECT_TRUE(decoder.complete()) << split;
    EXPECT_EQ(split + second.consumed, body.size()) << split;
  }
}

TEST(BodyDecoder, ChunkedRefusesBadSizesAndOverlongLines) {
  for (const char* bad : {"x\r\n", "3\r\nabcX", "\r\n", "3\rX"}) {
    BodyDecoder decoder;
    decoder.start(BodyFraming::kChunked, 0, Limits{});
    EXPECT_TRUE(feed(decoder, bad).malformed) << bad;
  }
  BodyDecoder decoder;
  Limits limits;
  limits.max_chunk_line_bytes = 8;
  decoder.start(BodyFraming::kChunked, 0, limits);
  EXPECT_TRUE(feed(decoder, "1;aaaaaaaaaaaa\r\n").malformed);
  decoder.start(BodyFraming::kChunked, 0, Limits{});
  EXPECT_TRUE(feed(decoder, "fffffffffffffffffff\r\n").malformed);  // size overflow
}

TEST(BodyDecoder, ChunkedRefusesABareLfAnywhereInItsFraming) {
  // Each is accepted by some HTTP implementations as a line end and read as data by others; the
  // chunks are forwarded as received, so a next hop could read a different body and a smuggled
  // request from them.
  for (const char* bad : {
           "5\nhello\r\n0\r\n\r\n",          // the size line
           "5;ext=1\nhello\r\n0\r\n\r\n",    // the size line with an extension
           "5\r\nhello\n0\r\n\r\n",          // the line after the data
           "5\r\nhello\r\n0\n\r\n",          // the last chunk's line
           "5\r\nhello\r\n0\r\nX: 1\n\r\n",  // a trailer line
           "5\r\nhello\r\n0\r\n\n",          // the final blank line
           "5\r\nhello\r\n0\r\n \r\n",       // obs-fold in the trailers
           "5 \r\nhello\r\n0\r\n\r\n",       // whitespace not followed by ";"
           "5 5\r\nhello\r\n0\r\n\r\n",      // a second number
           "5;a\x01\r\nhello\r\n0\r\n\r\n",  // a control byte in an extension
           "5;a\rb\r\nhello\r\n0\r\n\r\n",   // a bare CR in an extension
       }) {
    BodyDecoder decoder;
    decoder.start(BodyFraming::kChunked, 0, Limits{});
    EXPECT_TRUE(feed(decoder, bad).malformed) << bad;
  }
  for (const char* good :
       {"0\r\nContent-Length-X: 1\r\nA-Very-Long-Trailer-Field-Name: 2\r\n\r\n",
        "5 ;a=b\r\nhello\r\n0\r\n\r\n", "5\t; a = \"b c\"\r\nhello\r\n0\r\n\r\n"}) {
    BodyDecoder decoder;
    decoder.start(BodyFraming::kChunked, 0, Limits{});
    const BodyDecoder::Step step = feed(decoder, good);
    EXPECT_FALSE(step.malformed) << good;
    EXPECT_TRUE(step.complete) << good;
  }
}

TEST(BodyDecoder, UntilCloseEndsOnlyAtClose) {
  BodyDecoder decoder;
  decoder.start(BodyFraming::kUntilClose, 0, Limits{});
  EXPECT_EQ(feed(decoder, "anything").consumed, 8U);
  EXPECT_FALSE(decoder.complete());
  decoder.finish_at_close();
  EXPECT_TRUE(decoder.complete());
}

}  // namespace
}  // namespace nodrop::http
