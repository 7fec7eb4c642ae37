#include "traffic/load_options.h"

#include <gtest/gtest.h>

namespace nodrop::traffic {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ParseTarget, AcceptsHttpAndTcpUrls) {
  Result<Target> http = parse_target("http://127.0.0.1:8080/healthz?x=1");
  ASSERT_TRUE(http.is_ok()) << http.status().to_string();
  EXPECT_EQ(http->protocol, Protocol::kHttp);
  EXPECT_EQ(http->host, "127.0.0.1");
  EXPECT_EQ(http->port, 8080);
  EXPECT_EQ(http->path, "/healthz?x=1");

  Result<Target> bare = parse_target("http://localhost");
  ASSERT_TRUE(bare.is_ok());
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->path, "/");

  Result<Target> tcp = parse_target("tcp://127.0.0.1:7");
  ASSERT_TRUE(tcp.is_ok());
  EXPECT_EQ(tcp->protocol, Protocol::kTcpEcho);
}

TEST(ParseTarget, RefusesWhatItCannotLoadWithAReason) {
  for (const char* bad : {"127.0.0.1:80", "https://x/", "http://:80/", "http://h:0/",
                          "http://h:70000/", "http://h:8x/", "tcp://h", "tcp://h:1/path",
                          "http://[::1]:80/", "http://u@h/", "http://h/a b"}) {
    Result<Target> target = parse_target(bad);
    EXPECT_FALSE(target.is_ok()) << bad;
    if (!target.is_ok()) {
      EXPECT_EQ(target.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(ParseLoadOptions, ReadsEveryOption) {
  Result<LoadOptions> options = parse_load_options({"http://127.0.0.1:9/x",
                                                    "--rate",
                                                    "5000",
                                                    "--duration",
                                                    "3s",
                                                    "--connections",
                                                    "8",
                                                    "--new-connection",
                                                    "--timeout",
                                                    "250ms",
                                                    "--method",
                                                    "POST",
                                                    "--header",
                                                    "X-A: b",
                                                    "--body",
                                                    "hi",
                                                    "--json",
                                                    "-",
                                                    "--svg",
                                                    "t.svg",
                                                    "--source",
                                                    "127.0.88.1-127.0.88.3",
                                                    "--quiet"});
  ASSERT_TRUE(options.is_ok()) << options.status().to_string();
  EXPECT_EQ(options->rate_per_second, 5000U);
  EXPECT_EQ(options->duration, seconds(3));
  EXPECT_EQ(options->connections, 8U);
  EXPECT_EQ(options->mode, ConnectionMode::kNewConnection);
  EXPECT_EQ(options->timeout, milliseconds(250));
  EXPECT_EQ(build_request(*options),
            "POST /x HTTP/1.1\r\nHost: 127.0.0.1:9\r\nUser-Agent: nodrop-load\r\nX-A: b\r\n"
            "Connection: close\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(options->json_path, "-");
  EXPECT_TRUE(options->quiet);
  ASSERT_TRUE(options->sources.has_value());
  EXPECT_EQ(options->sources->to_string(), "127.0.88.1-127.0.88.3");

  Result<LoadOptions> max = parse_load_options({"http://h/", "--rate", "max"});
  ASSERT_TRUE(max.is_ok());
  EXPECT_FALSE(max->rate_per_second.has_value());
}

TEST(ParseLoadOptions, BoundsEveryValue) {
  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {},
           {"http://h/", "--rate", "0"},
           {"http://h/", "--rate", "1000001"},
           {"http://h/", "--rate", "fast"},
           {"http://h/", "--duration", "2h"},
           {"http://h/", "--connections", "10001"},
           {"http://h/", "--timeout", "61s"},
           {"http://h/", "--timeout"},
           {"http://h/", "--header", "no colon"},
           {"http://h/", "--method", "GE T"},
           {"http://h/", "--body", std::string(LoadOptions::kMaxRequestBytes, 'x')},
           {"http://h/", "--frobnicate"},
           {"http://h/", "--source", "10.0.0.1"},
           {"http://h/", "--source", "127.0.0.9-127.0.0.1"},
           {"http://h/", "http://i/"},
       }) {
    Result<LoadOptions> options = parse_load_options(bad);
    EXPECT_FALSE(options.is_ok()) << (bad.empty() ? "(none)" : bad.back());
  }
}

TEST(ParseVerifyOptions, SplitsLoadOptionsFromTheCommand) {
  Result<VerifyOptions> options =
      parse_verify_options({"http://h/", "--rate", "50", "--settle", "2s", "--before", "0s",
                            "--max-failures", "3", "--", "sh", "-c", "exit 0"});
  ASSERT_TRUE(options.is_ok()) << options.status().to_string();
  EXPECT_EQ(options->load.rate_per_second, 50U);
  EXPECT_EQ(options->load.duration, std::chrono::minutes(10));
  EXPECT_EQ(options->settle, seconds(2));
  EXPECT_EQ(options->before, runtime::Duration::zero());
  EXPECT_EQ(options->max_failures, 3U);
  EXPECT_EQ(options->command, (std::vector<std::string>{"sh", "-c", "exit 0"}));

  EXPECT_FALSE(parse_verify_options({"http://h/", "--rate", "50"}).is_ok());
  EXPECT_FALSE(parse_verify_options({"http://h/", "--rate", "50", "--"}).is_ok());
  EXPECT_FALSE(parse_verify_options({"http://h/", "--rate", "max", "--", "true"}).is_ok());
  EXPECT_FALSE(parse_verify_options({"http://h/", "--settle", "11m", "--", "true"}).is_ok());
}

}  // namespace
}  // namespace nodrop::traffic
