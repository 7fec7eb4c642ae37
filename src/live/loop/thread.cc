#include "live/loop/thread.h"

#include <thread>

namespace nodrop::live {

struct Thread::State {
  std::thread thread;
};

Thread::Thread(std::function<void()> body)
    : state_(std::make_unique<State>(State{std::thread(std::move(body))})) {}

Thread::~Thread() { join(); }

void Thread::join() {
  if (state_->thread.joinable()) state_->thread.join();
}

bool poll_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace nodrop::live
