#include "controller/work_queue.h"

#include <algorithm>
#include <cmath>

namespace nodrop::controller {

WorkQueue::WorkQueue(const runtime::Clock& clock, std::size_t max_keys, RateLimits limits)
    : clock_(clock),
      max_keys_(max_keys),
      limits_(limits),
      tokens_(limits.burst),
      tokens_at_(clock.now()) {
  NODROP_CHECK(max_keys > 0);
  NODROP_CHECK(limits.qps > 0 && limits.burst >= 1);
}

std::size_t WorkQueue::keys_held() const {
  // The sum bounds the distinct count from above; count exactly only near the limit.
  const std::size_t upper = dirty_.size() + processing_.size() + delayed_by_key_.size();
  if (upper < max_keys_) return upper;
  std::set<std::string> keys = dirty_;
  keys.insert(processing_.begin(), processing_.end());
  for (const auto& [key, deadline] : delayed_by_key_) keys.insert(key);
  return keys.size();
}

bool WorkQueue::holds(const std::string& key) const {
  return dirty_.count(key) > 0 || processing_.count(key) > 0 || delayed_by_key_.count(key) > 0;
}

Status WorkQueue::add(const std::string& key) {
  if (dirty_.count(key) > 0) return Status::ok();  // already waiting
  if (!holds(key) && keys_held() >= max_keys_) {
    return Status(StatusCode::kResourceExhausted,
                  "work queue full (" + std::to_string(max_keys_) + " keys)");
  }
  dirty_.insert(key);
  if (processing_.count(key) > 0) return Status::ok();  // re-queued at done()
  queue_.push_back(key);
  return Status::ok();
}

Status WorkQueue::add_after(const std::string& key, runtime::Duration delay) {
  if (delay <= runtime::Duration{0}) return add(key);
  if (!holds(key) && keys_held() >= max_keys_) {
    return Status(StatusCode::kResourceExhausted,
                  "work queue full (" + std::to_string(max_keys_) + " keys)");
  }
  const runtime::Time deadline = clock_.now() + delay;
  const auto found = delayed_by_key_.find(key);
  if (found != delayed_by_key_.end()) {
    if (found->second <= deadline) return Status::ok();  // the earlier deadline wins
    for (auto it = delayed_.lower_bound(found->second); it != delayed_.end(); ++it) {
      if (it->second == key) {
        delayed_.erase(it);
        break;
      }
    }
  }
  delayed_by_key_[key] = deadline;
  delayed_.emplace(deadline, key);
  return Status::ok();
}

runtime::Duration WorkQueue::bucket_delay() {
  // A token bucket refilled continuously; a reservation may drive it negative, which is the wait.
  const runtime::Time now = clock_.now();
  const double elapsed = std::chrono::duration<double>(now - tokens_at_).count();
  tokens_ = std::min(limits_.burst, tokens_ + elapsed * limits_.qps);
  tokens_at_ = now;
  tokens_ -= 1;
  if (tokens_ >= 0) return runtime::Duration{0};
  return std::chrono::duration_cast<runtime::Duration>(
      std::chrono::duration<double>(-tokens_ / limits_.qps));
}

Result<runtime::Duration> WorkQueue::add_rate_limited(const std::string& key) {
  // Per key: base * 2^failures, capped (client-go's ItemExponentialFailureRateLimiter).
  const int failures = failures_[key]++;
  const double factor = std::pow(2.0, std::min(failures, 62));
  const double nanos = static_cast<double>(limits_.base_delay.count()) * factor;
  runtime::Duration exponential =
      nanos >= static_cast<double>(limits_.max_delay.count())
          ? limits_.max_delay
          : runtime::Duration(static_cast<runtime::Duration::rep>(nanos));
  const runtime::Duration delay = std::max(exponential, bucket_delay());
  const Status status = add_after(key, delay);
  if (!status.is_ok()) return status;
  return delay;
}

void WorkQueue::forget(const std::string& key) { failures_.erase(key); }

int WorkQueue::requeues(const std::string& key) const {
  const auto found = failures_.find(key);
  return found == failures_.end() ? 0 : found->second;
}

std::optional<std::string> WorkQueue::get() {
  if (queue_.empty()) return std::nullopt;
  std::string key = queue_.front();
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  processing_.erase(key);
  if (dirty_.count(key) > 0) queue_.push_back(key);
}

std::size_t WorkQueue::promote_due() {
  const runtime::Time now = clock_.now();
  std::size_t promoted = 0;
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    const std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    delayed_by_key_.erase(key);
    const Status status = add(key);
    NODROP_CHECK(status.is_ok());  // the key was held, so there is room for it
    ++promoted;
  }
  return promoted;
}

std::optional<runtime::Time> WorkQueue::next_deadline() const {
  if (delayed_.empty()) return std::nullopt;
  return delayed_.begin()->first;
}

}  // namespace nodrop::controller
