// Port: timers belong to the event loop (Envoy's Dispatcher). Code asks the loop for a timer
// instead of reading the time and sleeping, so a simulated loop can jump to the next deadline.
//
// Contract for every implementation:
//   - callbacks run on the loop's thread, one at a time;
//   - timers fire in deadline order; equal deadlines fire in the order they were scheduled;
//   - a timer scheduled for a deadline already past fires on the next turn, never inline;
//   - cancel() of a timer that has not fired guarantees it never fires; cancel() of an unknown or
//     fired timer returns false and does nothing.
#pragma once

#include <cstdint>
#include <functional>

#include "runtime/clock.h"

namespace nodrop::runtime {

using TimerId = std::uint64_t;

class EventLoop {
 public:
  virtual ~EventLoop() = default;

  virtual const Clock& clock() const = 0;
  virtual TimerId run_at(Time deadline, std::function<void()> callback) = 0;
  virtual bool cancel(TimerId timer) = 0;

  TimerId run_after(Duration delay, std::function<void()> callback) {
    return run_at(clock().now() + delay, std::move(callback));
  }
  // Runs callback on the next turn of the loop.
  TimerId post(std::function<void()> callback) {
    return run_at(clock().now(), std::move(callback));
  }
};

}  // namespace nodrop::runtime
