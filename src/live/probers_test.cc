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

#include "base/check.h"
#include "live/sockets/loopback_server.h"
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

const Ipv4Endpoint kLoopbackAnyPort{Ipv4Address::loopback(), 0};

// A socket on 127.0.0.1 with a kernel-chosen port; listening (the kernel completes handshakes,
// nobody accepts) or only bound (connections are refused).
Listener local_socket(bool listening) {
  Result<Listener> bound = listening ? listen_tcp(kLoopbackAnyPort, {.backlog = 16})
                                     : bind_refusing_port(kLoopbackAnyPort);
  NODROP_CHECK(bound.is_ok());
  return std::move(bound).value();
}

// Answers every request with status and body.
std::unique_ptr<LoopbackServer> http_server(EpollLoop& loop, int status,
                                            const std::string& body = "ok") {
  auto server = LoopbackServer::start(loop, kLoopbackAnyPort, LoopbackServer::Mode::kHttp,
                                      [status, body](const LoopbackServer::Request&) {
                                        LoopbackServer::Cue cue;
                                        cue.status = status;
                                        cue.body = body;
                                        return cue;
                                      });
  NODROP_CHECK(server.is_ok());
  return std::move(server).value();
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
  auto server = http_server(loop_, 200);
  runtime::ProbeSpec spec = http_get(server->endpoint().port, "/healthz?deep=1");
  std::get<runtime::HttpGetAction>(spec.action).headers = {{"X-Probe", "readiness"}};
  EXPECT_EQ(run(spec).result, runtime::ProbeResult::kSuccess);
  const std::string request = server->last_request_head();
  EXPECT_EQ(request.rfind("GET /healthz?deep=1 HTTP/1.1\r\n", 0), 0U) << request;
  EXPECT_NE(request.find("\r\nUser-Agent: kube-probe/1.30\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nAccept: */*\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nX-Probe: readiness\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nHost: 127.0.0.1:" + std::to_string(server->endpoint().port) + "\r\n"),
            std::string::npos)
      << request;
}

TEST_F(LiveProberTest, HttpGetHeadersReplaceTheDefaultUserAgent) {
  auto server = http_server(loop_, 200);
  runtime::ProbeSpec spec = http_get(server->endpoint().port);
  std::get<runtime::HttpGetAction>(spec.action).headers = {{"User-Agent", "mine"}};
  EXPECT_EQ(run(spec).result, runtime::ProbeResult::kSuccess);
  EXPECT_NE(server->last_request_head().find("User-Agent: mine\r\n"), std::string::npos);
  EXPECT_EQ(server->last_request_head().find("kube-probe"), std::string::npos);
}

TEST_F(LiveProberTest, HttpGetSucceedsFor399AndFailsFor400WithTheStatusInTheMessage) {
  auto redirect = http_server(loop_, 399);
  EXPECT_EQ(run(http_get(redirect->endpoint().port)).result, runtime::ProbeResult::kSuccess);
  auto failing = http_server(loop_, 400);
  const runtime::ProbeOutcome outcome = run(http_get(failing->endpoint().port));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kFailure);
  EXPECT_EQ(outcome.message, "HTTP probe failed with statuscode: 400");
  auto unavailable = http_server(loop_, 503);
  EXPECT_EQ(run(http_get(unavailable->endpoint().port)).result, runtime::ProbeResult::kFailure);
}

TEST_F(LiveProberTest, HttpGetReadsAtMost10KiBOfABody) {
  const std::string big(100 * 1024, 'x');
  auto server = http_server(loop_, 200, big);
  const runtime::ProbeOutcome outcome = run(http_get(server->endpoint().port));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kSuccess);
  EXPECT_EQ(outcome.message.size(), runtime::kProbeBodyBytesMax);
}

TEST_F(LiveProberTest, HttpGetToAClosedPortIsAFailureNamingTheUrl) {
  const Listener bound_not_listening = local_socket(false);
  const runtime::ProbeOutcome outcome = run(http_get(bound_not_listening.endpoint.port));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kFailure);
  EXPECT_EQ(outcome.message,
            "Get \"http://127.0.0.1:" + std::to_string(bound_not_listening.endpoint.port) +
                "/healthz\": connect: Connection refused");
}

TEST_F(LiveProberTest, HttpGetThatGetsNoAnswerFailsAtItsTimeout) {
  const Listener never_accepts = local_socket(true);  // the kernel completes the handshake
  runtime::ProbeSpec spec = http_get(never_accepts.endpoint.port);
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
  const Listener listening = local_socket(true);
  EXPECT_EQ(run(tcp_socket(listening.endpoint.port)).result, runtime::ProbeResult::kSuccess);
  const Listener closed = local_socket(false);
  const runtime::ProbeOutcome outcome = run(tcp_socket(closed.endpoint.port));
  EXPECT_EQ(outcome.result, runtime::ProbeResult::kFailure);
  EXPECT_EQ(outcome.message, "dial tcp 127.0.0.1:" + std::to_string(closed.endpoint.port) +
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
  const Listener closed = local_socket(false);
  const runtime::ProbeId refused = prober_.probe(
      tcp_socket(closed.endpoint.port), [&](const runtime::ProbeOutcome&) { reported = true; });
  EXPECT_TRUE(prober_.cancel(slow));
  EXPECT_TRUE(prober_.cancel(refused));
  EXPECT_FALSE(prober_.cancel(refused));
  for (int turn = 0; turn < 5; ++turn) loop_.run_once(milliseconds(10));
  EXPECT_FALSE(reported);
  EXPECT_EQ(prober_.in_flight(), 0U);
}

}  // namespace
}  // namespace nodrop::live
