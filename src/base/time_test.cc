#include "base/time.h"

#include <gtest/gtest.h>

namespace nodrop {
namespace {

TEST(Rfc3339, FormatsUtcWithSecondPrecision) {
  EXPECT_EQ(format_rfc3339(WallTime(std::chrono::seconds(0))), "1970-01-01T00:00:00Z");
  EXPECT_EQ(
      format_rfc3339(WallTime(std::chrono::seconds(1704067200) + std::chrono::milliseconds(999))),
      "2024-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(WallTime(std::chrono::seconds(951782400))), "2000-02-29T00:00:00Z");
}

TEST(Rfc3339, ParsesWhatKubernetesWrites) {
  WallTime time;
  ASSERT_TRUE(parse_rfc3339("2024-01-01T00:00:05Z", &time));
  EXPECT_EQ(time.time_since_epoch(), std::chrono::seconds(1704067205));
  ASSERT_TRUE(parse_rfc3339("2024-01-01T01:00:05.5+01:00", &time));
  EXPECT_EQ(time.time_since_epoch(),
            std::chrono::seconds(1704067205) + std::chrono::milliseconds(500));
  EXPECT_EQ(format_rfc3339(time), "2024-01-01T00:00:05Z");
}

TEST(Rfc3339, RejectsMalformedText) {
  WallTime time;
  for (const char* bad :
       {"", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2024-01-01T00:00:00Zjunk",
        "2024-01-01T00:00:00.Z", "yesterday", "2024-01-01T 1:00:00Z", "2024-01-01T+1:00:00Z",
        "2024-01-01T00:00:00+1:00"}) {
    EXPECT_FALSE(parse_rfc3339(bad, &time)) << bad;
  }
}

}  // namespace
}  // namespace nodrop
