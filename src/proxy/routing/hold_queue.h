// Hold: when no endpoint is pickable, a new request may wait, bounded in time and in number, for
// one to appear instead of failing at once. Off by default in the `kubernetes` profile.
//
// One HoldQueue per worker, used on its loop's thread only. Every held request ends exactly once,
// through its callback: kEndpointAvailable (release() after a table with a pickable endpoint),
// kTimedOut (max_wait passed), or never, if the holder withdraws it first with cancel().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>

#include "runtime/event_loop.h"

namespace nodrop::proxy {

struct HoldPolicy {
  std::size_t max_waiting = 0;  // 0: hold is off
  std::chrono::milliseconds max_wait{0};

  static HoldPolicy kubernetes() { return {}; }
  static HoldPolicy nodrop() { return {1024, std::chrono::milliseconds(5000)}; }
};

enum class HoldOutcome { kEndpointAvailable, kTimedOut };

using HoldTicket = std::uint64_t;

class HoldQueue {
 public:
  HoldQueue(runtime::EventLoop& loop, HoldPolicy policy) : loop_(loop), policy_(policy) {}
  ~HoldQueue();
  HoldQueue(const HoldQueue&) = delete;
  HoldQueue& operator=(const HoldQueue&) = delete;

  // Holds a request; nullopt when hold is off or max_waiting are already held (the overflow
  // path: the caller answers 503 at once).
  std::optional<HoldTicket> hold(std::function<void(HoldOutcome)> resume);
  // Withdraws a held request (its client went away); its callback will not run.
  void cancel(HoldTicket ticket);
  // Resumes every held request, oldest first, with kEndpointAvailable.
  void release();
  std::size_t waiting() const { return held_.size(); }

 private:
  struct Held {
    std::function<void(HoldOutcome)> resume;
    runtime::TimerId timer = 0;
  };

  runtime::EventLoop& loop_;
  const HoldPolicy policy_;
  HoldTicket next_ticket_ = 1;
  std::unordered_map<HoldTicket, Held> held_;
};

}  // namespace nodrop::proxy
