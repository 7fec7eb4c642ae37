#include "sim/fake_prober.h"

#include <gtest/gtest.h>

#include <optional>

#include "sim/sim_loop.h"

namespace nodrop::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

runtime::ProbeSpec tcp(std::uint16_t port) {
  return {runtime::TcpSocketAction{"127.0.2.1", port}, seconds(1)};
}

TEST(FakeProber, AnswersWhatTheScriptSaysAfterItsLatency) {
  SimLoop loop;
  FakeProber prober(loop);
  prober.set_script([](const runtime::ProbeSpec& spec) {
    const auto port = std::get<runtime::TcpSocketAction>(spec.action).port;
    return FakeProber::Answer{
        {port == 80 ? runtime::ProbeResult::kSuccess : runtime::ProbeResult::kFailure, ""},
        milliseconds(300)};
  });
  std::optional<runtime::ProbeOutcome> good;
  std::optional<runtime::ProbeOutcome> bad;
  prober.probe(tcp(80), [&](const runtime::ProbeOutcome& o) { good = o; });
  prober.probe(tcp(81), [&](const runtime::ProbeOutcome& o) { bad = o; });
  loop.advance(milliseconds(299));
  EXPECT_FALSE(good.has_value());
  loop.advance(milliseconds(1));
  ASSERT_TRUE(good && bad);
  EXPECT_EQ(good->result, runtime::ProbeResult::kSuccess);
  EXPECT_EQ(bad->result, runtime::ProbeResult::kFailure);
  EXPECT_EQ(prober.probes().size(), 2U);
}

TEST(FakeProber, AnAnswerSlowerThanTheTimeoutIsAFailureAtTheTimeout) {
  SimLoop loop;
  FakeProber prober(loop);
  prober.set_script([](const runtime::ProbeSpec&) {
    return FakeProber::Answer{{runtime::ProbeResult::kSuccess, ""}, seconds(5)};
  });
  std::optional<runtime::ProbeOutcome> outcome;
  prober.probe(tcp(80), [&](const runtime::ProbeOutcome& o) { outcome = o; });
  loop.advance(seconds(1));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, runtime::ProbeResult::kFailure);
}

TEST(FakeProber, ACancelledProbeNeverReportsAndNothingReportsInsideProbe) {
  SimLoop loop;
  FakeProber prober(loop);
  bool reported = false;
  const runtime::ProbeId id =
      prober.probe(tcp(80), [&](const runtime::ProbeOutcome&) { reported = true; });
  EXPECT_FALSE(reported);
  EXPECT_TRUE(prober.cancel(id));
  loop.advance(seconds(10));
  EXPECT_FALSE(reported);
  EXPECT_EQ(prober.in_flight(), 0U);
}

}  // namespace
}  // namespace nodrop::sim
