#include "node/restart_backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace nodrop::node {
namespace {

using std::chrono::seconds;

runtime::Time at(std::int64_t second) { return runtime::Time(seconds(second)); }

// Vector: client-go flowcontrol/backoff_test.go TestSlowBackoff (Get before each Next, 1 s apart).
TEST(RestartBackoff, SlowBackoffDoublesUpToItsMaximum) {
  RestartBackoff backoff(seconds(1), seconds(50));
  std::vector<std::int64_t> seen;
  for (int call = 0; call < 10; ++call) {
    seen.push_back(std::chrono::duration_cast<seconds>(backoff.get("id")).count());
    backoff.next("id", at(call), at(call));
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{0, 1, 2, 4, 8, 16, 32, 50, 50, 50}));
}

// Vector: client-go flowcontrol/backoff_test.go TestBackoffReset.
TEST(RestartBackoff, AnEntryUnusedForTwiceTheMaximumExpires) {
  RestartBackoff backoff(seconds(1), seconds(5));
  std::int64_t now = 0;
  for (int call = 0; call < 6; ++call, ++now) backoff.next("id", at(now), at(now));
  const runtime::Time last_update = at(now - 1);
  EXPECT_TRUE(backoff.in_backoff_since("id", last_update, last_update));
  EXPECT_FALSE(backoff.in_backoff_since("id", at(now - 1 + 11), at(now - 1 + 11)));
  backoff.next("id", at(now - 1 + 11), at(now - 1 + 11));
  EXPECT_EQ(backoff.get("id"), seconds(1));  // started again
}

// The kubelet's use (reference/k8s-semantics.md §2.3): a container that crashes at once after
// every start is restarted 0, 10, 20, 40, 80, 160, 300, 300 s after each crash.
TEST(RestartBackoff, KubeletRestartDelaysAfterEachCrash) {
  RestartBackoff backoff;
  std::vector<std::int64_t> delays;
  runtime::Time now = at(1000);
  for (int crash = 0; crash < 8; ++crash) {
    const runtime::Time finished_at = now;  // the container exits as soon as it starts
    const auto ends = backoff.backoff_ends("pod/app", finished_at, now);
    const runtime::Time restart_at = ends.value_or(now);
    backoff.next("pod/app", finished_at, restart_at);
    delays.push_back(std::chrono::duration_cast<seconds>(restart_at - finished_at).count());
    now = restart_at;
  }
  EXPECT_EQ(delays, (std::vector<std::int64_t>{0, 10, 20, 40, 80, 160, 300, 300}));
}

TEST(RestartBackoff, AContainerThatRanForMoreThanTenMinutesRestartsAtOnce) {
  RestartBackoff backoff;
  backoff.next("pod/app", at(0), at(0));
  backoff.next("pod/app", at(10), at(20));  // backoff 20 s, last update at 20
  // Crash at 20 + 601 s: expired, so not in backoff, and the next backoff is 10 s again.
  EXPECT_FALSE(backoff.in_backoff_since("pod/app", at(621), at(621)));
  backoff.next("pod/app", at(621), at(621));
  EXPECT_EQ(backoff.get("pod/app"), seconds(10));
  // A crash at exactly 2 × max after the last update is not yet expired (strict '>').
  RestartBackoff edge;
  edge.next("k", at(0), at(0));
  EXPECT_TRUE(edge.in_backoff_since("k", at(600), at(605)));
}

}  // namespace
}  // namespace nodrop::node
