// The real clocks: CLOCK_MONOTONIC for timers, CLOCK_REALTIME for timestamps.
#pragma once

#include "runtime/clock.h"
#include "runtime/random.h"

namespace nodrop::live {

class SystemClock final : public runtime::Clock {
 public:
  runtime::Time now() const override;
  runtime::WallTime wall_now() const override;
};

// Randomness seeded from the operating system.
class SystemRandom final : public runtime::Random {
 public:
  SystemRandom();
  std::uint64_t next_u64() override;

 private:
  std::uint64_t state_;
};

}  // namespace nodrop::live
