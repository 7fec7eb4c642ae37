#include "live/proxy_signals.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace nodrop::live {
namespace {

sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

Result<TerminationSignals> TerminationSignals::block() {
  const sigset_t set = termination_set();
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return io_error("pthread_sigmask failed");
  TerminationSignals signals;
  signals.blocked_ = true;
  signals.signal_fd_ = FileDescriptor(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals.signal_fd_.is_open()) return io_error("signalfd: " + error_text(errno));
  return signals;
}

TerminationSignals::~TerminationSignals() {
  if (!std::exchange(blocked_, false)) return;
  const sigset_t set = termination_set();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

int TerminationSignals::consume() {
  int last = 0;
  signalfd_siginfo info{};
  while (read(signal_fd_.fd(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    last = static_cast<int>(info.ssi_signo);
  }
  return last;
}

}  // namespace nodrop::live
