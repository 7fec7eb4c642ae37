// The live prober against real sockets and processes on 127.0.0.1. Every wait is bounded.
#include "live/probers.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "live/sockets/tcp.h"

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
    const Ipv4Endpoint any_port{Ipv4Address::loopback(), 0};
    Result<Listener> bound =
        listening ? listen_tcp(any_port, {.backlog = 16}) : bind_refusing_port(any_port);
    EXPECT_TRUE(bound.is_ok()) << bound.status().to_string();
    if (bound) listener_ = std::move(bound).value();
  }
  int fd() const { return listener_.socket.fd(); }
  std::uint16_t port() const { return listener_.endpoint.port; }

 private:
  Listener listener_;
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
  }
  std::uint16_t port() const { return listener_.port(); }
  const std::string& request() const { return request_; }

 private:
  void accept_one() {
    Accepted accepted = accept_connection(listener_.fd());
    if (accepted.outcome != IoOutcome::kDone || client_.is_open()) return;
    client_ = std::move(accepted.socket);
    client_watch_ = loop_.watch(client_.fd(), kReadable, [this](std::uint32_t) {
      char chunk[4096];
      const IoResult got = read_some(client_.fd(), chunk, sizeof chunk);
      if (got.outcome == IoOutcome::kDone) request_.append(chunk, got.bytes);
      if (request_.find("\r\n\r\n") == std::string::npos && got.outcome == IoOutcome::kDone) {
        return;
      }
      write_some(client_.fd(), response_.data(), response_.size());
      loop_.unwatch(*client_watch_);
      client_watch_.reset();
      client_.reset();
    });
  }

  EpollLoop& loop_;
  LocalSocket listener_;
  std::string response_;
  WatchId watch_ = 0;
  FileDescriptor client_;
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
