#include "http/response_reader.h"

#include <gtest/gtest.h>

namespace nodrop::http {
namespace {

// Feeds text one byte at a time, the hardest split a socket can produce.
std::size_t feed_bytewise(ResponseReader& parser, std::string_view text) {
  std::size_t used = 0;
  for (char c : text) {
    const std::size_t took = parser.feed(std::string_view(&c, 1));
    used += took;
    if (took == 0) break;
  }
  return used;
}

TEST(ResponseReader, CompletesAtContentLengthWhetherFedWholeOrBytewise) {
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
  ResponseReader whole;
  whole.reset("GET");
  EXPECT_EQ(whole.feed(response), response.size() - 5);
  EXPECT_TRUE(whole.complete());
  EXPECT_EQ(whole.status_code(), 200);
  EXPECT_TRUE(whole.keep_alive());

  ResponseReader bytewise;
  bytewise.reset("GET");
  EXPECT_EQ(feed_bytewise(bytewise, response), response.size() - 5);
  EXPECT_TRUE(bytewise.complete());
}

TEST(ResponseReader, DecodesChunkedBodiesWithTrailers) {
  const std::string response =
      "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n";
  ResponseReader parser;
  parser.reset("GET");
  EXPECT_EQ(feed_bytewise(parser, response), response.size());
  EXPECT_TRUE(parser.complete());
  EXPECT_EQ(parser.status_code(), 503);
}

TEST(ResponseReader, ABodyWithoutLengthEndsAtCloseAndEndsKeepAlive) {
  ResponseReader parser;
  parser.reset("GET");
  parser.feed("HTTP/1.0 200 OK\r\n\r\nsome body");
  EXPECT_FALSE(parser.complete());
  EXPECT_TRUE(parser.finish_at_close());
  EXPECT_FALSE(parser.keep_alive());
}

TEST(ResponseReader, CloseBeforeTheLengthIsReachedIsIncomplete) {
  ResponseReader parser;
  parser.reset("GET");
  parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_FALSE(parser.finish_at_close());
  EXPECT_TRUE(parser.received_any());
}

TEST(ResponseReader, ConnectionCloseAndHeadAndNoContent) {
  ResponseReader parser;
  parser.reset("GET");
  parser.feed("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(parser.complete());
  EXPECT_FALSE(parser.keep_alive());

  parser.reset("HEAD");
  parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
  EXPECT_TRUE(parser.complete());
}

TEST(ResponseReader, RejectsWhatIsNotHttp) {
  for (const std::string_view bad :
       {"SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    ResponseReader parser;
    parser.reset("GET");
    parser.feed(bad);
    EXPECT_TRUE(parser.invalid()) << bad;
  }
  ResponseReader endless;
  endless.reset("GET");
  endless.feed("HTTP/1.1 200 OK\r\nX: " +
               std::string(ResponseReader::default_limits().max_head_bytes, 'x'));
  EXPECT_TRUE(endless.invalid());
  // Chunked framing is read as strictly as the proxy reads it.
  ResponseReader bare_lf;
  bare_lf.reset("GET");
  bare_lf.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n");
  EXPECT_TRUE(bare_lf.invalid());
}

TEST(ResponseReader, KeepsTheFinalHeadAsItArrived) {
  ResponseReader parser;
  parser.reset("GET");
  EXPECT_EQ(parser.head(), "");
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\n";
  EXPECT_EQ(feed_bytewise(parser, interim + head + "hel"), interim.size() + head.size() + 3);
  EXPECT_EQ(parser.head(), head);
  EXPECT_EQ(parser.feed("lo"), 2U);
  ASSERT_TRUE(parser.complete());
  EXPECT_EQ(parser.head(), head);
  parser.reset("GET");
  EXPECT_EQ(parser.feed(head + "hello"), head.size() + 5);
  EXPECT_EQ(parser.head(), head);
}

TEST(ResponseReader, ReadsPastInterimResponsesAndKeepsTheStartOfTheBody) {
  const std::string response =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
      "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot foundNEXT";
  ResponseReader reader(ResponseReader::default_limits(), 3);
  reader.reset("GET");
  EXPECT_EQ(feed_bytewise(reader, response), response.size() - 4);
  EXPECT_TRUE(reader.complete());
  EXPECT_EQ(reader.status_code(), 404);
  EXPECT_EQ(reader.body(), "not");
}

}  // namespace
}  // namespace nodrop::http

namespace nodrop::http {
namespace {

TEST(RemoveChunkedFraming, KeepsTheDataOfEachChunkAndDropsSizesExtensionsAndTrailers) {
  const std::string response =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n1A\r\n, chunked over two chunks.\r\n0\r\nTrailer: x\r\n\r\n";
  ResponseReader reader(ResponseReader::default_limits(), 1024);
  reader.reset("GET");
  reader.feed(response);
  ASSERT_TRUE(reader.complete());
  ASSERT_TRUE(reader.body_is_chunked());
  EXPECT_EQ(remove_chunked_framing(reader.body()), "hello, chunked over two chunks.");
}

TEST(TakeCompleteChunks, LeavesAChunkThatIsStillArrivingForTheNextCall) {
  const std::string framed = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  // Every split of the framing gives the data of the chunks complete before it, and nothing more.
  for (std::size_t cut = 0; cut <= framed.size(); ++cut) {
    const ChunkedData first = take_complete_chunks(std::string_view(framed).substr(0, cut));
    ASSERT_FALSE(first.malformed) << cut;
    EXPECT_EQ(first.data, cut < 10 ? "" : cut < 21 ? "hello" : "hello world") << cut;
    const ChunkedData rest = take_complete_chunks(std::string_view(framed).substr(first.consumed));
    EXPECT_EQ(first.data + rest.data, "hello world") << cut;
    EXPECT_TRUE(first.last_chunk || rest.last_chunk) << cut;
  }
}

TEST(RemoveChunkedFraming, RefusesFramingThatEndsEarly) {
  EXPECT_EQ(remove_chunked_framing("5\r\nhel"), std::nullopt);
  EXPECT_EQ(remove_chunked_framing("zz\r\n"), std::nullopt);
  EXPECT_EQ(remove_chunked_framing("3\r\nabcX0\r\n\r\n"), std::nullopt);
}

}  // namespace
}  // namespace nodrop::http
