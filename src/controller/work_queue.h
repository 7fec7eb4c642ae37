// A keyed, deduplicating work queue with delayed and rate-limited adds (client-go's
// util/workqueue: Type, DelayingQueue, RateLimitingQueue with DefaultControllerRateLimiter).
//
// Semantics, as in client-go:
//   - a key waiting in the queue is held once, however often it is added;
//   - a key being processed (between get() and done()) is not handed out again; an add during
//     processing marks it dirty and it returns to the queue at done();
//   - add_after() holds a key until its deadline (the earliest deadline wins);
//   - add_rate_limited() delays a key by max(per-key exponential backoff, overall token bucket):
//       per key: base * 2^failures, capped      (5ms, 10ms, 20ms, ... 1000s)
//       overall: a bucket of `burst` tokens refilled at `qps` per second (100 tokens, 10/s)
//     forget() resets the key's failures.
//
// Time comes from the injected runtime::Clock; the queue never waits. The owner asks
// next_deadline() and arms a timer on its event loop, then calls promote_due().
//
// Bounded: at most max_keys distinct keys are held (queued, processing or delayed); an add
// beyond that returns ResourceExhausted. Not thread-safe: one event loop owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "base/status.h"
#include "runtime/clock.h"

namespace nodrop::controller {

struct RateLimits {
  runtime::Duration base_delay = std::chrono::milliseconds(5);
  runtime::Duration max_delay = std::chrono::seconds(1000);
  double qps = 10;
  double burst = 100;
};

class WorkQueue {
 public:
  WorkQueue(const runtime::Clock& clock, std::size_t max_keys, RateLimits limits = {});

  Status add(const std::string& key);
  Status add_after(const std::string& key, runtime::Duration delay);
  // Returns the delay chosen.
  Result<runtime::Duration> add_rate_limited(const std::string& key);
  void forget(const std::string& key);
  int requeues(const std::string& key) const;

  // The next ready key, now marked as processing; nullopt when none is ready.
  std::optional<std::string> get();
  void done(const std::string& key);

  // Moves delayed keys whose deadline has come into the queue; returns how many.
  std::size_t promote_due();
  // Deadline of the earliest delayed key.
  std::optional<runtime::Time> next_deadline() const;

  std::size_t ready() const { return queue_.size(); }
  std::size_t delayed() const { return delayed_by_key_.size(); }
  std::size_t processing() const { return processing_.size(); }

 private:
  std::size_t keys_held() const;
  bool holds(const std::string& key) const;
  runtime::Duration bucket_delay();

  const runtime::Clock& clock_;
  std::size_t max_keys_;
  RateLimits limits_;

  std::deque<std::string> queue_;
  std::set<std::string> dirty_;  // queued, or to be re-queued at done()
  std::set<std::string> processing_;
  std::map<std::string, runtime::Time> delayed_by_key_;
  std::multimap<runtime::Time, std::string> delayed_;
  std::map<std::string, int> failures_;

  double tokens_;
  runtime::Time tokens_at_;
};

}  // namespace nodrop::controller
