// The open-loop send schedule: request i is due at start + floor(i * 1 s / rate), whether or not
// earlier requests were answered (wrk2's answer to coordinated omission). Pure arithmetic, so the
// rate can be checked exactly without a clock.
//
// Worked example, rate 4/s, start 0:
//   i            0     1       2       3       4
//   intended(i)  0 ms  250 ms  500 ms  750 ms  1000 ms
//   due_count(0 ms) = 1, due_count(249 ms) = 1, due_count(250 ms) = 2, due_count(1 s) = 5
//   count_before(1 s) = 4: a 1 s run at 4/s sends exactly 4 requests.
#pragma once

#include <cstdint>

#include "runtime/clock.h"

namespace nodrop::traffic {

class Schedule {
 public:
  // rate_per_second in [1, kMaxRatePerSecond]; requests are due from start until end (excluded).
  Schedule(runtime::Time start, std::uint64_t rate_per_second, runtime::Time end);

  static constexpr std::uint64_t kMaxRatePerSecond = 1'000'000;

  runtime::Time start() const { return start_; }
  runtime::Time end() const { return end_; }
  std::uint64_t rate_per_second() const { return rate_; }
  // Moves the end (verify stops sending a settle time after its command exits). end >= start.
  void set_end(runtime::Time end);

  // The number of requests in the whole run.
  std::uint64_t total() const { return count_before(end_); }
  // When request index is due; index < total().
  runtime::Time intended(std::uint64_t index) const;
  // How many requests are due at now: those with intended(i) <= now, at most total().
  std::uint64_t due_count(runtime::Time now) const;
  // How many requests have intended(i) < time.
  std::uint64_t count_before(runtime::Time time) const;

 private:
  runtime::Time start_;
  std::uint64_t rate_;
  runtime::Time end_;
};

}  // namespace nodrop::traffic
