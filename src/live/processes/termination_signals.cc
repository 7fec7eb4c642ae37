#include "live/processes/termination_signals.h"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace nodrop::live {

Result<TerminationSignals> TerminationSignals::block(bool also_hangup) {
  sigset_t termination;
  sigemptyset(&termination);
  sigaddset(&termination, SIGINT);
  sigaddset(&termination, SIGTERM);
  if (also_hangup) sigaddset(&termination, SIGHUP);
  TerminationSignals signals;
  if (const int error = pthread_sigmask(SIG_BLOCK, &termination, &signals.previous_mask_);
      error != 0) {
    return io_error("pthread_sigmask: " + error_text(error));
  }
  signals.blocked_ = true;
  signals.signal_fd_ = FileDescriptor(signalfd(-1, &termination, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals.signal_fd_.is_open()) return io_error("signalfd: " + error_text(errno));
  return signals;
}

TerminationSignals::TerminationSignals(TerminationSignals&& other) noexcept
    : signal_fd_(std::move(other.signal_fd_)),
      blocked_(std::exchange(other.blocked_, false)),
      previous_mask_(other.previous_mask_) {}

TerminationSignals::~TerminationSignals() {
  signal_fd_.reset();
  if (blocked_) pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

int TerminationSignals::take() {
  int last = 0;
  signalfd_siginfo info{};
  while (read(signal_fd_.fd(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    last = static_cast<int>(info.ssi_signo);
  }
  return last;
}

PendingSignals TerminationSignals::take_all() {
  PendingSignals pending;
  signalfd_siginfo info{};
  while (read(signal_fd_.fd(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    if (info.ssi_signo == SIGHUP) {
      pending.hangup = true;
    } else {
      pending.terminate = true;
    }
  }
  return pending;
}

}  // namespace nodrop::live
