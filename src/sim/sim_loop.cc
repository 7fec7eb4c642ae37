#include "sim/sim_loop.h"

#include "base/check.h"

namespace nodrop::sim {

SimLoop::SimLoop(runtime::WallTime wall_start) : wall_start_(wall_start) {}

runtime::WallTime SimLoop::default_wall_start() {
  // 2024-01-01T00:00:00Z: a fixed, readable origin for simulated timestamps.
  return runtime::WallTime(std::chrono::seconds(1704067200));
}

runtime::TimerId SimLoop::run_at(runtime::Time deadline, std::function<void()> callback) {
  NODROP_CHECK(callback != nullptr);
  // A deadline in the past fires on the next turn, at the current time, after earlier timers.
  if (deadline < now_) deadline = now_;
  const runtime::TimerId id = next_sequence_++;
  timers_.emplace(Key{deadline, id}, std::move(callback));
  deadline_of_.emplace(id, deadline);
  return id;
}

bool SimLoop::cancel(runtime::TimerId timer) {
  const auto found = deadline_of_.find(timer);
  if (found == deadline_of_.end()) return false;
  timers_.erase(Key{found->second, timer});
  deadline_of_.erase(found);
  return true;
}

void SimLoop::fire_first() {
  auto first = timers_.begin();
  NODROP_CHECK(first != timers_.end());
  NODROP_CHECK(first->first.first >= now_);
  now_ = first->first.first;
  std::function<void()> callback = std::move(first->second);
  deadline_of_.erase(first->first.second);
  timers_.erase(first);
  callback();
}

std::size_t SimLoop::advance(runtime::Duration delta) {
  NODROP_CHECK(delta.count() >= 0);
  const runtime::Time target = now_ + delta;
  std::size_t fired = 0;
  while (!timers_.empty() && timers_.begin()->first.first <= target) {
    fire_first();
    ++fired;
  }
  now_ = target;
  return fired;
}

bool SimLoop::step() {
  if (timers_.empty()) return false;
  fire_first();
  return true;
}

std::size_t SimLoop::run_until_idle(std::size_t max_timers) {
  std::size_t fired = 0;
  while (fired < max_timers && step()) ++fired;
  return fired;
}

runtime::Time SimLoop::next_deadline() const {
  return timers_.empty() ? now_ : timers_.begin()->first.first;
}

std::uint64_t SeededRandom::next_u64() { return runtime::splitmix64(state_); }

}  // namespace nodrop::sim
