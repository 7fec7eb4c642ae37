// The simulated clock and event loop: virtual time that moves only when a test moves it.
//
// Every timing rule of nodrop (probe periods, grace periods, backoff, progress deadlines, proxy
// sync delays) is tested against this loop. Time jumps straight to the next deadline; timers with
// equal deadlines fire in the order they were scheduled (a sequence number breaks ties), so a run
// is a pure function of its inputs.
//
// Not thread-safe: a simulation runs on one thread.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <utility>

#include "runtime/clock.h"
#include "runtime/event_loop.h"
#include "runtime/random.h"

namespace nodrop::sim {

class SimLoop final : public runtime::EventLoop, public runtime::Clock {
 public:
  // The wall clock starts at wall_start and advances with virtual time.
  explicit SimLoop(runtime::WallTime wall_start = default_wall_start());

  // runtime::Clock
  runtime::Time now() const override { return now_; }
  runtime::WallTime wall_now() const override { return wall_start_ + now_.time_since_epoch(); }

  // runtime::EventLoop
  const runtime::Clock& clock() const override { return *this; }
  runtime::TimerId run_at(runtime::Time deadline, std::function<void()> callback) override;
  bool cancel(runtime::TimerId timer) override;

  // Fires every timer due at or before now + delta, in order, then sets the time to now + delta.
  // Returns the number of timers fired.
  std::size_t advance(runtime::Duration delta);
  // Fires the next timer (jumping time to its deadline); false when no timer is pending.
  bool step();
  // Fires timers until none is pending or max_timers have fired (a bound for runaway
  // periodic timers); returns the number fired.
  std::size_t run_until_idle(std::size_t max_timers);

  std::size_t pending() const { return timers_.size(); }
  // Deadline of the next timer; now() when none is pending.
  runtime::Time next_deadline() const;

  static runtime::WallTime default_wall_start();

 private:
  using Key = std::pair<runtime::Time, runtime::TimerId>;  // deadline, then sequence

  void fire_first();

  runtime::Time now_{};
  runtime::WallTime wall_start_;
  runtime::TimerId next_sequence_ = 1;
  std::map<Key, std::function<void()>> timers_;
  std::map<runtime::TimerId, runtime::Time> deadline_of_;
};

// Seeded, repeatable randomness (splitmix64).
class SeededRandom final : public runtime::Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next_u64() override;

 private:
  std::uint64_t state_;
};

}  // namespace nodrop::sim
