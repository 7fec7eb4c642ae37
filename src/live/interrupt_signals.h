// SIGINT and SIGTERM as a readable fd (signalfd), so a run interrupted at the terminal ends
// through its event loop and still reports what it measured.
//
// While an InterruptSignals exists, the two signals are blocked in the calling thread (nodrop is
// single-threaded where this is used) and queue on fd() instead of ending the process; the
// destructor restores the previous mask. Children started by CommandProcess unblock them.
#pragma once

#include <signal.h>

namespace nodrop::live {

class InterruptSignals {
 public:
  InterruptSignals();
  ~InterruptSignals();
  InterruptSignals(const InterruptSignals&) = delete;
  InterruptSignals& operator=(const InterruptSignals&) = delete;

  // Readable when a signal is pending; -1 if signalfd failed (the signals then act as usual).
  int fd() const { return fd_; }
  // Consumes one pending signal and returns its number, or 0 when none is pending.
  int take();

 private:
  int fd_ = -1;
  bool blocked_ = false;
  sigset_t previous_mask_{};
};

}  // namespace nodrop::live
