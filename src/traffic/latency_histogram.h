// A latency histogram in fixed memory (HdrHistogram's log-linear layout): values in microseconds,
// exact below 128 us, then 64 buckets per power of two, so every bucket is within 1/64 (1.6%) of
// its values. Values from 0 to 2^36 us (19 hours) fit; longer ones count in the last bucket.
//
// Bucket layout (value v in microseconds):
//   v < 128            bucket v                                  (width 1)
//   v in [2^k, 2^k+1)  bucket 128 + (k - 7) * 64 + (v >> (k - 6)) - 64   (width 2^(k-6))
// so 128..255 use buckets 128..191 with width 2, 256..511 use 192..255 with width 4, and so on.
#pragma once

#include <array>
#include <cstdint>

#include "runtime/clock.h"

namespace nodrop::traffic {

class LatencyHistogram {
 public:
  static constexpr int kExactBelowMicros = 128;
  static constexpr int kMaxExponent = 36;
  static constexpr std::size_t kBucketCount = 128 + (kMaxExponent - 7) * 64;

  void record(runtime::Duration latency);

  std::uint64_t count() const { return count_; }
  runtime::Duration max() const { return max_; }
  runtime::Duration min() const { return count_ == 0 ? runtime::Duration::zero() : min_; }
  // The smallest recorded latency L such that at least `quantile` of the values are <= L, to the
  // bucket's precision (the bucket's upper bound, capped at max()). quantile in [0, 1]. Zero for
  // an empty histogram.
  runtime::Duration percentile(double quantile) const;
  // How many recorded values are >= threshold, to the bucket's precision: values in the bucket
  // that holds threshold count.
  std::uint64_t count_at_or_above(runtime::Duration threshold) const;

  static std::size_t bucket_of(std::uint64_t micros);
  static std::uint64_t bucket_upper_micros(std::size_t bucket);

 private:
  std::array<std::uint64_t, kBucketCount> buckets_{};
  std::uint64_t count_ = 0;
  runtime::Duration max_ = runtime::Duration::zero();
  runtime::Duration min_ = runtime::Duration::max();
};

}  // namespace nodrop::traffic
