// SIGINT and SIGTERM (and SIGHUP if asked) as a readable fd (signalfd) that an EpollLoop watches,
// so that a run stopped at the terminal or by a supervisor ends on its loop's thread instead of
// inside a signal handler: `nodrop proxy` drains, `nodrop load` still reports what it measured.
//
// While a TerminationSignals exists, the two signals are blocked in the thread that made it and
// queue on fd() instead of ending the process. Make it before starting any thread: every thread
// started afterwards inherits the mask, so no other thread takes the signals. The destructor
// restores the mask it found. Children (live::spawn, CommandProcess) start with the signals
// unblocked.
#pragma once

#include <signal.h>

#include "base/status.h"
#include "live/file_descriptor.h"

namespace nodrop::live {

// What take_all() found pending.
struct PendingSignals {
  bool terminate = false;  // SIGINT or SIGTERM
  bool hangup = false;     // SIGHUP, when blocked with also_hangup
};

class TerminationSignals {
 public:
  // An IoError when the mask or the signalfd cannot be set up; the signals then act as usual.
  // also_hangup: SIGHUP too, for a foreground server that re-reads its inputs on it (`nodrop up`).
  static Result<TerminationSignals> block(bool also_hangup = false);
  TerminationSignals(TerminationSignals&& other) noexcept;
  TerminationSignals& operator=(TerminationSignals&&) = delete;
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;
  ~TerminationSignals();

  // Readable when a signal is pending.
  int fd() const { return signal_fd_.fd(); }
  // Consumes every pending signal; returns the number of the last one read, or 0 when none was.
  int take();
  // Consumes every pending signal and says which kinds there were.
  PendingSignals take_all();

 private:
  TerminationSignals() = default;

  FileDescriptor signal_fd_;
  bool blocked_ = false;  // whether the destructor has a mask to restore
  sigset_t previous_mask_{};
};

}  // namespace nodrop::live
