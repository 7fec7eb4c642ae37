// verify end to end on its own loop, against a port that refuses: the command really runs, its
// exit status and times are reported, and the load ends a settle time after it.
#include "traffic/run.h"

#include <gtest/gtest.h>

#include "live/sockets/tcp.h"

namespace nodrop::traffic {
namespace {

using std::chrono::milliseconds;

VerifyOptions verify_against(const Ipv4Endpoint& endpoint, std::vector<std::string> command) {
  VerifyOptions options;
  options.load.target.host = "127.0.0.1";
  options.load.target.port = endpoint.port;
  options.load.rate_per_second = 100;
  options.load.duration = std::chrono::seconds(20);
  options.load.timeout = milliseconds(500);
  options.before = milliseconds(100);
  options.settle = milliseconds(200);
  options.command = std::move(command);
  return options;
}

TEST(RunVerify, RunsTheCommandAndEndsTheLoadASettleTimeAfterItExits) {
  Result<live::Listener> refusing = live::bind_refusing_port({Ipv4Address::loopback(), 0});
  ASSERT_TRUE(refusing.is_ok());
  Result<Report> report =
      run_verify(verify_against(refusing->endpoint, {"sh", "-c", "sleep 0.2; exit 3"}), nullptr);
  refusing->socket.reset();
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_TRUE(report->command.has_value());
  EXPECT_EQ(report->command->exit_status, 3);
  EXPECT_FALSE(report->command->killed_at_deadline);
  EXPECT_GE(report->command->started_at, milliseconds(100));
  ASSERT_TRUE(report->command->exited_at.has_value());
  EXPECT_GE(*report->command->exited_at, report->command->started_at + milliseconds(200));
  // Requests are due from 0 until 200 ms after the exit, every one refused. The exit is timed when
  // the loop sees it, which on a busy machine may be a moment after the load's end was scheduled
  // from it: one request either way.
  const auto due_until = *report->command->exited_at + milliseconds(200);
  const auto due =
      static_cast<std::int64_t>((due_until.count() * 100 + 999'999'999) / 1'000'000'000);
  EXPECT_NEAR(static_cast<std::int64_t>(report->recorder.total()), due, 1);
  EXPECT_EQ(report->recorder.count(Outcome::kConnectRefused), report->recorder.total());
  EXPECT_EQ(report->recorder.marks().size(), 2U);
  EXPECT_FALSE(report->passed());
}

TEST(RunVerify, KillsACommandStillRunningWhenTheDurationEnds) {
  Result<live::Listener> refusing = live::bind_refusing_port({Ipv4Address::loopback(), 0});
  ASSERT_TRUE(refusing.is_ok());
  VerifyOptions options = verify_against(refusing->endpoint, {"sleep", "30"});
  options.load.duration = milliseconds(400);
  options.max_failures = 1000;
  Result<Report> report = run_verify(options, nullptr);
  refusing->socket.reset();
  ASSERT_TRUE(report.is_ok());
  EXPECT_TRUE(report->command->killed_at_deadline);
  EXPECT_EQ(report->recorder.total(), 40U);
  EXPECT_FALSE(report->passed());
}

TEST(RunVerify, ACommandThatCannotStartIsAnError) {
  Result<live::Listener> refusing = live::bind_refusing_port({Ipv4Address::loopback(), 0});
  ASSERT_TRUE(refusing.is_ok());
  Result<Report> report = run_verify(
      verify_against(refusing->endpoint, {"/nonexistent/nodrop-no-such-program"}), nullptr);
  refusing->socket.reset();
  EXPECT_FALSE(report.is_ok());
}

}  // namespace
}  // namespace nodrop::traffic
