#include "traffic/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "base/check.h"

namespace nodrop::traffic {

std::size_t LatencyHistogram::bucket_of(std::uint64_t micros) {
  if (micros < kExactBelowMicros) return static_cast<std::size_t>(micros);
  const int exponent = static_cast<int>(std::bit_width(micros)) - 1;  // 2^exponent <= micros, >= 7
  if (exponent >= kMaxExponent) return kBucketCount - 1;
  const std::uint64_t sub_bucket = micros >> (exponent - 6);  // in [64, 128)
  return 128 + static_cast<std::size_t>(exponent - 7) * 64 +
         static_cast<std::size_t>(sub_bucket - 64);
}

std::uint64_t LatencyHistogram::bucket_upper_micros(std::size_t bucket) {
  NODROP_CHECK(bucket < kBucketCount);
  if (bucket < kExactBelowMicros) return bucket;
  const int exponent = static_cast<int>((bucket - 128) / 64) + 7;
  const std::uint64_t sub_bucket = (bucket - 128) % 64 + 64;
  return ((sub_bucket + 1) << (exponent - 6)) - 1;
}

void LatencyHistogram::record(runtime::Duration latency) {
  latency = std::max(latency, runtime::Duration::zero());
  const auto micros = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(latency).count());
  ++buckets_[bucket_of(micros)];
  ++count_;
  max_ = std::max(max_, latency);
  min_ = std::min(min_, latency);
}

runtime::Duration LatencyHistogram::percentile(double quantile) const {
  NODROP_CHECK(quantile >= 0.0 && quantile <= 1.0);
  if (count_ == 0) return runtime::Duration::zero();
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(quantile * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < kBucketCount; ++bucket) {
    seen += buckets_[bucket];
    if (seen >= rank) {
      const runtime::Duration upper =
          std::chrono::microseconds(bucket_upper_micros(bucket)) + std::chrono::nanoseconds(999);
      return std::clamp(upper, min(), max_);
    }
  }
  return max_;
}

std::uint64_t LatencyHistogram::count_at_or_above(runtime::Duration threshold) const {
  const auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::microseconds>(threshold).count()));
  std::uint64_t total = 0;
  for (std::size_t bucket = bucket_of(micros); bucket < kBucketCount; ++bucket) {
    total += buckets_[bucket];
  }
  return total;
}

}  // namespace nodrop::traffic
