#include "controller/work_queue.h"

#include <gtest/gtest.h>

#include "sim/sim_loop.h"

namespace nodrop::controller {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(WorkQueue, AKeyWaitingIsHeldOnce) {
  sim::SimLoop loop;
  WorkQueue queue(loop, 10);
  ASSERT_TRUE(queue.add("default/web").is_ok());
  ASSERT_TRUE(queue.add("default/web").is_ok());
  ASSERT_TRUE(queue.add("default/api").is_ok());
  EXPECT_EQ(queue.ready(), 2u);
  EXPECT_EQ(queue.get(), "default/web");
  EXPECT_EQ(queue.get(), "default/api");
  EXPECT_EQ(queue.get(), std::nullopt);
}

TEST(WorkQueue, AKeyAddedWhileProcessingReturnsAtDone) {
  sim::SimLoop loop;
  WorkQueue queue(loop, 10);
  ASSERT_TRUE(queue.add("web").is_ok());
  ASSERT_EQ(queue.get(), "web");
  ASSERT_TRUE(queue.add("web").is_ok());
  EXPECT_EQ(queue.get(), std::nullopt);  // never processed twice at once
  queue.done("web");
  EXPECT_EQ(queue.get(), "web");
  queue.done("web");
  EXPECT_EQ(queue.get(), std::nullopt);
}

TEST(WorkQueue, AddAfterWaitsForTheEarliestDeadlineOnTheInjectedClock) {
  sim::SimLoop loop;
  WorkQueue queue(loop, 10);
  ASSERT_TRUE(queue.add_after("web", seconds(10)).is_ok());
  ASSERT_TRUE(queue.add_after("web", seconds(3)).is_ok());
  ASSERT_TRUE(queue.add_after("web", seconds(20)).is_ok());
  EXPECT_EQ(queue.delayed(), 1u);
  EXPECT_EQ(queue.next_deadline(), loop.now() + seconds(3));
  loop.advance(seconds(2));
  EXPECT_EQ(queue.promote_due(), 0u);
  loop.advance(seconds(1));
  EXPECT_EQ(queue.promote_due(), 1u);
  EXPECT_EQ(queue.get(), "web");
}

TEST(WorkQueue, RateLimitedRetriesBackOffExponentiallyUntilForgotten) {
  sim::SimLoop loop;
  WorkQueue queue(loop, 10);
  //   failure  delay
  //   1        5ms
  //   2        10ms
  //   3        20ms
  //   4        40ms
  const runtime::Duration expected[] = {milliseconds(5), milliseconds(10), milliseconds(20),
                                        milliseconds(40)};
  for (const runtime::Duration delay : expected) {
    const Result<runtime::Duration> chosen = queue.add_rate_limited("web");
    ASSERT_TRUE(chosen.is_ok());
    EXPECT_EQ(*chosen, delay);
    loop.advance(delay);
    ASSERT_EQ(queue.promote_due(), 1u);
    ASSERT_EQ(queue.get(), "web");
    queue.done("web");
  }
  EXPECT_EQ(queue.requeues("web"), 4);
  queue.forget("web");
  EXPECT_EQ(queue.requeues("web"), 0);
  EXPECT_EQ(*queue.add_rate_limited("web"), milliseconds(5));
}

TEST(WorkQueue, ExponentialBackoffIsCapped) {
  sim::SimLoop loop;
  RateLimits limits;
  limits.max_delay = seconds(1);
  WorkQueue queue(loop, 10, limits);
  runtime::Duration last{0};
  for (int i = 0; i < 80; ++i) last = *queue.add_rate_limited("web");
  EXPECT_EQ(last, seconds(1));
}

TEST(WorkQueue, TheOverallBucketLimitsABurstOfDistinctKeys) {
  sim::SimLoop loop;
  RateLimits limits;
  limits.qps = 10;
  limits.burst = 2;
  WorkQueue queue(loop, 10, limits);
  EXPECT_EQ(*queue.add_rate_limited("a"), milliseconds(5));
  EXPECT_EQ(*queue.add_rate_limited("b"), milliseconds(5));
  EXPECT_EQ(*queue.add_rate_limited("c"), milliseconds(100));  // one token at 10/s
  EXPECT_EQ(*queue.add_rate_limited("d"), milliseconds(200));
}

TEST(WorkQueue, AddingBeyondTheBoundIsAnError) {
  sim::SimLoop loop;
  WorkQueue queue(loop, 2);
  ASSERT_TRUE(queue.add("a").is_ok());
  ASSERT_TRUE(queue.add_after("b", seconds(1)).is_ok());
  const Status full = queue.add("c");
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(queue.add("a").is_ok());  // already held: no new room needed
  EXPECT_TRUE(queue.add("b").is_ok());
}

}  // namespace
}  // namespace nodrop::controller
