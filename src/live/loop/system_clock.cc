#include "live/loop/system_clock.h"

#include <chrono>
#include <random>

namespace nodrop::live {

runtime::Time SystemClock::now() const {
  return runtime::Time(std::chrono::duration_cast<runtime::Duration>(
      std::chrono::steady_clock::now().time_since_epoch()));
}

runtime::WallTime SystemClock::wall_now() const {
  return runtime::WallTime(std::chrono::duration_cast<runtime::Duration>(
      std::chrono::system_clock::now().time_since_epoch()));
}

SystemRandom::SystemRandom() {
  std::random_device device;
  state_ = (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::uint64_t SystemRandom::next_u64() { return runtime::splitmix64(state_); }

}  // namespace nodrop::live
