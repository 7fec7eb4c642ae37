// The live event loop: epoll for file descriptors, a timer queue for runtime::EventLoop, and an
// eventfd so other threads can hand work to the loop.
//
// Threading: one thread runs run(); every method except post_from_any_thread() and stop() must be
// called on that thread (or before run() starts). Timers fire in deadline order with ties broken
// by scheduling order, as the runtime::EventLoop contract requires.
//
// Bounds: the number of fd watches is limited by the process's fd limit; callbacks posted from
// other threads are queued without bound, so producers must bound themselves.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "live/loop/system_clock.h"
#include "runtime/event_loop.h"

namespace nodrop::live {

// Interest and event bits for fd watches.
enum FdEvent : std::uint32_t {
  kReadable = 1U << 0,
  kWritable = 1U << 1,
  kHangup = 1U << 2,  // peer closed or error; always reported
  // With kReadable on a socket several loops watch (a shared listener): a connection wakes one
  // waiting loop, not all of them (EPOLLEXCLUSIVE). Only for watch(), never for modify().
  kExclusive = 1U << 3,
};

using WatchId = std::uint64_t;

class EpollLoop final : public runtime::EventLoop {
 public:
  EpollLoop();
  ~EpollLoop() override;
  EpollLoop(const EpollLoop&) = delete;
  EpollLoop& operator=(const EpollLoop&) = delete;

  // runtime::EventLoop
  const runtime::Clock& clock() const override { return clock_; }
  runtime::TimerId run_at(runtime::Time deadline, std::function<void()> callback) override;
  bool cancel(runtime::TimerId timer) override;

  // Watches fd for the given FdEvent bits; callback receives the bits that fired. The fd stays
  // owned by the caller, who must unwatch() before closing it.
  WatchId watch(int fd, std::uint32_t interest, std::function<void(std::uint32_t events)> callback);
  void modify(WatchId watch, std::uint32_t interest);
  void unwatch(WatchId watch);
  // Drops the watch without telling epoll, for a caller that closes the fd right after: closing
  // the last reference to a file removes it from epoll already, so EPOLL_CTL_DEL would be a
  // wasted syscall per connection. Only for fds never dup()ed; all the proxy's sockets are
  // CLOEXEC, so a forked child holds a copy at most until its exec, during which an event for
  // the dropped watch is ignored (its id is unknown).
  void unwatch_before_close(WatchId watch);

  // Runs until stop(). Returns at once if stop() was already called.
  void run();
  // Runs one turn: waits at most max_wait for events or timers, then dispatches them.
  void run_once(runtime::Duration max_wait);
  // Runs flush after every `every_events` events a turn dispatches and at the end of every turn,
  // after its timers: the proxy sends there, in one system call, what the events before produced.
  // A turn can bring hundreds of events (a burst of new connections); flushing within it keeps the
  // first ones' bytes from waiting for all the rest.
  void set_flush(std::function<void()> flush, int every_events) {
    flush_ = std::move(flush);
    flush_every_ = every_events;
  }
  // Thread-safe: makes run() return after the current turn.
  void stop();
  // Thread-safe: runs callback on the loop thread on its next turn.
  void post_from_any_thread(std::function<void()> callback);

 private:
  struct Watch {
    int fd = -1;
    std::function<void(std::uint32_t)> callback;
  };
  using TimerKey = std::pair<runtime::Time, runtime::TimerId>;

  void fire_due_timers();
  void drain_wakeups();

  SystemClock clock_;
  int epoll_fd_ = -1;
  int wakeup_fd_ = -1;
  runtime::TimerId next_timer_ = 1;
  std::map<TimerKey, std::function<void()>> timers_;
  std::unordered_map<runtime::TimerId, runtime::Time> timer_deadline_;
  WatchId next_watch_ = 1;
  std::unordered_map<WatchId, std::shared_ptr<Watch>> watches_;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  bool stop_requested_ = false;  // guarded by posted_mutex_
  std::function<void()> flush_;
  int flush_every_ = 0;
};

// The watch of one fd whose owner changes what it waits for as it goes (a proxy's sockets): set()
// adds, modifies or removes the loop's watch only when the interest really changes, since each
// change is a system call (epoll_ctl). The owner removes the watch before closing the fd.
class FdWatch {
 public:
  // Waits for interest on fd (0: nothing, which removes the watch). on_events is taken only when
  // the watch is added.
  template <typename OnEvents>
  void set(EpollLoop& loop, int fd, std::uint32_t interest, OnEvents&& on_events) {
    if (interest == interest_) return;
    interest_ = interest;
    if (interest == 0) {
      loop.unwatch(id_);
      id_ = 0;
    } else if (id_ == 0) {
      id_ = loop.watch(fd, interest, std::forward<OnEvents>(on_events));
    } else {
      loop.modify(id_, interest);
    }
  }
  // For an fd about to be closed (EpollLoop::unwatch_before_close).
  void remove_before_close(EpollLoop& loop) {
    if (id_ != 0) loop.unwatch_before_close(id_);
    id_ = 0;
    interest_ = 0;
  }
  // For an fd that stays open, or was dup()ed.
  void remove(EpollLoop& loop) {
    if (id_ != 0) loop.unwatch(id_);
    id_ = 0;
    interest_ = 0;
  }
  std::uint32_t interest() const { return interest_; }

 private:
  WatchId id_ = 0;
  std::uint32_t interest_ = 0;
};

}  // namespace nodrop::live
