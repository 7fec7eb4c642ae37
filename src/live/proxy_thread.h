// A thread that runs one body (a proxy worker's event loop) and is joined when destroyed.
// Exists so that modules outside src/live/ can run loops on threads without including <thread>.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace nodrop::live {

class ProxyThread {
 public:
  explicit ProxyThread(std::function<void()> body);
  ~ProxyThread();  // joins
  ProxyThread(const ProxyThread&) = delete;
  ProxyThread& operator=(const ProxyThread&) = delete;

  void join();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Polls condition every millisecond until it holds (true) or timeout passes (false). For tests
// and tools waiting on another thread's progress; never for the data plane, which uses timers.
bool poll_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace nodrop::live
