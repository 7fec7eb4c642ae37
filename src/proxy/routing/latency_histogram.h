// A latency histogram that many threads record into: power-of-two buckets of microseconds,
// relaxed atomics. Used per listener and per endpoint.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace nodrop::proxy {

// Latency in power-of-two buckets of microseconds: bucket i holds [2^i, 2^(i+1)) µs.
class LatencyHistogram {
 public:
  static constexpr int kBuckets = 40;
  void record(std::chrono::nanoseconds latency);
  // The upper edge of the bucket holding quantile q (0 < q <= 1); zero when empty.
  std::chrono::microseconds quantile(double q) const;
  std::uint64_t count() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
};

}  // namespace nodrop::proxy
