#include "live/interrupt_signals.h"

#include <sys/signalfd.h>
#include <unistd.h>

namespace nodrop::live {

InterruptSignals::InterruptSignals() {
  sigset_t interrupts;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  sigaddset(&interrupts, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &interrupts, &previous_mask_) != 0) return;
  blocked_ = true;
  fd_ = signalfd(-1, &interrupts, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ < 0) {
    sigprocmask(SIG_SETMASK, &previous_mask_, nullptr);
    blocked_ = false;
  }
}

InterruptSignals::~InterruptSignals() {
  if (fd_ >= 0) close(fd_);
  if (blocked_) sigprocmask(SIG_SETMASK, &previous_mask_, nullptr);
}

int InterruptSignals::take() {
  if (fd_ < 0) return 0;
  signalfd_siginfo info{};
  const ssize_t got = read(fd_, &info, sizeof info);
  return got == sizeof info ? static_cast<int>(info.ssi_signo) : 0;
}

}  // namespace nodrop::live
