// The live prober against real sockets and processes on 127.0.0.1. Every wait is bounded.
#include "live/probers.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace nodrop::live {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWaitLimit = seconds(20);  // only stops a hang

template <typename Predicate>
bool run_until(EpollLoop& loop, Predicate done) {
  const runtime::Time deadline = loop.clock().now() + kWaitLimit;
  while (!done()) {
    if (loop.clock().now() >= deadline) return false;
    loop.run_once(milliseconds(10));
  }
  return true;
}

// A socket on 127.0.0.1 with a kernel-chosen port; listening or not.
class LocalSocket {
 public:
  explicit LocalSocket(bool listening) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    if (listening) {
      EXPECT_EQ(listen(fd_, 16), 0);
    }
  }
  ~LocalSocket() { close(fd_); }
  int fd() const { return fd_; }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// Answers every connection with one scripted response after reading the request head.
class ScriptedHttpServer {
 public:
  ScriptedHttpServer(EpollLoop& loop, std::string response)
      : loop_(loop), listener_(true), response_(std::move(response)) {
    watch_ = loop_.watch(listener_.fd(), kReadable, [this](std::uint32_t) { accept_one(); });
  }
  ~ScriptedHttpServer() {
    loop_.unwatch(watch_);
    if (client_watch_) loop_.unwatch(*client_watch_);
    if (client_ >= 0) close(client_);
  }
  std::uint16_t port() const { return listener_.port(); }
  const std::string& request() const { return request_; }

 private:
  void accept_one() {
    const int fd = accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (client_ >= 0) {
      close(fd);
      return;
    }
    client_ = fd;
    client_watch_ = loop_.watch(client_, kReadable, [this](std::uint32_t) {
      char chunk[4096];
      const ssize_t got = recv(client_, chunk, sizeof chunk, 0);
      if (got > 0) request_.append(chunk, static_cast<std::size_t>(got));
      if (request_.find("\r\n\r\n") == std::string::npos && got > 0) return;
      [[maybe_unused]] const auto sent =
          send(client_, response_.data(), response_.size(), MSG_NOSIGNAL);
      loop_.unwatch(*client_watch_);
      client_watch_.reset();
      close(client_);
      client_ = -1;
    });
  }

  EpollLoop& loop_;
  LocalSocket listener_;
  std::string response_;
  WatchId watch_ = 0;
  int client_ = -1;
  std::optional<WatchId> client_watch_;
  std::string request_;
};

std::string response_with_status(int status, const std::string& body = "ok") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

runtime::ProbeSpec http_get(std::uint16_t port, std::string path = "/healthz") {
  runtime::HttpGetAction action;
  action.host = "127.0.0.1";
  action.port = port;
  action.path = std::move(path);
  return {action, seconds(5)};
}

runtime::ProbeSpec tcp_socket(std::uint16_t port) {
  return {runtime::TcpSocketAction{"127.0.0.1", port}, seconds(5)};
}

runtime::ProbeSpec exec(std::string script, runtime::Duration timeout = seconds(5)) {
  runtime::ExecAction action;
  action.argv = {"sh", "-c", std::move(script)};
  return {action, timeout};
}

class LiveProberTest : public ::testing::Test {
 protected:
  runtime::ProbeOutcome run(const runtime::ProbeSpec& spec) {
    std::optional<runtime::ProbeOutcome> outcome;
    prober_.probe(spec, [&](const runtime::ProbeOutcome& o) { outcome = o; });
    EXPECT_FALSE(outcome.has_value()) << "done ran inside probe()";
    EXPECT_TRUE(run_until(loop_, [&] { return outcome.has_value(); }));
    EXPECT_EQ(prober_.in_flight(), 0U);
    return outcome.value_or(runtime::ProbeOutcome{});
  }

  EpollLoop loop_;
  LiveProber prober_{loop_};
};

TEST_F(LiveProberTest, HttpGet200IsSuccessAndSendsKubernetesHeaders) {
  ScriptedHttpServer server(loop_, response_with_status(200));
  runtime::ProbeSpec spec = http_get(server.port(), "/healthz?deep=1");
  std::get<runtime::HttpGetAction>(spec.action).headers = {{"X-Probe", "readiness"}};
  EXPECT_EQ(run(spec).result, runtime::ProbeResult::kSuccess);
  const std::string& request = server.request();
  EXPECT_EQ(request.rfind("GET /healthz?deep=1 HTTP/1.1\r\n", 0), 0U) << request;
  EXPECT_NE(request.find("\r\nUser-Agent: kube-probe/1.30\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nAccept: */*\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nX-Probe: readiness\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos)
      << request;
}

TEST_F(LiveProberTest, HttpGetHeadersReplaceTheDefaultUserAgent) {
  ScriptedHttpServer server(loop_, response_with_status(200));
  runtime::ProbeSpec spec = http_get(server.port());
  std::get<runtime::HttpGetAction>(spec.action).headers = {{"User-Agent", "mine"}};
  EXPECT_EQ(run(spec).result, runtime::ProbeResult::kSuccess);
  EXPECT_NE(server.request().find("User-Agent: mine\r\n"), std::string::npos);
  EXPECT_EQ(server.request().find("kube-probe"), std::string::npos);
}

TEST_F(LiveProberTest, HttpGetSucceedsFor399AndFailsFor400WithTheStatusInTheMessage) {
  ScriptedHttpServer redirect(loop_, response_with_status(399));
  EXPECT_EQ(run(http_get(redirect.port())).result, runtime::ProbeResult::kSuccess);
  ScriptedHttpServer failing(loop_, response_with_status(400));
  const runtime::ProbeOutcome outcome = run(http_get(failing.port()));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kFailure);
  EXPECT_EQ(outcome.message, "HTTP probe failed with statuscode: 400");
  ScriptedHttpServer unavailable(loop_, response_with_status(503));
  EXPECT_EQ(run(http_get(unavailable.port())).result, runtime::ProbeResult::kFailure);
}

TEST_F(LiveProberTest, HttpGetReadsAtMost10KiBOfABody) {
  const std::string big(100 * 1024, 'x');
  ScriptedHttpServer server(loop_, response_with_status(200, big));
  const runtime::ProbeOutcome outcome = run(http_get(server.port()));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kSuccess);
  EXPECT_EQ(outcome.message.size(), runtime::kProbeBodyBytesMax);
}

TEST_F(LiveProberTest, HttpGetToAClosedPortIsAFailureNamingTheUrl) {
  LocalSocket bound_not_listening(false);
  const runtime::ProbeOutcome outcome = run(http_get(bound_not_listening.port()));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kFailure);
  EXPECT_EQ(outcome.message,
            "Get \"http://127.0.0.1:" + std::to_string(bound_not_listening.port()) +
                "/healthz\": connect: Connection refused");
}

TEST_F(LiveProberTest, HttpGetThatGetsNoAnswerFailsAtItsTimeout) {
  LocalSocket never_accepts(true);  // the kernel completes the handshake; nobody answers
  runtime::ProbeSpec spec = http_get(never_accepts.port());
  spec.timeout = milliseconds(200);
  const runtime::Time started = loop_.clock().now();
  const runtime::ProbeOutcome outcome = run(spec);
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kFailure);
  EXPECT_NE(outcome.message.find("timeout after 200ms"), std::string::npos) << outcome.message;
  EXPECT_GE(loop_.clock().now() - started, milliseconds(200));  // a lower bound only
}

TEST_F(LiveProberTest, HttpGetToAnInvalidHostIsAnError) {
  runtime::ProbeSpec spec = http_get(80);
  std::get<runtime::HttpGetAction>(spec.action).host = "pod.example";
  EXPECT_EQ(run(spec).result, runtime::ProbeResult::kError);
}

TEST_F(LiveProberTest, TcpSocketSucceedsOnConnectAndFailsWhenRefused) {
  LocalSocket listening(true);
  EXPECT_EQ(run(tcp_socket(listening.port())).result, runtime::ProbeResult::kSuccess);
  LocalSocket closed(false);
  const runtime::ProbeOutcome outcome = run(tcp_socket(closed.port()));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kFailure);
  EXPECT_EQ(outcome.message, "dial tcp 127.0.0.1:" + std::to_string(closed.port()) +
                                 ": connect: Connection refused");
}

TEST_F(LiveProberTest, ExecSucceedsOnExitZeroAndKeepsItsOutput) {
  const runtime::ProbeOutcome outcome = run(exec("echo healthy"));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kSuccess);
  EXPECT_EQ(outcome.message, "healthy\n");
  EXPECT_EQ(run(exec("echo sick >&2; exit 1")).message, "sick\n");
  EXPECT_EQ(run(exec("exit 1")).result, runtime::ProbeResult::kFailure);
}

TEST_F(LiveProberTest, ExecKeepsAtMost10KiBOfOutput) {
  const runtime::ProbeOutcome outcome =
      run(exec("i=0; while [ $i -lt 3000 ]; do echo 0123456789; i=$((i+1)); done"));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kSuccess);
  EXPECT_EQ(outcome.message.size(), runtime::kProbeOutputBytesMax);
}

TEST_F(LiveProberTest, ExecThatOutlivesItsTimeoutFailsAndIsKilled) {
  char pattern[] = "/tmp/nodrop-probe-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::filesystem::path pid_file = std::filesystem::path(pattern) / "pid";
  const runtime::ProbeOutcome outcome =
      run(exec("echo $$ > " + pid_file.string() + "; exec sleep 1000", milliseconds(300)));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kFailure);
  EXPECT_EQ(outcome.message, "command \"sh\" timed out after 300ms");
  int pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_NE(kill(pid, 0), 0);  // killed and reaped
  std::filesystem::remove_all(pattern);
}

TEST_F(LiveProberTest, ExecOfAMissingCommandIsAFailureThatSaysSo) {
  runtime::ExecAction action;
  action.argv = {"no-such-probe-command"};
  const runtime::ProbeOutcome outcome = run({action, seconds(1)});
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kFailure);
  EXPECT_NE(outcome.message.find("no-such-probe-command"), std::string::npos) << outcome.message;
}

TEST_F(LiveProberTest, ACancelledProbeNeverReports) {
  bool reported = false;
  const runtime::ProbeId slow = prober_.probe(
      exec("sleep 1000", seconds(10)), [&](const runtime::ProbeOutcome&) { reported = true; });
  LocalSocket closed(false);
  const runtime::ProbeId refused = prober_.probe(
      tcp_socket(closed.port()), [&](const runtime::ProbeOutcome&) { reported = true; });
  EXPECT_TRUE(prober_.cancel(slow));
  EXPECT_TRUE(prober_.cancel(refused));
  EXPECT_FALSE(prober_.cancel(refused));
  for (int turn = 0; turn < 5; ++turn) loop_.run_once(milliseconds(10));
  EXPECT_FALSE(reported);
  EXPECT_EQ(prober_.in_flight(), 0U);
}

}  // namespace
}  // namespace nodrop::live
