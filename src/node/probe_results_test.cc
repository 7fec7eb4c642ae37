#include "node/probe_results.h"

#include <gtest/gtest.h>

#include <vector>

namespace nodrop::node {
namespace {

using runtime::ProbeResult;
constexpr ProbeResult S = ProbeResult::kSuccess;
constexpr ProbeResult F = ProbeResult::kFailure;
constexpr StoredResult kS = StoredResult::kSuccess;
constexpr StoredResult kF = StoredResult::kFailure;
constexpr StoredResult kU = StoredResult::kUnknown;

// Vector: worker_test.go TestSuccessThreshold.
TEST(ProbeResults, SuccessThresholdNeedsThatManySuccessesInARow) {
  ProbeResults readiness(ProbeType::kReadiness, 3, 1);
  std::vector<StoredResult> stored;
  for (ProbeResult raw : {S, S, S, S, S, F, S, S, S, S, S, F}) {
    readiness.record(raw);
    stored.push_back(readiness.stored());
  }
  EXPECT_EQ(stored, (std::vector<StoredResult>{kF, kF, kS, kS, kS, kF, kF, kF, kS, kS, kS, kF}));
}

// Vector: worker_test.go TestResultRunOnLivenessCheckFailure.
TEST(ProbeResults, LivenessFailureAtTheThresholdResetsTheRun) {
  ProbeResults liveness(ProbeType::kLiveness, 1, 3);
  std::vector<StoredResult> stored;
  std::vector<int> runs;
  for (ProbeResult raw : {S, F, F, F}) {
    liveness.record(raw);
    stored.push_back(liveness.stored());
    runs.push_back(liveness.result_run());
  }
  EXPECT_EQ(stored, (std::vector<StoredResult>{kS, kS, kS, kF}));
  EXPECT_EQ(runs, (std::vector<int>{1, 1, 2, 0}));
}

// Vector: worker_test.go TestOnHoldOnLivenessOrStartupCheckFailure/{liveness,startup}.
TEST(ProbeResults, LivenessAndStartupFailuresHoldUntilANewContainer) {
  for (const ProbeType type : {ProbeType::kLiveness, ProbeType::kStartup}) {
    ProbeResults results(type, 1, 1);
    results.record(F);
    EXPECT_EQ(results.stored(), kF);
    EXPECT_TRUE(results.on_hold());
    // The worker does not probe while on hold: nothing is recorded.
    results.new_container();
    EXPECT_EQ(results.stored(), type == ProbeType::kLiveness ? kS : kU);
    EXPECT_FALSE(results.on_hold());
    results.record(S);
    EXPECT_EQ(results.stored(), kS);
    EXPECT_FALSE(results.on_hold());
  }
}

TEST(ProbeResults, InitialValuesAndErrorsThrownAway) {
  EXPECT_EQ(ProbeResults(ProbeType::kReadiness, 1, 3).stored(), kF);
  EXPECT_EQ(ProbeResults(ProbeType::kLiveness, 1, 3).stored(), kS);
  EXPECT_EQ(ProbeResults(ProbeType::kStartup, 1, 3).stored(), kU);
  ProbeResults readiness(ProbeType::kReadiness, 1, 3);
  EXPECT_FALSE(readiness.record(ProbeResult::kError));
  EXPECT_EQ(readiness.result_run(), 0);
  EXPECT_TRUE(readiness.record(ProbeResult::kWarning));  // counts as Success
  EXPECT_EQ(readiness.stored(), kS);
}

TEST(ProbeResults, ReadinessKeepsProbingAfterAFailure) {
  ProbeResults readiness(ProbeType::kReadiness, 1, 2);
  readiness.record(S);
  readiness.record(F);
  EXPECT_EQ(readiness.stored(), kS);
  readiness.record(F);
  EXPECT_EQ(readiness.stored(), kF);
  EXPECT_FALSE(readiness.on_hold());
  readiness.record(S);
  EXPECT_EQ(readiness.stored(), kS);
}

}  // namespace
}  // namespace nodrop::node
