#include "traffic/schedule.h"

#include <algorithm>

#include "base/check.h"

namespace nodrop::traffic {
namespace {

__extension__ using Uint128 = unsigned __int128;
constexpr std::uint64_t kNanosecondsPerSecond = 1'000'000'000;

}  // namespace

Schedule::Schedule(runtime::Time start, std::uint64_t rate_per_second, runtime::Time end)
    : start_(start), rate_(rate_per_second), end_(end) {
  NODROP_CHECK(rate_ >= 1 && rate_ <= kMaxRatePerSecond);
  NODROP_CHECK(end_ >= start_);
}

void Schedule::set_end(runtime::Time end) {
  NODROP_CHECK(end >= start_);
  end_ = end;
}

runtime::Time Schedule::intended(std::uint64_t index) const {
  const Uint128 offset = static_cast<Uint128>(index) * kNanosecondsPerSecond / rate_;
  return start_ + runtime::Duration(static_cast<std::int64_t>(offset));
}

// i counts when floor(i * 1e9 / rate) < d, that is when i < d * rate / 1e9: ceil(d * rate / 1e9).
std::uint64_t Schedule::count_before(runtime::Time time) const {
  if (time <= start_) return 0;
  const Uint128 elapsed = static_cast<Uint128>((time - start_).count());
  return static_cast<std::uint64_t>((elapsed * rate_ + kNanosecondsPerSecond - 1) /
                                    kNanosecondsPerSecond);
}

std::uint64_t Schedule::due_count(runtime::Time now) const {
  if (now < start_) return 0;
  return std::min(total(), count_before(now + runtime::Duration(1)));
}

}  // namespace nodrop::traffic
