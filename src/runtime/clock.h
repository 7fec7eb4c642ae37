// Port: the only way code outside src/live/ learns the time.
//
// Two timelines, as in Kubernetes:
//   Time      monotonic; timers and durations measured on this machine.
//   WallTime  calendar time; what objects record (creationTimestamp, lastTransitionTime, events).
// A simulated clock moves both together, so a test can replay any race in virtual time.
#pragma once

#include <chrono>

#include "base/time.h"

namespace nodrop::runtime {

using Duration = std::chrono::nanoseconds;

// Tag type for the monotonic timeline; not a clock anyone can read directly.
struct MonotonicTimeline {
  using duration = Duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<MonotonicTimeline, duration>;
  static constexpr bool is_steady = true;
};

using Time = MonotonicTimeline::time_point;
using WallTime = nodrop::WallTime;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time now() const = 0;
  virtual WallTime wall_now() const = 0;
};

}  // namespace nodrop::runtime
