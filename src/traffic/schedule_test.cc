#include "traffic/schedule.h"

#include <gtest/gtest.h>

namespace nodrop::traffic {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const runtime::Time kStart = runtime::Time(seconds(1000));

TEST(Schedule, SpacesRequestsEvenlyFromTheStart) {
  const Schedule schedule(kStart, 4, kStart + seconds(1));
  EXPECT_EQ(schedule.total(), 4U);
  EXPECT_EQ(schedule.intended(0), kStart);
  EXPECT_EQ(schedule.intended(1), kStart + milliseconds(250));
  EXPECT_EQ(schedule.intended(3), kStart + milliseconds(750));
  EXPECT_EQ(schedule.due_count(kStart - milliseconds(1)), 0U);
  EXPECT_EQ(schedule.due_count(kStart), 1U);
  EXPECT_EQ(schedule.due_count(kStart + milliseconds(249)), 1U);
  EXPECT_EQ(schedule.due_count(kStart + milliseconds(250)), 2U);
  EXPECT_EQ(schedule.due_count(kStart + seconds(5)), 4U);  // never more than the run holds
}

// The rate check, exactly: 5,000 req/s over 10 s is 50,000 requests, 5,000 due in every
// second of the run and the intended times strictly increasing.
TEST(Schedule, HoldsFiveThousandPerSecondExactlyOverTenSeconds) {
  const Schedule schedule(kStart, 5000, kStart + seconds(10));
  ASSERT_EQ(schedule.total(), 50'000U);
  for (int second = 0; second < 10; ++second) {
    const std::uint64_t in_second = schedule.count_before(kStart + seconds(second + 1)) -
                                    schedule.count_before(kStart + seconds(second));
    EXPECT_EQ(in_second, 5000U) << "second " << second;
  }
  std::uint64_t per_second[10] = {};
  for (std::uint64_t i = 0; i < schedule.total(); ++i) {
    if (i > 0) {
      ASSERT_LT(schedule.intended(i - 1), schedule.intended(i));
    }
    ++per_second[(schedule.intended(i) - kStart) / seconds(1)];
  }
  for (const std::uint64_t count : per_second) EXPECT_EQ(count, 5000U);
}

TEST(Schedule, RatesThatDoNotDivideASecondStillCountExactly) {
  const Schedule schedule(kStart, 3, kStart + seconds(2));
  EXPECT_EQ(schedule.total(), 6U);
  EXPECT_EQ(schedule.intended(1), kStart + std::chrono::nanoseconds(333'333'333));
  // 1.5 s at 3/s: requests at 0, 0.33, 0.67, 1.0, 1.33 s.
  EXPECT_EQ(schedule.count_before(kStart + milliseconds(1500)), 5U);
}

TEST(Schedule, MovingTheEndShortensTheRun) {
  Schedule schedule(kStart, 100, kStart + seconds(600));
  schedule.set_end(kStart + milliseconds(2500));
  EXPECT_EQ(schedule.total(), 250U);
  EXPECT_EQ(schedule.due_count(kStart + seconds(10)), 250U);
}

TEST(Schedule, TheMaximumRateOverAnHourDoesNotOverflow) {
  const Schedule schedule(kStart, Schedule::kMaxRatePerSecond, kStart + std::chrono::hours(1));
  EXPECT_EQ(schedule.total(), 3'600'000'000U);
  EXPECT_EQ(schedule.intended(schedule.total() - 1),
            kStart + std::chrono::hours(1) - std::chrono::microseconds(1));
}

}  // namespace
}  // namespace nodrop::traffic
