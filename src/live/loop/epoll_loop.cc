#include "live/loop/epoll_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/check.h"

namespace nodrop::live {
namespace {

constexpr WatchId kWakeupWatch = 0;
constexpr int kMaxEventsPerTurn = 256;

std::uint32_t to_epoll(std::uint32_t interest) {
  std::uint32_t bits = EPOLLRDHUP;
  if (interest & kReadable) bits |= EPOLLIN;
  if (interest & kWritable) bits |= EPOLLOUT;
  if (interest & kExclusive) bits = (bits & ~EPOLLRDHUP) | EPOLLEXCLUSIVE;
  return bits;
}

std::uint32_t from_epoll(std::uint32_t bits) {
  std::uint32_t events = 0;
  if (bits & (EPOLLIN | EPOLLPRI)) events |= kReadable;
  if (bits & EPOLLOUT) events |= kWritable;
  if (bits & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) events |= kHangup;
  return events;
}

}  // namespace

EpollLoop::EpollLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  NODROP_CHECK(epoll_fd_ >= 0);
  wakeup_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  NODROP_CHECK(wakeup_fd_ >= 0);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeupWatch;
  NODROP_CHECK(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wakeup_fd_, &event) == 0);
}

EpollLoop::~EpollLoop() {
  close(wakeup_fd_);
  close(epoll_fd_);
}

runtime::TimerId EpollLoop::run_at(runtime::Time deadline, std::function<void()> callback) {
  NODROP_CHECK(callback != nullptr);
  const runtime::TimerId id = next_timer_++;
  timers_.emplace(TimerKey{deadline, id}, std::move(callback));
  timer_deadline_.emplace(id, deadline);
  return id;
}

bool EpollLoop::cancel(runtime::TimerId timer) {
  const auto found = timer_deadline_.find(timer);
  if (found == timer_deadline_.end()) return false;
  timers_.erase(TimerKey{found->second, timer});
  timer_deadline_.erase(found);
  return true;
}

WatchId EpollLoop::watch(int fd, std::uint32_t interest,
                         std::function<void(std::uint32_t)> callback) {
  NODROP_CHECK(fd >= 0 && callback != nullptr);
  const WatchId id = next_watch_++;
  epoll_event event{};
  event.events = to_epoll(interest);
  event.data.u64 = id;
  NODROP_CHECK(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0);
  watches_.emplace(id, std::make_shared<Watch>(Watch{fd, std::move(callback)}));
  return id;
}

void EpollLoop::modify(WatchId watch, std::uint32_t interest) {
  const auto found = watches_.find(watch);
  NODROP_CHECK(found != watches_.end());
  epoll_event event{};
  event.events = to_epoll(interest);
  event.data.u64 = watch;
  NODROP_CHECK(epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, found->second->fd, &event) == 0);
}

void EpollLoop::unwatch(WatchId watch) {
  const auto found = watches_.find(watch);
  if (found == watches_.end()) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, found->second->fd, nullptr);
  watches_.erase(found);
}

void EpollLoop::unwatch_before_close(WatchId watch) { watches_.erase(watch); }

void EpollLoop::run() {
  while (true) {
    {
      std::lock_guard lock(posted_mutex_);
      if (stop_requested_) {
        stop_requested_ = false;
        return;
      }
    }
    run_once(std::chrono::seconds(60));
  }
}

void EpollLoop::run_once(runtime::Duration max_wait) {
  runtime::Duration wait = max_wait;
  if (!timers_.empty()) {
    wait = std::clamp(timers_.begin()->first.first - clock_.now(), runtime::Duration::zero(),
                      max_wait);
  }
  // Round up so a timer due in 0.3 ms does not spin with a zero timeout.
  const auto wait_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
  epoll_event events[kMaxEventsPerTurn];
  const int count = epoll_wait(epoll_fd_, events, kMaxEventsPerTurn, wait_ms);
  NODROP_CHECK(count >= 0 || errno == EINTR);
  for (int i = 0; i < count; ++i) {
    const WatchId id = events[i].data.u64;
    if (id == kWakeupWatch) {
      drain_wakeups();
      continue;
    }
    const auto found = watches_.find(id);
    if (found == watches_.end()) continue;  // unwatched by an earlier callback this turn
    const std::shared_ptr<Watch> keep_alive = found->second;
    keep_alive->callback(from_epoll(events[i].events));
    if (flush_ && (i + 1) % flush_every_ == 0) flush_();
  }
  fire_due_timers();
  if (flush_) flush_();
}

void EpollLoop::fire_due_timers() {
  const runtime::Time now = clock_.now();
  // Only timers due now run this turn; a timer scheduled by a callback for "now" runs next turn.
  std::vector<std::function<void()>> due;
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto first = timers_.begin();
    timer_deadline_.erase(first->first.second);
    due.push_back(std::move(first->second));
    timers_.erase(first);
  }
  for (auto& callback : due) callback();
}

void EpollLoop::drain_wakeups() {
  std::uint64_t counter = 0;
  while (read(wakeup_fd_, &counter, sizeof counter) > 0) {
  }
  std::vector<std::function<void()>> posted;
  {
    std::lock_guard lock(posted_mutex_);
    posted.swap(posted_);
  }
  for (auto& callback : posted) callback();
}

void EpollLoop::stop() {
  {
    std::lock_guard lock(posted_mutex_);
    stop_requested_ = true;
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(wakeup_fd_, &one, sizeof one);
}

void EpollLoop::post_from_any_thread(std::function<void()> callback) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(callback));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(wakeup_fd_, &one, sizeof one);
}

}  // namespace nodrop::live
