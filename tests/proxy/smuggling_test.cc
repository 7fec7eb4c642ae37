// Request smuggling, end to end: nodrop's HTTP data plane in front of a real nginx, fed the
// framing tricks that make a proxy and the server behind it disagree about where a request ends.
// nginx logs the request line of every request it reads; each test asserts that nginx saw exactly
// the requests the client meant to send, never a second one hidden in a body.
//
// Addresses: 127.0.40.1, used by no other test; nginx and the proxy on ephemeral ports (ctest runs
// these tests side by side).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "live/loop/thread.h"
#include "live/processes/command_process.h"
#include "live/sockets/blocking_client.h"
#include "live/sockets/tcp.h"
#include "proxy/transport/proxy.h"

namespace nodrop {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr Ipv4Address kAddress = Ipv4Address::of(127, 0, 40, 1);
constexpr milliseconds kTimeout{10000};  // only stops a hang

std::vector<std::string> lines_of(const fs::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

// nginx in the foreground, one process, answering every request with 200 "ok" after reading and
// discarding its body, and logging each request line.
class Nginx {
 public:
  static std::unique_ptr<Nginx> start() {
    auto nginx = std::unique_ptr<Nginx>(new Nginx());
    // A port the kernel picks, freed for nginx to take (a race only with another program binding
    // the same ephemeral port in between).
    {
      auto probe = live::bind_refusing_port({kAddress, 0});
      if (!probe.is_ok()) return nullptr;
      nginx->port_ = probe->endpoint.port;
    }
    std::ofstream(nginx->dir_ / "nginx.conf")
        << "daemon off;\nmaster_process off;\nworker_processes 1;\npid " << (nginx->dir_ / "pid")
        << ";\nerror_log " << (nginx->dir_ / "error.log") << " info;\n"
        << "events { worker_connections 64; }\n"
        << "http {\n"
        << "  log_format lines '$request';\n"
        << "  access_log " << (nginx->dir_ / "access.log") << " lines;\n"
        << "  client_body_temp_path " << (nginx->dir_ / "body") << ";\n"
        << "  proxy_temp_path " << (nginx->dir_ / "proxy") << ";\n"
        << "  fastcgi_temp_path " << (nginx->dir_ / "fastcgi") << ";\n"
        << "  uwsgi_temp_path " << (nginx->dir_ / "uwsgi") << ";\n"
        << "  scgi_temp_path " << (nginx->dir_ / "scgi") << ";\n"
        << "  keepalive_requests 10000;\n"
        << "  server {\n"
        << "    listen 127.0.40.1:" << nginx->port_ << ";\n"
        << "    location / { return 200 \"ok $request_uri\\n\"; }\n"
        << "  }\n"
        << "}\n";
    auto process = live::CommandProcess::spawn({"/usr/sbin/nginx", "-p", nginx->dir_.string(), "-e",
                                                (nginx->dir_ / "error.log").string(), "-c",
                                                (nginx->dir_ / "nginx.conf").string()});
    if (!process.is_ok()) return nullptr;
    nginx->process_ = std::make_unique<live::CommandProcess>(std::move(process.value()));
    const bool listening = live::poll_until(
        [&] {
          return live::BlockingClient::connect({kAddress, nginx->port_}, kTimeout).is_ok();
        },
        kTimeout);
    if (!listening) return nullptr;
    return nginx;
  }
  ~Nginx() {
    process_.reset();  // SIGKILL and reap
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::uint16_t port() const { return port_; }
  // The request lines nginx has logged so far.
  std::vector<std::string> requests() const { return lines_of(dir_ / "access.log"); }

 private:
  Nginx() : dir_(fs::temp_directory_path() / ("nodrop-smuggling-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }

  fs::path dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<live::CommandProcess> process_;
};

class SmugglingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/sbin/nginx")) GTEST_SKIP() << "nginx is not installed";
    nginx_ = Nginx::start();
    ASSERT_NE(nginx_, nullptr) << "nginx did not start";
    proxy::ProxyOptions options;
    options.listen = {kAddress, 0};
    auto started = proxy::Proxy::start(options);
    ASSERT_TRUE(started.is_ok()) << started.status().to_string();
    proxy_ = std::move(started.value());
    auto generation = proxy_->set_endpoints(std::vector<proxy::Endpoint>{
        {.address = {kAddress, nginx_->port()}, .node_name = "node-a"}});
    ASSERT_TRUE(generation.is_ok());
    ASSERT_TRUE(live::poll_until(
        [&] { return proxy_->publisher().acknowledged_by_all(*generation); }, kTimeout));
    // nginx's own readiness probe above was one connection without a request: not logged.
  }

  // Sends bytes on a new connection and returns everything the proxy answered until it closed
  // (after the client's own half-close).
  std::string exchange(const std::string& bytes) {
    auto client = live::BlockingClient::connect({kAddress, proxy_->port()}, kTimeout);
    EXPECT_TRUE(client.is_ok());
    if (!client.is_ok()) return "";
    EXPECT_TRUE(client->send_all(bytes).is_ok());
    client->shutdown_write();
    auto answer = client->receive_until_close();
    return answer.is_ok() ? *answer : "error: " + answer.status().to_string();
  }

  // Waits until nginx has logged count requests (or the timeout) and returns them.
  std::vector<std::string> nginx_requests(std::size_t count) {
    live::poll_until([&] { return nginx_->requests().size() >= count; }, milliseconds(2000));
    return nginx_->requests();
  }

  std::unique_ptr<Nginx> nginx_;
  std::unique_ptr<proxy::Proxy> proxy_;
};

std::size_t count_responses(const std::string& answer) {
  std::size_t count = 0;
  for (std::size_t at = answer.find("HTTP/1.1 "); at != std::string::npos;
       at = answer.find("HTTP/1.1 ", at + 1)) {
    ++count;
  }
  return count;
}

const std::string kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";

TEST_F(SmugglingTest, ContentLengthNamedInConnectionStillFramesTheBodyAtTheServer) {
  const std::string answer =
      exchange("POST /form HTTP/1.1\r\nHost: t\r\nConnection: Content-Length\r\nContent-Length: " +
               std::to_string(kSmuggled.size()) + "\r\n\r\n" + kSmuggled);
  EXPECT_EQ(count_responses(answer), 1U) << answer;
  EXPECT_NE(answer.find("ok /form"), std::string::npos) << answer;
  EXPECT_EQ(nginx_requests(2), std::vector<std::string>{"POST /form HTTP/1.1"});
}

TEST_F(SmugglingTest, TransferEncodingNamedInConnectionStillFramesTheBodyAtTheServer) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx", kSmuggled.size());
  const std::string answer = exchange(
      "POST /form HTTP/1.1\r\nHost: t\r\nConnection: close, Transfer-Encoding\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      std::string(size) + "\r\n" + kSmuggled + "\r\n0\r\n\r\n");
  EXPECT_EQ(count_responses(answer), 1U) << answer;
  EXPECT_EQ(nginx_requests(2), std::vector<std::string>{"POST /form HTTP/1.1"});
}

TEST_F(SmugglingTest, HostNamedInConnectionIsStillSentToTheServer) {
  const std::string answer =
      exchange("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close, Host\r\n\r\n");
  EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;  // nginx needs Host
  EXPECT_EQ(nginx_requests(1), std::vector<std::string>{"GET /a HTTP/1.1"});
}

TEST_F(SmugglingTest, ChunkedFramingWithABareLfIsRefusedBeforeAnyHiddenRequestReachesTheServer) {
  // A bare LF after the chunk size and an extension: read as a line end by one HTTP recipient
  // and as part of the extension by another, which then reads the data as a new request.
  for (const std::string& framing : {
           std::string("2;x\nzz\r\n") + "0\r\n\r\n" + kSmuggled,
           std::string("2\r\nzz\n0\r\n\r\n") + kSmuggled,
           std::string("0\r\nX: 1\n\r\n") + kSmuggled,
       }) {
    const std::string answer =
        exchange("POST /form HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + framing);
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0U) << answer;
    EXPECT_EQ(count_responses(answer), 1U) << answer;
  }
  for (const std::string& line : nginx_requests(3)) {
    EXPECT_EQ(line.find("smuggled"), std::string::npos) << line;
  }
}

TEST_F(SmugglingTest, AmbiguousRoutingIsRefusedWithoutReachingTheServer) {
  for (const std::string& request : {
           std::string("GET /a HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n"),
           std::string("GET http://u/a HTTP/1.1\r\nHost: t\r\n\r\n"),
           std::string("GET /a\x01 HTTP/1.1\r\nHost: t\r\n\r\n"),
           std::string("GET /a HTTP/1.1\r\n\r\n"),
           std::string("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: "
                       "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
           std::string("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: "
                       "40\r\n\r\nabc") +
               kSmuggled,
       }) {
    const std::string answer = exchange(request);
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0U) << request << "\n" << answer;
  }
  EXPECT_TRUE(nginx_requests(1).empty());
}

TEST_F(SmugglingTest, Http10WithTransferEncodingClosesTheConnectionAfterTheResponse) {
  auto client = live::BlockingClient::connect({kAddress, proxy_->port()}, kTimeout);
  ASSERT_TRUE(client.is_ok());
  // The client pipelines a second request; after a message with faulty framing neither the
  // client's connection nor the server's may carry another one, so it is never read.
  ASSERT_TRUE(client
                  ->send_all("POST /form HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: "
                             "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
                             kSmuggled)
                  .is_ok());
  auto answer = client->receive_until_close();
  ASSERT_TRUE(answer.is_ok()) << answer.status().to_string();
  EXPECT_EQ(count_responses(*answer), 1U) << *answer;
  EXPECT_NE(answer->find("Connection: close"), std::string::npos) << *answer;
  for (const std::string& line : nginx_requests(1)) {
    EXPECT_EQ(line.find("smuggled"), std::string::npos) << line;
  }
}

// The attack the Connection nomination allowed, in full: a body smuggled on a pooled upstream
// connection answered another client's request. Many clients in turn, each must get its own
// response.
TEST_F(SmugglingTest, ClientsOnAPooledUpstreamConnectionGetTheirOwnResponses) {
  const std::string attack =
      "POST /attack HTTP/1.1\r\nHost: t\r\nConnection: Content-Length\r\n"
      "Content-Length: " +
      std::to_string(kSmuggled.size()) + "\r\n\r\n" + kSmuggled;
  for (int round = 0; round < 20; ++round) {
    exchange(attack);
    const std::string path = "/victim-" + std::to_string(round);
    const std::string answer = exchange("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_NE(answer.find("ok " + path + "\n"), std::string::npos) << answer;
    EXPECT_EQ(count_responses(answer), 1U) << answer;
  }
  for (const std::string& line : nginx_requests(40)) {
    EXPECT_EQ(line.find("smuggled"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace nodrop
