#include "live/processes/pod_supervisor.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "base/check.h"

namespace nodrop::live {
namespace {

// Supervisor → nodrop, one datagram each: kStarted {pid}, then kExited {si_code, si_status}; or
// kFailed {ChildStage, errno} instead of both.
enum class ReportKind : int { kStarted = 1, kFailed = 2, kExited = 3 };
struct Report {
  ReportKind kind;
  int first;
  int second;
};

// nodrop → supervisor: a signal for the group.
struct SignalRequest {
  int signal_number;
};

void send_report(int control_fd, ReportKind kind, int first, int second) {
  const Report report{kind, first, second};
  // The socket has room for these few datagrams; if nodrop is gone the report is moot.
  [[maybe_unused]] const auto sent =
      send(control_fd, &report, sizeof report, MSG_NOSIGNAL | MSG_DONTWAIT);
}

[[noreturn]] void supervisor_fail(int control_fd, ChildStage stage) {
  send_report(control_fd, ReportKind::kFailed, static_cast<int>(stage), errno);
  _exit(1);
}

// A descriptor numbered above stdin, stdout and stderr, which the supervisor points at /dev/null.
int above_stdio(int fd) { return fd > STDERR_FILENO ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3); }

void close_range_of(unsigned first, unsigned last) {
  if (first > last) return;
  if (syscall(SYS_close_range, first, last, 0) == 0) return;
  // Kernels before 5.9: close one by one, up to a bound no nodrop comes near.
  constexpr unsigned kDescriptorsMax = 65536;
  for (unsigned fd = first; fd <= last && fd < kDescriptorsMax; ++fd) close(static_cast<int>(fd));
}

// Closes every descriptor from 3 up except the three kept (all above stdio).
void close_all_except(int a, int b, int c) {
  int kept[3] = {a, b, c};
  std::sort(kept, kept + 3);
  unsigned next = 3;
  for (int fd : kept) {
    if (fd > 0 && static_cast<unsigned>(fd) > next)
      close_range_of(next, static_cast<unsigned>(fd) - 1);
    next = std::max(next, static_cast<unsigned>(fd) + 1);
  }
  close_range_of(next, ~0U);
}

// Reaps every child that has exited. The main process is looked at before it is reaped
// (WNOWAIT): SIGKILL goes to its group while its pid still names the group. Returns false when
// the supervisor has no children left.
bool reap_exited(pid_t main_pid, bool& main_running, siginfo_t& main_exit) {
  for (;;) {
    siginfo_t info{};
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno != ECHILD;
    if (info.si_pid == 0) return true;  // children, none exited
    if (info.si_pid == main_pid && main_running) {
      kill(-main_pid, SIGKILL);
      waitid(P_PID, static_cast<id_t>(main_pid), &main_exit, WEXITED);
      main_running = false;
    } else {
      siginfo_t ignored{};
      waitid(P_PID, static_cast<id_t>(info.si_pid), &ignored, WEXITED);
    }
  }
}

void drain(int signal_fd) {
  signalfd_siginfo pending[8];
  while (read(signal_fd, pending, sizeof pending) > 0) {
  }
}

// The supervisor: a fork of nodrop that never execs, so async-signal-safe calls only and no
// allocation. Never returns.
[[noreturn]] void run_supervisor(int control_fd, int output_fd, int null_fd,
                                 const PreparedCommand& command, const char* working_dir) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  // Inherited from nodrop; SIG_IGN or SA_NOCLDWAIT on SIGCHLD would have the kernel reap the
  // main process before its exit could be read.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigaction(SIGCHLD, &default_action, nullptr);
  prctl(PR_SET_NAME, "nodrop-pod");
  control_fd = above_stdio(control_fd);
  output_fd = above_stdio(output_fd);
  null_fd = above_stdio(null_fd);
  if (control_fd < 0 || output_fd < 0 || null_fd < 0) _exit(1);
  // Holding nodrop's stdout would keep whoever reads it (a terminal, a test runner) waiting.
  dup2(null_fd, STDIN_FILENO);
  dup2(null_fd, STDOUT_FILENO);
  dup2(null_fd, STDERR_FILENO);
  // Above all, no other supervisor's lifeline and no copy of nodrop's end of our own.
  close_all_except(control_fd, output_fd, null_fd);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) supervisor_fail(control_fd, ChildStage::kSetup);
  sigset_t child_exits;
  sigemptyset(&child_exits);
  sigaddset(&child_exits, SIGCHLD);
  const int signal_fd = signalfd(-1, &child_exits, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) supervisor_fail(control_fd, ChildStage::kSetup);
  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) supervisor_fail(control_fd, ChildStage::kSetup);

  clone_args args{};
  args.exit_signal = SIGCHLD;
  const pid_t self = getpid();
  const long cloned = syscall(SYS_clone3, &args, sizeof args);
  if (cloned == 0) {
    close(error_pipe[0]);
    run_child(self, error_pipe[1], null_fd, output_fd, working_dir, command.executable.c_str(),
              command.argv.data(), command.envp.data());
  }
  if (cloned < 0) supervisor_fail(control_fd, ChildStage::kSetup);
  const auto main_pid = static_cast<pid_t>(cloned);
  close(error_pipe[1]);
  close(output_fd);  // the group's copies are the only writers left: nodrop sees EOF after it
  close(null_fd);

  // End-of-file means execve succeeded (the pipe closed on exec).
  ChildError error{};
  ssize_t got = 0;
  do {
    got = read(error_pipe[0], &error, sizeof error);
  } while (got < 0 && errno == EINTR);
  close(error_pipe[0]);
  bool main_running = true;
  siginfo_t main_exit{};
  if (got == static_cast<ssize_t>(sizeof error)) {
    send_report(control_fd, ReportKind::kFailed, static_cast<int>(error.stage), error.error_number);
    waitid(P_PID, static_cast<id_t>(main_pid), &main_exit, WEXITED);
    _exit(0);
  }
  send_report(control_fd, ReportKind::kStarted, main_pid, 0);

  bool nodrop_alive = true;
  while (main_running) {
    pollfd watched[2] = {{signal_fd, POLLIN, 0}, {nodrop_alive ? control_fd : -1, POLLIN, 0}};
    if (poll(watched, 2, -1) < 0) continue;  // EINTR; every signal is blocked, so rare
    if (watched[1].revents != 0) {
      SignalRequest request{};
      const ssize_t received = recv(control_fd, &request, sizeof request, MSG_DONTWAIT);
      if (received == static_cast<ssize_t>(sizeof request)) {
        // The main process is not reaped yet (only this loop reaps it): its pid names the group.
        kill(-main_pid, request.signal_number);
      } else if (received == 0 || (received < 0 && errno != EAGAIN && errno != EINTR)) {
        nodrop_alive = false;  // nodrop is gone: so is the pod
        kill(-main_pid, SIGKILL);
      }
    }
    drain(signal_fd);
    reap_exited(main_pid, main_running, main_exit);
  }
  send_report(control_fd, ReportKind::kExited, main_exit.si_code, main_exit.si_status);

  // The group got SIGKILL; reap its members as they are re-parented here, while the group has
  // members and there are children to reap, within the linger bound.
  for (int timeouts = 0; timeouts < kLingerTimeouts;) {
    if (!reap_exited(main_pid, main_running, main_exit)) break;
    if (kill(-main_pid, 0) != 0) break;  // the group is empty
    pollfd watched{signal_fd, POLLIN, 0};
    if (poll(&watched, 1, static_cast<int>(kLingerPoll.count())) == 0) ++timeouts;
    drain(signal_fd);
  }
  _exit(0);
}

runtime::ProcessExit exit_of(int code, int status) {
  runtime::ProcessExit exit;
  if (code == CLD_EXITED) {
    exit.kind = runtime::ExitKind::kExited;
    exit.exit_code = status;
  } else {
    exit.kind = runtime::ExitKind::kSignaled;
    exit.signal_number = status;
  }
  return exit;
}

siginfo_t wait_for(int pidfd) {
  siginfo_t info{};
  int result = 0;
  do {
    result = waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WEXITED);
  } while (result != 0 && errno == EINTR);
  NODROP_CHECK(result == 0);
  return info;
}

}  // namespace

Result<SupervisedChild> spawn_supervised(const SpawnRequest& request) {
  Result<PreparedCommand> command = prepare_command(request);
  if (!command) return command.status();

  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) return io_error(std::string("open /dev/null: ") + std::strerror(errno));
  int control[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) != 0) {
    close(null_fd);
    return Status(StatusCode::kResourceExhausted,
                  std::string("socketpair: ") + std::strerror(errno));
  }

  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_PIDFD;
  args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  const long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    run_supervisor(control[1], request.output_fd, null_fd, *command, request.working_dir->c_str());
  }
  const int clone_errno = errno;
  close(control[1]);
  close(null_fd);
  if (pid < 0) {
    close(control[0]);
    return Status(StatusCode::kResourceExhausted,
                  std::string("clone3: ") + std::strerror(clone_errno));
  }
  SupervisedChild child;
  child.supervisor_pid = static_cast<pid_t>(pid);
  child.supervisor_pidfd = pidfd;
  child.control_fd = control[0];

  Report report{};
  ssize_t got = 0;
  do {
    got = recv(child.control_fd, &report, sizeof report, 0);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof report) && report.kind == ReportKind::kStarted) {
    child.pid = report.first;
    return child;
  }
  // The supervisor exits right after a failure report (or has died): this wait is short.
  close(child.control_fd);
  const siginfo_t supervisor_exit = wait_for(child.supervisor_pidfd);
  close(child.supervisor_pidfd);
  if (got == static_cast<ssize_t>(sizeof report) && report.kind == ReportKind::kFailed) {
    return child_error_status(ChildError{static_cast<ChildStage>(report.first), report.second},
                              request, command->executable);
  }
  return internal_error("the supervisor of \"" + command->executable +
                        "\" exited before starting it (si_code " +
                        std::to_string(supervisor_exit.si_code) + ", status " +
                        std::to_string(supervisor_exit.si_status) + ")");
}

Status signal_supervised(const SupervisedChild& child, runtime::Signal signal) {
  SignalRequest request{SIGKILL};
  switch (signal) {
    case runtime::Signal::kTerminate:
      request.signal_number = SIGTERM;
      break;
    case runtime::Signal::kKill:
      request.signal_number = SIGKILL;
      break;
  }
  if (send(child.control_fd, &request, sizeof request, MSG_NOSIGNAL | MSG_DONTWAIT) ==
      static_cast<ssize_t>(sizeof request)) {
    return Status::ok();
  }
  if (errno == EPIPE || errno == ECONNRESET) return Status::ok();  // exited, not yet reaped
  return Status(StatusCode::kResourceExhausted,
                std::string("signal to the supervisor: ") + std::strerror(errno));
}

runtime::ProcessExit reap_supervised(const SupervisedChild& child) {
  const siginfo_t supervisor_exit = wait_for(child.supervisor_pidfd);
  close(child.supervisor_pidfd);
  Report report{};
  const ssize_t got = recv(child.control_fd, &report, sizeof report, MSG_DONTWAIT);
  close(child.control_fd);
  if (got == static_cast<ssize_t>(sizeof report) && report.kind == ReportKind::kExited) {
    return exit_of(report.first, report.second);
  }
  // The supervisor died before the main process (someone killed it): the main process got its
  // PDEATHSIG, so report the supervisor's end as the container's.
  return exit_of(supervisor_exit.si_code, supervisor_exit.si_status);
}

void kill_supervised(SupervisedChild& child) {
  if (child.control_fd < 0) return;
  close(child.control_fd);
  child.control_fd = -1;
}

void kill_and_reap_supervised(SupervisedChild& child) {
  kill_supervised(child);
  wait_for(child.supervisor_pidfd);
  close(child.supervisor_pidfd);
  child.supervisor_pidfd = -1;
}

}  // namespace nodrop::live
