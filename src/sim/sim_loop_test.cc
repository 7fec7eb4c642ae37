#include "sim/sim_loop.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodrop::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(SimLoop, TimeMovesOnlyWhenTheTestMovesIt) {
  SimLoop loop;
  const runtime::Time start = loop.now();
  EXPECT_EQ(loop.now(), start);
  loop.advance(seconds(5));
  EXPECT_EQ(loop.now() - start, seconds(5));
  EXPECT_EQ(loop.wall_now(), SimLoop::default_wall_start() + seconds(5));
}

TEST(SimLoop, TimersFireInDeadlineOrderAtTheirDeadline) {
  SimLoop loop;
  std::vector<std::string> fired;
  loop.run_after(seconds(3), [&] {
    fired.push_back("c@" + std::to_string(loop.now().time_since_epoch() / milliseconds(1)));
  });
  loop.run_after(seconds(1), [&] {
    fired.push_back("a@" + std::to_string(loop.now().time_since_epoch() / milliseconds(1)));
  });
  loop.run_after(seconds(2), [&] {
    fired.push_back("b@" + std::to_string(loop.now().time_since_epoch() / milliseconds(1)));
  });
  EXPECT_EQ(loop.advance(seconds(2)), 2U);
  EXPECT_EQ(fired, (std::vector<std::string>{"a@1000", "b@2000"}));
  loop.advance(seconds(10));
  EXPECT_EQ(fired.back(), "c@3000");
  EXPECT_EQ(loop.now().time_since_epoch(), seconds(12));
}

TEST(SimLoop, EqualDeadlinesFireInSchedulingOrder) {
  SimLoop loop;
  std::vector<int> fired;
  for (int i = 0; i < 50; ++i) loop.run_after(seconds(1), [&fired, i] { fired.push_back(i); });
  loop.run_until_idle(1000);
  ASSERT_EQ(fired.size(), 50U);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(fired[i], i);
}

TEST(SimLoop, TimerScheduledFromACallbackForNowRunsAfterTimersAlreadyDue) {
  SimLoop loop;
  std::vector<std::string> fired;
  loop.run_after(seconds(1), [&] {
    fired.push_back("first");
    loop.post([&] { fired.push_back("posted"); });
  });
  loop.run_after(seconds(1), [&] { fired.push_back("second"); });
  loop.advance(seconds(1));
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "second", "posted"}));
}

TEST(SimLoop, PastDeadlineFiresAtTheCurrentTimeNotInline) {
  SimLoop loop;
  loop.advance(seconds(10));
  bool fired = false;
  loop.run_at(runtime::Time(seconds(1)), [&] { fired = true; });
  EXPECT_FALSE(fired);
  EXPECT_TRUE(loop.step());
  EXPECT_TRUE(fired);
  EXPECT_EQ(loop.now().time_since_epoch(), seconds(10));
}

TEST(SimLoop, CancelledTimerNeverFires) {
  SimLoop loop;
  bool fired = false;
  const runtime::TimerId timer = loop.run_after(seconds(1), [&] { fired = true; });
  EXPECT_TRUE(loop.cancel(timer));
  EXPECT_FALSE(loop.cancel(timer));
  loop.advance(seconds(5));
  EXPECT_FALSE(fired);
  EXPECT_EQ(loop.pending(), 0U);
}

TEST(SimLoop, RunUntilIdleIsBoundedForPeriodicTimers) {
  SimLoop loop;
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    loop.run_after(seconds(10), tick);
  };
  loop.post(tick);
  EXPECT_EQ(loop.run_until_idle(100), 100U);
  EXPECT_EQ(ticks, 100);
  EXPECT_EQ(loop.now().time_since_epoch(), seconds(990));
}

TEST(SeededRandom, SameSeedSameSequence) {
  SeededRandom a(42);
  SeededRandom b(42);
  SeededRandom c(43);
  for (int i = 0; i < 100; ++i) {
    const auto value = a.next_u64();
    EXPECT_EQ(value, b.next_u64());
    EXPECT_NE(value, c.next_u64());
  }
  for (int i = 0; i < 1000; ++i) EXPECT_LT(a.uniform(7), 7U);
}

}  // namespace
}  // namespace nodrop::sim
