#include "controller/reconciler.h"

#include <algorithm>

namespace nodrop::controller {

std::string key_of(const api::ObjectMeta& metadata) {
  return metadata.namespace_name.empty() ? metadata.name
                                         : metadata.namespace_name + "/" + metadata.name;
}

std::pair<std::string, std::string> split_key(const std::string& key) {
  const auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

Reconciler::Reconciler(runtime::EventLoop& loop, store::Post post, Sync sync)
    : loop_(loop), post_(std::move(post)), sync_(std::move(sync)), queue_(loop.clock(), kMaxKeys) {}

Reconciler::~Reconciler() {
  *alive_ = false;
  if (timer_) loop_.cancel(*timer_);
}

void Reconciler::stop() {
  stopped_ = true;
  if (timer_) loop_.cancel(*timer_);
  timer_.reset();
  timer_deadline_.reset();
}

void Reconciler::enqueue(const std::string& key) {
  if (stopped_) return;
  // A full queue (kMaxKeys distinct keys) drops the key: its next change enqueues it again.
  if (queue_.add(key).is_ok()) schedule();
}

void Reconciler::enqueue_after(const std::string& key, runtime::Duration delay) {
  if (stopped_) return;
  if (queue_.add_after(key, delay).is_ok()) arm_timer();
}

void Reconciler::schedule() {
  if (posted_ || queue_.ready() == 0) return;
  posted_ = true;
  post_([this, alive = alive_] {
    if (*alive) process();
  });
}

void Reconciler::process() {
  posted_ = false;
  if (stopped_) return;
  // Each key at most once a round: a key back in the queue waits for the next round, after the
  // drains this round's writes posted. A round is at most kMaxSyncsPerTurn keys; the rest wait
  // in the queue for the next, posted behind what the loop has waiting.
  for (std::size_t round = std::min(queue_.ready(), kMaxSyncsPerTurn); round > 0; --round) {
    std::optional<std::string> key = queue_.get();
    if (!key) break;
    ++syncs_;
    const SyncResult result = sync_(*key);
    queue_.done(*key);
    if (result.retry) {
      (void)queue_.add_rate_limited(*key);
    } else {
      queue_.forget(*key);
    }
    if (result.requeue_after) (void)queue_.add_after(*key, *result.requeue_after);
  }
  arm_timer();
  schedule();
}

void Reconciler::arm_timer() {
  const std::optional<runtime::Time> deadline = queue_.next_deadline();
  if (!deadline || (timer_ && timer_deadline_ && *timer_deadline_ <= *deadline)) return;
  if (timer_) loop_.cancel(*timer_);
  timer_deadline_ = deadline;
  timer_ = loop_.run_at(*deadline, [this] {
    timer_.reset();
    timer_deadline_.reset();
    queue_.promote_due();
    arm_timer();
    schedule();
  });
}

}  // namespace nodrop::controller
