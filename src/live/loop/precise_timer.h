// A one-shot timer with nanosecond resolution on an EpollLoop, through a timerfd. The loop's own
// timers wake epoll_wait with millisecond timeouts, which makes them up to a millisecond late;
// the load generator's send ticks need better, because its latencies count from the intended
// send time and every microsecond of lateness would be charged to the server.
//
// Deadlines are runtime::Time from the loop's SystemClock, which reads CLOCK_MONOTONIC, the clock
// the timerfd runs on. Threading: the loop's thread only.
#pragma once

#include <functional>

#include "live/loop/epoll_loop.h"

namespace nodrop::live {

class PreciseTimer {
 public:
  explicit PreciseTimer(EpollLoop& loop);
  ~PreciseTimer();
  PreciseTimer(const PreciseTimer&) = delete;
  PreciseTimer& operator=(const PreciseTimer&) = delete;

  // Replaces any armed deadline; callback runs on the loop once deadline has passed (on the next
  // turn when it already has).
  void arm(runtime::Time deadline, std::function<void()> callback);
  void disarm();
  bool armed() const { return callback_ != nullptr; }

 private:
  void on_expired();

  EpollLoop& loop_;
  int fd_ = -1;
  WatchId watch_ = 0;
  std::function<void()> callback_;
};

}  // namespace nodrop::live
