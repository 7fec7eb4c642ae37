#include "live/loop/precise_timer.h"

#include <gtest/gtest.h>

namespace nodrop::live {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(PreciseTimer, FiresOnceAfterItsDeadline) {
  EpollLoop loop;
  PreciseTimer timer(loop);
  const runtime::Time deadline = loop.clock().now() + microseconds(1500);
  runtime::Time fired_at{};
  int fired = 0;
  timer.arm(deadline, [&] {
    fired_at = loop.clock().now();
    ++fired;
  });
  loop.run_after(milliseconds(50), [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(fired, 1);
  EXPECT_GE(fired_at, deadline);
  EXPECT_FALSE(timer.armed());
}

TEST(PreciseTimer, ReArmingReplacesTheDeadlineAndDisarmCancels) {
  EpollLoop loop;
  PreciseTimer timer(loop);
  int first = 0;
  int second = 0;
  timer.arm(loop.clock().now() + milliseconds(1), [&] { ++first; });
  timer.arm(loop.clock().now() + milliseconds(2), [&] { ++second; });
  PreciseTimer cancelled(loop);
  int never = 0;
  cancelled.arm(loop.clock().now() + milliseconds(1), [&] { ++never; });
  cancelled.disarm();
  loop.run_after(milliseconds(30), [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 1);
  EXPECT_EQ(never, 0);
}

TEST(PreciseTimer, APastDeadlineFiresOnTheNextTurn) {
  EpollLoop loop;
  PreciseTimer timer(loop);
  bool fired = false;
  timer.arm(loop.clock().now() - milliseconds(5), [&] {
    fired = true;
    loop.stop();
  });
  loop.run_after(std::chrono::seconds(5), [&] { loop.stop(); });
  loop.run();
  EXPECT_TRUE(fired);
}

}  // namespace
}  // namespace nodrop::live
