#include "traffic/latency_histogram.h"

#include <gtest/gtest.h>

namespace nodrop::traffic {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(LatencyHistogram, BucketsAreExactBelow128MicrosecondsThenWithinOneSixtyFourth) {
  for (std::uint64_t v = 0; v < 128; ++v) EXPECT_EQ(LatencyHistogram::bucket_of(v), v);
  EXPECT_EQ(LatencyHistogram::bucket_of(128), 128U);
  EXPECT_EQ(LatencyHistogram::bucket_of(129), 128U);  // width 2
  EXPECT_EQ(LatencyHistogram::bucket_of(130), 129U);
  EXPECT_EQ(LatencyHistogram::bucket_of(256), 192U);  // width 4
  for (std::uint64_t v : {200ULL, 1'000ULL, 123'456ULL, 9'999'999ULL, 1ULL << 35}) {
    const std::size_t bucket = LatencyHistogram::bucket_of(v);
    const std::uint64_t upper = LatencyHistogram::bucket_upper_micros(bucket);
    EXPECT_GE(upper, v);
    EXPECT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 64.0) << v;
    if (bucket > 0) {
      EXPECT_LT(LatencyHistogram::bucket_upper_micros(bucket - 1), v);
    }
  }
  EXPECT_EQ(LatencyHistogram::bucket_of(1ULL << 50), LatencyHistogram::kBucketCount - 1);
}

TEST(LatencyHistogram, PercentilesOfAKnownSpread) {
  LatencyHistogram histogram;
  for (int ms = 1; ms <= 1000; ++ms) histogram.record(milliseconds(ms));
  EXPECT_EQ(histogram.count(), 1000U);
  EXPECT_EQ(histogram.max(), milliseconds(1000));
  EXPECT_EQ(histogram.min(), milliseconds(1));
  auto near = [](runtime::Duration got, runtime::Duration want) {
    return got >= want && got <= want + want / 64 + microseconds(1);
  };
  EXPECT_TRUE(near(histogram.percentile(0.5), milliseconds(500)));
  EXPECT_TRUE(near(histogram.percentile(0.9), milliseconds(900)));
  EXPECT_TRUE(near(histogram.percentile(0.99), milliseconds(990)));
  EXPECT_EQ(histogram.percentile(1.0), milliseconds(1000));
  // The bucket holding 901 ms is 8.192 ms wide and starts at 892.928 ms: 893..900 ms count too,
  // within the 1/64 precision.
  EXPECT_EQ(histogram.count_at_or_above(milliseconds(901)), 108U);
  EXPECT_EQ(histogram.count_at_or_above(milliseconds(1100)), 0U);
}

TEST(LatencyHistogram, EmptyIsZero) {
  const LatencyHistogram histogram;
  EXPECT_EQ(histogram.percentile(0.99), runtime::Duration::zero());
  EXPECT_EQ(histogram.max(), runtime::Duration::zero());
}

}  // namespace
}  // namespace nodrop::traffic
