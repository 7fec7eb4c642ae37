// The imperative half every controller shares (client-go's processNextWorkItem loop): object keys
// go into a WorkQueue; the loop hands them to the controller's sync one at a time.
//
// Read-your-writes without client-go's expectations: processing is posted through the same
// post function the informers drain their watches through (one FIFO on one loop), and one round
// handles each key at most once. A sync's writes post their informers' drains before this
// reconciler can post its next round, so a key synced again sees the cache with its own writes.
//
// Not thread-safe: everything runs on the loop; enqueue() from handlers and timers there.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "controller/work_queue.h"
#include "runtime/event_loop.h"
#include "store/informer.h"

namespace nodrop::controller {

struct SyncResult {
  // The sync failed (a write conflicted, the store refused): try the key again through the rate
  // limiter.
  bool retry = false;
  // Look at the key again after this, besides its watches (a progress deadline, minReadySeconds).
  std::optional<runtime::Duration> requeue_after{};
};

class Reconciler {
 public:
  using Sync = std::function<SyncResult(const std::string& key)>;
  static constexpr std::size_t kMaxKeys = 100'000;
  // The syncs one turn of the loop runs before it lets the loop serve its other work (signals,
  // probes, the other controllers) and goes on at the next: 16,000 Deployments created at once
  // made one turn that held the loop for minutes, and `nodrop up` did not hear SIGTERM.
  static constexpr std::size_t kMaxSyncsPerTurn = 256;

  Reconciler(runtime::EventLoop& loop, store::Post post, Sync sync);
  ~Reconciler();
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  void enqueue(const std::string& key);
  // No key is synced after this (the control plane stopping before a node shutdown).
  void stop();
  void enqueue_after(const std::string& key, runtime::Duration delay);

  // Keys synced so far (tests, metrics).
  std::uint64_t syncs() const { return syncs_; }

 private:
  void schedule();
  void process();
  void arm_timer();

  runtime::EventLoop& loop_;
  store::Post post_;
  Sync sync_;
  WorkQueue queue_;
  bool posted_ = false;
  bool stopped_ = false;
  std::optional<runtime::TimerId> timer_;
  std::optional<runtime::Time> timer_deadline_;
  std::uint64_t syncs_ = 0;
  // Posted rounds may outlive the reconciler: they hold this flag.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// "namespace/name", client-go's MetaNamespaceKeyFunc.
std::string key_of(const api::ObjectMeta& metadata);
std::pair<std::string, std::string> split_key(const std::string& key);

}  // namespace nodrop::controller
