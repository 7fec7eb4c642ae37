// SIGTERM and SIGINT for `nodrop proxy`, delivered through a signalfd that an EpollLoop watches,
// so the drain starts on the loop thread instead of inside a signal handler.
//
// Construct before starting any thread: the signals are blocked in the constructing thread and
// every thread it starts afterwards inherits the mask. The destructor unblocks them.
#pragma once

#include <utility>

#include "base/status.h"
#include "live/file_descriptor.h"

namespace nodrop::live {

class TerminationSignals {
 public:
  static Result<TerminationSignals> block();
  TerminationSignals(TerminationSignals&& other) noexcept
      : signal_fd_(std::move(other.signal_fd_)), blocked_(std::exchange(other.blocked_, false)) {}
  TerminationSignals& operator=(TerminationSignals&&) = delete;
  ~TerminationSignals();

  // Readable when a signal is pending.
  int fd() const { return signal_fd_.fd(); }
  // Consumes the pending signals; returns the last signal number read, or 0.
  int consume();

 private:
  TerminationSignals() = default;
  FileDescriptor signal_fd_;
  bool blocked_ = false;
};

}  // namespace nodrop::live
