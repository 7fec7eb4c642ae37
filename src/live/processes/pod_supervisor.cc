#include "live/processes/pod_supervisor.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

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

// A reconnecting nodrop → supervisor, first message on an accepted connection: the process it
// wants. Supervisor → nodrop: the answer; when accepted, with SCM_RIGHTS [pidfd of the
// supervisor, read end of the output pipe].
constexpr std::uint32_t kHelloMagic = 0x6e647268;    // "ndrh"
constexpr std::uint32_t kWelcomeMagic = 0x6e647277;  // "ndrw"
struct Hello {
  std::uint32_t magic;
  std::uint32_t key_length;
  char key[runtime::kMaxKeyBytes];
};
struct Welcome {
  std::uint32_t magic;
  std::int32_t accepted;
  std::int32_t main_pid;
};
// How long a supervisor waits for the Hello of a connection it accepted.
constexpr int kHelloTimeoutMs = 1000;

// What the supervisor needs of its lifeline, as descriptors and C strings made before the fork.
struct SupervisorLifeline {
  int listen_fd = -1;  // -1: none; the pod dies with nodrop
  int directory_fd = -1;
  const char* socket_name = "";
  const char* key = "";
  std::size_t key_length = 0;
  long timeout_ms = 0;
  int output_read_fd = -1;
};

long monotonic_ms() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1000 + now.tv_nsec / 1'000'000;
}

// A path naming `name` in the directory open as directory_fd, short whatever the directory's own
// path: "/proc/self/fd/<fd>/<name>". false when it does not fit (a name longer than the key's
// hash gives).
bool socket_address(int directory_fd, const char* name, sockaddr_un& address) {
  address = {};
  address.sun_family = AF_UNIX;
  const int written = snprintf(address.sun_path, sizeof address.sun_path, "/proc/self/fd/%d/%s",
                               directory_fd, name);
  return written > 0 && static_cast<std::size_t>(written) < sizeof address.sun_path;
}

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

// Closes every descriptor from 3 up except those kept (all above stdio; -1 for none).
template <std::size_t N>
void close_all_except(int (&kept)[N]) {
  int sorted[N];
  std::copy(kept, kept + N, sorted);
  std::sort(sorted, sorted + N);
  unsigned next = 3;
  for (int fd : sorted) {
    if (fd < 0) continue;
    if (static_cast<unsigned>(fd) > next) close_range_of(next, static_cast<unsigned>(fd) - 1);
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

// The supervisor's side of a reconnecting nodrop's handshake, on a connection it accepted: true
// when the nodrop asked for this process and was given it (then fd is the control socket).
bool welcome(int fd, pid_t main_pid, const SupervisorLifeline& lifeline) {
  pollfd readable{fd, POLLIN, 0};
  if (poll(&readable, 1, kHelloTimeoutMs) <= 0) return false;
  Hello hello{};
  const ssize_t got = recv(fd, &hello, sizeof hello, MSG_DONTWAIT);
  ucred peer{};
  socklen_t peer_size = sizeof peer;
  if (got < static_cast<ssize_t>(offsetof(Hello, key)) ||
      getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_size) != 0 || peer.uid != getuid()) {
    return false;
  }
  const bool wanted = hello.magic == kHelloMagic && hello.key_length == lifeline.key_length &&
                      got >= static_cast<ssize_t>(offsetof(Hello, key) + hello.key_length) &&
                      std::memcmp(hello.key, lifeline.key, lifeline.key_length) == 0;
  Welcome answer{kWelcomeMagic, wanted ? 1 : 0, main_pid};
  if (!wanted) {
    [[maybe_unused]] const auto sent = send(fd, &answer, sizeof answer, MSG_NOSIGNAL);
    return false;
  }
  const int self = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
  if (self < 0) return false;
  iovec payload{&answer, sizeof answer};
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &payload;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr* rights = CMSG_FIRSTHDR(&message);
  rights->cmsg_level = SOL_SOCKET;
  rights->cmsg_type = SCM_RIGHTS;
  rights->cmsg_len = CMSG_LEN(2 * sizeof(int));
  const int passed[2] = {self, lifeline.output_read_fd};
  std::memcpy(CMSG_DATA(rights), passed, sizeof passed);
  const ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL);
  close(self);
  return sent == static_cast<ssize_t>(sizeof answer);
}

// The supervisor: a fork of nodrop that never execs, so async-signal-safe calls only and no
// allocation. Never returns.
[[noreturn]] void run_supervisor(int control_fd, int output_fd, int null_fd,
                                 const PreparedCommand& command, const char* working_dir,
                                 SupervisorLifeline lifeline) {
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
  if (lifeline.listen_fd >= 0) {
    lifeline.listen_fd = above_stdio(lifeline.listen_fd);
    lifeline.directory_fd = above_stdio(lifeline.directory_fd);
    lifeline.output_read_fd = above_stdio(lifeline.output_read_fd);
    if (lifeline.listen_fd < 0 || lifeline.directory_fd < 0 || lifeline.output_read_fd < 0) {
      _exit(1);
    }
  }
  // Holding nodrop's stdout would keep whoever reads it (a terminal, a test runner) waiting.
  dup2(null_fd, STDIN_FILENO);
  dup2(null_fd, STDOUT_FILENO);
  dup2(null_fd, STDERR_FILENO);
  // Above all, no other supervisor's lifeline, no copy of nodrop's end of our own, and nothing
  // of nodrop's own state (the data dir's lock, its database).
  int kept[] = {control_fd,
                output_fd,
                null_fd,
                lifeline.listen_fd,
                lifeline.directory_fd,
                lifeline.output_read_fd};
  close_all_except(kept);
  // Listening here, not in nodrop: a connecting peer's SO_PEERCRED names the process that called
  // listen(), and the next nodrop checks that it is this supervisor. Without it, no lifeline.
  if (lifeline.listen_fd >= 0 && listen(lifeline.listen_fd, 4) != 0) {
    unlinkat(lifeline.directory_fd, lifeline.socket_name, 0);
    close(lifeline.listen_fd);
    lifeline.listen_fd = -1;
  }
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

  // While nodrop is connected: its requests. Once it is gone: a new nodrop, until the deadline.
  bool connected = true;
  bool given_up = false;
  long deadline_ms = 0;
  while (main_running) {
    const bool waiting = !connected && !given_up;
    pollfd watched[3] = {{signal_fd, POLLIN, 0},
                         {connected ? control_fd : -1, POLLIN, 0},
                         {waiting ? lifeline.listen_fd : -1, POLLIN, 0}};
    const int timeout_ms =
        waiting ? static_cast<int>(std::max(0L, deadline_ms - monotonic_ms())) : -1;
    if (poll(watched, 3, timeout_ms) < 0) continue;  // EINTR; every signal is blocked, so rare
    if (connected && watched[1].revents != 0) {
      SignalRequest request{};
      const ssize_t received = recv(control_fd, &request, sizeof request, MSG_DONTWAIT);
      if (received == static_cast<ssize_t>(sizeof request)) {
        // The main process is not reaped yet (only this loop reaps it): its pid names the group.
        kill(-main_pid, request.signal_number);
      } else if (received == 0 || (received < 0 && errno != EAGAIN && errno != EINTR)) {
        // nodrop is gone.
        connected = false;
        close(control_fd);
        control_fd = -1;
        deadline_ms = monotonic_ms() + lifeline.timeout_ms;
      }
    }
    if (!connected && !given_up && watched[2].revents != 0) {
      const int accepted = accept4(lifeline.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (accepted >= 0) {
        if (welcome(accepted, main_pid, lifeline)) {
          control_fd = accepted;
          connected = true;
        } else {
          close(accepted);
        }
      }
    }
    if (!connected && !given_up && (lifeline.listen_fd < 0 || monotonic_ms() >= deadline_ms)) {
      given_up = true;  // no new nodrop came: the pod goes
      kill(-main_pid, SIGKILL);
    }
    drain(signal_fd);
    reap_exited(main_pid, main_running, main_exit);
  }
  // The process is gone: nothing is left to adopt.
  if (lifeline.listen_fd >= 0) {
    unlinkat(lifeline.directory_fd, lifeline.socket_name, 0);
    close(lifeline.listen_fd);
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

// Waits for the supervisor to exit: reaped if it is nodrop's child; an adopted one is its own
// parent's to reap. Returns its exit when known.
std::optional<siginfo_t> wait_for_supervisor(const SupervisedChild& child) {
  if (!child.adopted) return wait_for(child.supervisor_pidfd);
  pollfd exited{child.supervisor_pidfd, POLLIN, 0};
  while (poll(&exited, 1, -1) < 0 && errno == EINTR) {
  }
  return std::nullopt;
}

// The pid a pidfd refers to, from /proc/self/fdinfo; -1 when unknown.
pid_t pid_of_pidfd(int pidfd) {
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(pidfd));
  std::string line;
  while (std::getline(info, line)) {
    if (line.rfind("Pid:", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(4)));
  }
  return -1;
}

}  // namespace

pid_t parent_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= text.size()) return -1;
  std::istringstream fields(text.substr(close_paren + 2));
  char state = 0;
  pid_t parent = -1;
  fields >> state >> parent;
  return parent;
}

std::string socket_name_of(const std::string& key) {
  // FNV-1a, 64 bits: names are short and fixed in length; the key itself is checked on connect.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : key) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.sock", static_cast<unsigned long long>(hash));
  return name;
}

Result<SupervisedChild> spawn_supervised(const SpawnRequest& request, const Lifeline& lifeline) {
  Result<PreparedCommand> command = prepare_command(request);
  if (!command) return command.status();
  if (lifeline.key.size() > runtime::kMaxKeyBytes) return invalid_argument("key too long");

  // The listening socket is made and bound here, where errors can be reported; the supervisor
  // listens and accepts on it.
  SupervisorLifeline waiting;
  if (lifeline.directory_fd >= 0) {
    sockaddr_un address{};
    if (!socket_address(lifeline.directory_fd, lifeline.socket_name.c_str(), address)) {
      return invalid_argument("socket name too long: " + lifeline.socket_name);
    }
    waiting.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (waiting.listen_fd < 0) {
      return Status(StatusCode::kResourceExhausted, std::string("socket: ") + std::strerror(errno));
    }
    int bound =
        bind(waiting.listen_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    if (bound != 0 && errno == EADDRINUSE) {
      // Left by a supervisor that was killed: nothing listens there.
      unlinkat(lifeline.directory_fd, lifeline.socket_name.c_str(), 0);
      bound = bind(waiting.listen_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    }
    if (bound != 0) {
      const int error = errno;
      close(waiting.listen_fd);
      return io_error("the supervisor's socket " + lifeline.socket_name + ": " +
                      std::strerror(error));
    }
    waiting.directory_fd = lifeline.directory_fd;
    waiting.socket_name = lifeline.socket_name.c_str();
    waiting.key = lifeline.key.c_str();
    waiting.key_length = lifeline.key.size();
    waiting.timeout_ms = static_cast<long>(lifeline.reconnect_timeout.count());
    waiting.output_read_fd = lifeline.output_read_fd;
  }
  const auto forget_socket = [&] {
    if (waiting.listen_fd < 0) return;
    close(waiting.listen_fd);
    waiting.listen_fd = -1;
  };

  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    forget_socket();
    return io_error(std::string("open /dev/null: ") + std::strerror(errno));
  }
  int control[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) != 0) {
    close(null_fd);
    forget_socket();
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
    run_supervisor(control[1], request.output_fd, null_fd, *command, request.working_dir->c_str(),
                   waiting);
  }
  const int clone_errno = errno;
  close(control[1]);
  close(null_fd);
  forget_socket();  // the supervisor has it; on a failure below, its file goes
  if (pid < 0) {
    close(control[0]);
    if (lifeline.directory_fd >= 0) {
      unlinkat(lifeline.directory_fd, lifeline.socket_name.c_str(), 0);
    }
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
  if (lifeline.directory_fd >= 0) unlinkat(lifeline.directory_fd, lifeline.socket_name.c_str(), 0);
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
    case runtime::Signal::kQuit:
      request.signal_number = SIGQUIT;
      break;
    case runtime::Signal::kInterrupt:
      request.signal_number = SIGINT;
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
  const std::optional<siginfo_t> supervisor_exit = wait_for_supervisor(child);
  close(child.supervisor_pidfd);
  Report report{};
  const ssize_t got = recv(child.control_fd, &report, sizeof report, MSG_DONTWAIT);
  close(child.control_fd);
  if (got == static_cast<ssize_t>(sizeof report) && report.kind == ReportKind::kExited) {
    return exit_of(report.first, report.second);
  }
  // The supervisor died before the main process (someone killed it): the main process got its
  // PDEATHSIG, so report the supervisor's end as the container's (SIGKILL when it is not known).
  if (supervisor_exit) return exit_of(supervisor_exit->si_code, supervisor_exit->si_status);
  return exit_of(CLD_KILLED, SIGKILL);
}

void kill_supervised(SupervisedChild& child) {
  if (child.control_fd < 0) return;
  // Closing the socket alone would tell the supervisor that nodrop died, and it would wait for
  // another: it is asked to kill the group first.
  const SignalRequest request{SIGKILL};
  [[maybe_unused]] const auto sent =
      send(child.control_fd, &request, sizeof request, MSG_NOSIGNAL | MSG_DONTWAIT);
  close(child.control_fd);
  child.control_fd = -1;
}

void kill_and_reap_supervised(SupervisedChild& child) {
  kill_supervised(child);
  wait_for_supervisor(child);
  close(child.supervisor_pidfd);
  child.supervisor_pidfd = -1;
}

Result<AdoptedChild> adopt_supervised(const Lifeline& lifeline, std::chrono::milliseconds timeout) {
  if (lifeline.directory_fd < 0) return not_found("no directory of supervisors' sockets");
  if (lifeline.key.size() > runtime::kMaxKeyBytes) return invalid_argument("key too long");
  sockaddr_un address{};
  if (!socket_address(lifeline.directory_fd, lifeline.socket_name.c_str(), address)) {
    return invalid_argument("socket name too long: " + lifeline.socket_name);
  }
  const int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Status(StatusCode::kResourceExhausted, std::string("socket: ") + std::strerror(errno));
  }
  const auto fail = [fd](Status status) {
    close(fd);
    return status;
  };
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    if (error == ECONNREFUSED) {
      // A socket file with nothing behind it: its supervisor was killed.
      unlinkat(lifeline.directory_fd, lifeline.socket_name.c_str(), 0);
    }
    return fail(
        not_found("no supervisor answers for " + lifeline.key + ": " + std::strerror(error)));
  }
  ucred peer{};
  socklen_t peer_size = sizeof peer;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_size) != 0 || peer.uid != getuid()) {
    return fail(Status(StatusCode::kFailedPrecondition, "the supervisor's socket for " +
                                                            lifeline.key + " belongs to uid " +
                                                            std::to_string(peer.uid)));
  }
  Hello hello{};
  hello.magic = kHelloMagic;
  hello.key_length = static_cast<std::uint32_t>(lifeline.key.size());
  std::memcpy(hello.key, lifeline.key.data(), lifeline.key.size());
  if (send(fd, &hello, offsetof(Hello, key) + lifeline.key.size(), MSG_NOSIGNAL) < 0) {
    return fail(not_found("the supervisor of " + lifeline.key + " went: " + std::strerror(errno)));
  }
  pollfd readable{fd, POLLIN, 0};
  if (poll(&readable, 1, static_cast<int>(timeout.count())) <= 0) {
    return fail(not_found("the supervisor of " + lifeline.key + " does not answer"));
  }
  Welcome answer{};
  iovec payload{&answer, sizeof answer};
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &payload;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t got = recvmsg(fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  int passed[2] = {-1, -1};
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS &&
        header->cmsg_len == CMSG_LEN(sizeof passed)) {
      std::memcpy(passed, CMSG_DATA(header), sizeof passed);
    }
  }
  const auto close_passed = [&] {
    for (int passed_fd : passed) {
      if (passed_fd >= 0) close(passed_fd);
    }
  };
  if (got != static_cast<ssize_t>(sizeof answer) || answer.magic != kWelcomeMagic) {
    close_passed();
    return fail(not_found("the supervisor of " + lifeline.key + " did not answer as one"));
  }
  if (answer.accepted != 1) {
    close_passed();
    return fail(not_found("the supervisor at " + lifeline.socket_name + " runs another process"));
  }
  if (passed[0] < 0 || passed[1] < 0) {
    close_passed();
    return fail(internal_error("the supervisor of " + lifeline.key + " sent no descriptors"));
  }
  // The same process: the pidfd names the peer that answered, and the main process is its child.
  if (pid_of_pidfd(passed[0]) != peer.pid || parent_of(answer.main_pid) != peer.pid) {
    close_passed();
    return fail(Status(StatusCode::kFailedPrecondition,
                       "the supervisor of " + lifeline.key + " (pid " + std::to_string(peer.pid) +
                           ") is not the parent of pid " + std::to_string(answer.main_pid)));
  }
  AdoptedChild adopted;
  adopted.child.pid = answer.main_pid;
  adopted.child.supervisor_pid = peer.pid;
  adopted.child.supervisor_pidfd = passed[0];
  adopted.child.control_fd = fd;
  adopted.child.adopted = true;
  adopted.output_read_fd = passed[1];
  return adopted;
}

}  // namespace nodrop::live
