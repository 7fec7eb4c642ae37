#include "live/loop/precise_timer.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdint>

#include "base/check.h"

namespace nodrop::live {

PreciseTimer::PreciseTimer(EpollLoop& loop) : loop_(loop) {
  fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  NODROP_CHECK(fd_ >= 0);
  watch_ = loop_.watch(fd_, kReadable, [this](std::uint32_t) { on_expired(); });
}

PreciseTimer::~PreciseTimer() {
  loop_.unwatch(watch_);
  close(fd_);
}

void PreciseTimer::arm(runtime::Time deadline, std::function<void()> callback) {
  NODROP_CHECK(callback != nullptr);
  callback_ = std::move(callback);
  const std::int64_t nanoseconds = deadline.time_since_epoch().count();
  itimerspec spec{};
  // A zero it_value would disarm; a deadline at or before the epoch fires at once anyway.
  spec.it_value.tv_sec = nanoseconds > 0 ? nanoseconds / 1'000'000'000 : 0;
  spec.it_value.tv_nsec = nanoseconds > 0 ? nanoseconds % 1'000'000'000 : 1;
  NODROP_CHECK(timerfd_settime(fd_, TFD_TIMER_ABSTIME, &spec, nullptr) == 0);
}

void PreciseTimer::disarm() {
  callback_ = nullptr;
  const itimerspec zero{};
  timerfd_settime(fd_, 0, &zero, nullptr);
}

void PreciseTimer::on_expired() {
  std::uint64_t expirations = 0;
  if (read(fd_, &expirations, sizeof expirations) != sizeof expirations) return;  // re-armed
  if (callback_ == nullptr) return;
  auto callback = std::move(callback_);
  callback_ = nullptr;
  callback();
}

}  // namespace nodrop::live
