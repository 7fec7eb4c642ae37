// A thread that runs one body (an event loop, a test's client) and is joined when destroyed.
// Exists so that modules outside src/live/ can run loops on threads without including <thread>.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace nodrop::live {

class Thread {
 public:
  explicit Thread(std::function<void()> body);
  ~Thread();  // joins
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;

  void join();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Polls condition every millisecond until it holds (true) or timeout passes (false). For tests
// and tools waiting on another thread's progress; never for the data plane, which uses timers.
bool poll_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace nodrop::live
