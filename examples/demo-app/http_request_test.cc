#include "http_request.h"

#include <gtest/gtest.h>

#include <string>

namespace demo_app {
namespace {

TEST(DemoAppHttpRequest, NeedsTheWholeHeadBeforeAnswering) {
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nHost: x\r\n").state, ParseState::kIncomplete);
}

TEST(DemoAppHttpRequest, ParsesMethodPathAndWhereTheNextRequestStarts) {
  const std::string two = "GET /a?x=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  const ParseResult first = parse_request(two);
  ASSERT_EQ(first.state, ParseState::kComplete);
  EXPECT_EQ(first.request.method, "GET");
  EXPECT_EQ(first.request.path, "/a");
  EXPECT_TRUE(first.request.keep_alive);
  const ParseResult second = parse_request(std::string_view(two).substr(first.request.total_bytes));
  ASSERT_EQ(second.state, ParseState::kComplete);
  EXPECT_EQ(second.request.path, "/b");
}

TEST(DemoAppHttpRequest, WaitsForTheBodyGivenByContentLength) {
  const std::string head = "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
  EXPECT_EQ(parse_request(head + "abc").state, ParseState::kIncomplete);
  const ParseResult whole = parse_request(head + "abcde");
  ASSERT_EQ(whole.state, ParseState::kComplete);
  EXPECT_EQ(whole.request.total_bytes, head.size() + 5);
}

TEST(DemoAppHttpRequest, HonoursConnectionCloseAndHttp10) {
  EXPECT_FALSE(parse_request("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(parse_request("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(parse_request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").request.keep_alive);
}

TEST(DemoAppHttpRequest, RejectsWhatItCannotServe) {
  EXPECT_EQ(parse_request("nonsense\r\n\r\n").error_status, 400);
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").error_status,
            501);
  EXPECT_EQ(parse_request("POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n").error_status, 413);
  EXPECT_EQ(parse_request(std::string(kMaxHeaderBytes + 1, 'a')).error_status, 431);
}

}  // namespace
}  // namespace demo_app
