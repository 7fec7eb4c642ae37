#include "live/processes/command_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nodrop::live {

Result<CommandProcess> CommandProcess::spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) return invalid_argument("no command to run");
  std::vector<char*> c_argv;
  c_argv.reserve(argv.size() + 1);
  for (const std::string& argument : argv) c_argv.push_back(const_cast<char*>(argument.c_str()));
  c_argv.push_back(nullptr);

  // The child writes its exec errno here; a successful exec closes the pipe with nothing written.
  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) {
    return io_error(fmt::format("pipe: {}", std::strerror(errno)));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    const int error_number = errno;
    close(error_pipe[0]);
    close(error_pipe[1]);
    return io_error(fmt::format("fork: {}", std::strerror(error_number)));
  }
  if (pid == 0) {
    // The parent may block SIGINT and SIGTERM to read them from a signalfd; the command must not
    // inherit that, or a Ctrl-C would not stop it.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(c_argv[0], c_argv.data());
    const int error_number = errno;
    [[maybe_unused]] const auto written = write(error_pipe[1], &error_number, sizeof error_number);
    _exit(127);
  }
  close(error_pipe[1]);
  int exec_error = 0;
  ssize_t got = 0;
  do {
    got = read(error_pipe[0], &exec_error, sizeof exec_error);
  } while (got < 0 && errno == EINTR);
  close(error_pipe[0]);
  if (got == sizeof exec_error) {
    waitpid(pid, nullptr, 0);
    return invalid_argument(
        fmt::format("cannot run \"{}\": {}", argv[0], std::strerror(exec_error)));
  }
  // Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C", so C++ cannot link it.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const int error_number = errno;
    ::kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return io_error(fmt::format("pidfd_open: {}", std::strerror(error_number)));
  }
  return CommandProcess(pid, pidfd);
}

CommandProcess::CommandProcess(CommandProcess&& other) noexcept
    : pid_(other.pid_), pidfd_(other.pidfd_), reaped_(other.reaped_) {
  other.pid_ = -1;
  other.pidfd_ = -1;
  other.reaped_ = true;
}

CommandProcess::~CommandProcess() {
  if (pid_ > 0 && !reaped_) {
    force_stop();
    waitpid(pid_, nullptr, 0);
  }
  if (pidfd_ >= 0) close(pidfd_);
}

Result<int> CommandProcess::reap() {
  NODROP_CHECK(pid_ > 0 && !reaped_);
  int status = 0;
  pid_t done = 0;
  do {
    done = waitpid(pid_, &status, WNOHANG);
  } while (done < 0 && errno == EINTR);
  if (done == 0) return Status(StatusCode::kUnavailable, "the command is still running");
  if (done < 0) return io_error(fmt::format("waitpid: {}", std::strerror(errno)));
  reaped_ = true;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

void CommandProcess::force_stop() {
  if (pid_ > 0 && !reaped_) ::kill(pid_, SIGKILL);
}

}  // namespace nodrop::live
