#include "traffic/http_response_parser.h"

#include <gtest/gtest.h>

namespace nodrop::traffic {
namespace {

// Feeds text one byte at a time, the hardest split a socket can produce.
std::size_t feed_bytewise(HttpResponseParser& parser, std::string_view text) {
  std::size_t used = 0;
  for (char c : text) {
    const std::size_t took = parser.feed(std::string_view(&c, 1));
    used += took;
    if (took == 0) break;
  }
  return used;
}

TEST(HttpResponseParser, CompletesAtContentLengthWhetherFedWholeOrBytewise) {
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
  HttpResponseParser whole;
  whole.reset(false);
  EXPECT_EQ(whole.feed(response), response.size() - 5);
  EXPECT_TRUE(whole.complete());
  EXPECT_EQ(whole.status_code(), 200);
  EXPECT_TRUE(whole.keep_alive());

  HttpResponseParser bytewise;
  bytewise.reset(false);
  EXPECT_EQ(feed_bytewise(bytewise, response), response.size() - 5);
  EXPECT_TRUE(bytewise.complete());
}

TEST(HttpResponseParser, DecodesChunkedBodiesWithTrailers) {
  const std::string response =
      "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n";
  HttpResponseParser parser;
  parser.reset(false);
  EXPECT_EQ(feed_bytewise(parser, response), response.size());
  EXPECT_TRUE(parser.complete());
  EXPECT_EQ(parser.status_code(), 503);
}

TEST(HttpResponseParser, ABodyWithoutLengthEndsAtCloseAndEndsKeepAlive) {
  HttpResponseParser parser;
  parser.reset(false);
  parser.feed("HTTP/1.0 200 OK\r\n\r\nsome body");
  EXPECT_FALSE(parser.complete());
  EXPECT_TRUE(parser.finish_at_close());
  EXPECT_FALSE(parser.keep_alive());
}

TEST(HttpResponseParser, CloseBeforeTheLengthIsReachedIsIncomplete) {
  HttpResponseParser parser;
  parser.reset(false);
  parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_FALSE(parser.finish_at_close());
  EXPECT_TRUE(parser.received_any());
}

TEST(HttpResponseParser, ConnectionCloseAndHeadAndNoContent) {
  HttpResponseParser parser;
  parser.reset(false);
  parser.feed("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(parser.complete());
  EXPECT_FALSE(parser.keep_alive());

  parser.reset(true);
  parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
  EXPECT_TRUE(parser.complete());
}

TEST(HttpResponseParser, RejectsWhatIsNotHttp) {
  for (const std::string_view bad :
       {"SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    HttpResponseParser parser;
    parser.reset(false);
    parser.feed(bad);
    EXPECT_TRUE(parser.invalid()) << bad;
  }
  HttpResponseParser endless;
  endless.reset(false);
  endless.feed("HTTP/1.1 200 OK\r\n" + std::string(HttpResponseParser::kMaxHeaderBytes, 'x'));
  EXPECT_TRUE(endless.invalid());
}

}  // namespace
}  // namespace nodrop::traffic
