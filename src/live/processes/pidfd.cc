#include "live/processes/pidfd.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/check.h"

namespace nodrop::live {

[[noreturn]] void child_fail(int error_fd, ChildStage stage) {
  const ChildError error{stage, errno};
  [[maybe_unused]] const auto written = write(error_fd, &error, sizeof error);
  _exit(127);
}

// Runs in the child between clone3 and execve: only async-signal-safe calls, no allocation (the
// argument arrays were built by the parent).
[[noreturn]] void run_child(pid_t parent, int error_fd, int stdin_fd, int output_fd,
                            const char* working_dir, const char* path, char* const* argv,
                            char* const* envp) {
  if (setpgid(0, 0) != 0) child_fail(error_fd, ChildStage::kSetup);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(error_fd, ChildStage::kSetup);
  if (getppid() != parent) _exit(127);  // the parent died before PDEATHSIG was armed
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int number = 1; number < NSIG; ++number) {
    if (number == SIGKILL || number == SIGSTOP) continue;
    sigaction(number, &default_action, nullptr);  // fails harmlessly for reserved numbers
  }
  if (dup2(stdin_fd, STDIN_FILENO) < 0 || dup2(output_fd, STDOUT_FILENO) < 0 ||
      dup2(output_fd, STDERR_FILENO) < 0) {
    child_fail(error_fd, ChildStage::kSetup);
  }
  if (working_dir[0] != '\0' && chdir(working_dir) != 0) {
    child_fail(error_fd, ChildStage::kWorkingDir);
  }
  execve(path, argv, envp);
  child_fail(error_fd, ChildStage::kExec);
}

Status child_error_status(const ChildError& error, const SpawnRequest& request,
                          const std::string& path) {
  const std::string reason = std::strerror(error.error_number);
  switch (error.stage) {
    case ChildStage::kWorkingDir:
      return invalid_argument("working directory \"" + *request.working_dir + "\": " + reason);
    case ChildStage::kExec:
      if (error.error_number == ENOENT) {
        return not_found("command \"" + path + "\" not found");
      }
      if (error.error_number == EACCES) {
        return {StatusCode::kFailedPrecondition,
                "command \"" + path + "\" is not executable: " + reason};
      }
      return {StatusCode::kFailedPrecondition, "cannot run \"" + path + "\": " + reason};
    case ChildStage::kSetup:
      return internal_error("setting up the process for \"" + path + "\": " + reason);
  }
  return internal_error("unknown spawn failure");
}

Result<std::string> resolve_command(const std::string& command, const std::string& path) {
  if (command.empty()) return invalid_argument("empty command");
  if (command.find('/') != std::string::npos) return command;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto colon = path.find(':', start);
    const std::string directory =
        path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    const std::string candidate =
        (directory.empty() ? std::string(".") : directory) + "/" + command;
    struct stat info {};
    if (stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
        access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return not_found("command \"" + command + "\" not found in PATH " + path);
}

Result<PreparedCommand> prepare_command(const SpawnRequest& request) {
  NODROP_CHECK(request.argv != nullptr && request.env != nullptr &&
               request.working_dir != nullptr && request.output_fd >= 0);
  const auto& argv_strings = *request.argv;
  if (argv_strings.empty() || argv_strings[0].empty()) return invalid_argument("empty command");
  if (argv_strings.size() > runtime::kMaxArguments) {
    return invalid_argument("more than " + std::to_string(runtime::kMaxArguments) + " arguments");
  }
  if (request.env->size() > runtime::kMaxEnvironmentEntries) {
    return invalid_argument("more than " + std::to_string(runtime::kMaxEnvironmentEntries) +
                            " environment variables");
  }
  std::string path_variable = runtime::kDefaultPath;
  PreparedCommand command;
  command.env_strings.reserve(request.env->size());
  for (const auto& [name, value] : *request.env) {
    if (name.empty() || name.find('=') != std::string::npos) {
      return invalid_argument("environment variable name \"" + name + "\" is invalid");
    }
    if (name == "PATH") path_variable = value;
    command.env_strings.push_back(name + "=" + value);
  }
  Result<std::string> executable = resolve_command(argv_strings[0], path_variable);
  if (!executable) return executable.status();
  command.executable = std::move(executable).value();

  // Everything the child needs is built here: it must not allocate.
  for (const std::string& argument : argv_strings) {
    command.argv.push_back(const_cast<char*>(argument.c_str()));
  }
  command.argv.push_back(nullptr);
  for (const std::string& entry : command.env_strings) {
    command.envp.push_back(const_cast<char*>(entry.c_str()));
  }
  command.envp.push_back(nullptr);
  return command;
}

Result<SpawnedChild> spawn(const SpawnRequest& request) {
  Result<PreparedCommand> command = prepare_command(request);
  if (!command) return command.status();
  const std::string* executable = &command->executable;
  std::vector<char*>& argv = command->argv;
  std::vector<char*>& envp = command->envp;

  const int stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (stdin_fd < 0) return io_error(std::string("open /dev/null: ") + std::strerror(errno));
  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) {
    close(stdin_fd);
    return Status(StatusCode::kResourceExhausted, std::string("pipe: ") + std::strerror(errno));
  }

  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_PIDFD;
  args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  const pid_t parent = getpid();
  const long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    close(error_pipe[0]);
    run_child(parent, error_pipe[1], stdin_fd, request.output_fd, request.working_dir->c_str(),
              executable->c_str(), argv.data(), envp.data());
  }
  const int clone_errno = errno;
  close(error_pipe[1]);
  close(stdin_fd);
  if (pid < 0) {
    close(error_pipe[0]);
    return Status(StatusCode::kResourceExhausted,
                  std::string("clone3: ") + std::strerror(clone_errno));
  }
  SpawnedChild child{static_cast<pid_t>(pid), pidfd};

  // EOF means execve succeeded (the pipe closed on exec); a ChildError means it did not.
  ChildError error{};
  ssize_t got = 0;
  do {
    got = read(error_pipe[0], &error, sizeof error);
  } while (got < 0 && errno == EINTR);
  close(error_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof error)) {
    siginfo_t info{};
    waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child.pidfd), &info, WEXITED);
    close(child.pidfd);
    return child_error_status(error, request, *executable);
  }
  return child;
}

runtime::ProcessExit reap(const SpawnedChild& child) {
  kill(-child.pid, SIGKILL);  // what the child left behind in its group
  siginfo_t info{};
  int result = 0;
  do {
    result = waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child.pidfd), &info, WEXITED);
  } while (result != 0 && errno == EINTR);
  NODROP_CHECK(result == 0);
  runtime::ProcessExit exit;
  if (info.si_code == CLD_EXITED) {
    exit.kind = runtime::ExitKind::kExited;
    exit.exit_code = info.si_status;
  } else {
    exit.kind = runtime::ExitKind::kSignaled;
    exit.signal_number = info.si_status;
  }
  return exit;
}

void kill_and_reap(const SpawnedChild& child) {
  kill(-child.pid, SIGKILL);
  reap(child);
}

void signal_group(const SpawnedChild& child, runtime::Signal signal) {
  int number = SIGKILL;
  switch (signal) {
    case runtime::Signal::kTerminate:
      number = SIGTERM;
      break;
    case runtime::Signal::kKill:
      number = SIGKILL;
      break;
    case runtime::Signal::kQuit:
      number = SIGQUIT;
      break;
    case runtime::Signal::kInterrupt:
      number = SIGINT;
      break;
  }
  kill(-child.pid, number);
}

}  // namespace nodrop::live
