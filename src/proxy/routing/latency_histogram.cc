#include "proxy/routing/latency_histogram.h"

#include <algorithm>
#include <bit>

namespace nodrop::proxy {

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
  const auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::microseconds>(latency).count()));
  const int bucket = std::min(kBuckets - 1, static_cast<int>(std::bit_width(micros)) - 1);
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t LatencyHistogram::count() const {
  std::uint64_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.load(std::memory_order_relaxed);
  return total;
}

std::chrono::microseconds LatencyHistogram::quantile(double q) const {
  const std::uint64_t total = count();
  if (total == 0) return std::chrono::microseconds(0);
  const auto wanted = static_cast<std::uint64_t>(q * static_cast<double>(total) + 0.5);
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= std::max<std::uint64_t>(1, wanted)) {
      return std::chrono::microseconds(std::uint64_t{2} << i);
    }
  }
  return std::chrono::microseconds(std::uint64_t{2} << (kBuckets - 1));
}

}  // namespace nodrop::proxy
