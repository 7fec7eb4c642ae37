// Spawning a child that cannot be confused with a later process reusing its pid.
//
// clone3(CLONE_PIDFD) returns a pidfd together with the child, atomically: the pidfd refers to
// that process and no other, becomes readable when it exits, and waitid(P_PIDFD) reaps exactly it.
// The child:
//   - leads its own process group (setpgid(0, 0)), so kill(-pid) reaches everything it forks;
//   - gets SIGKILL if the thread that spawned it dies (PR_SET_PDEATHSIG). Caveat: only the child
//     itself gets it, not what it forked; and it fires when the spawning *thread* exits. That is
//     enough for short-lived exec probes; containers are spawned under a supervisor instead
//     (live/processes/pod_supervisor.h), which kills the whole group when nodrop dies;
//   - starts with an empty signal mask and default signal actions, stdin from /dev/null, and
//     stdout and stderr on output_fd.
// spawn() returns only after execve succeeded (or failed): the child reports a failure through a
// close-on-exec pipe, so a missing command is an error Status, not an exit code 127.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "runtime/process_runtime.h"

namespace nodrop::live {

struct SpawnRequest {
  const std::vector<std::string>* argv = nullptr;
  const std::vector<std::pair<std::string, std::string>>* env = nullptr;
  const std::string* working_dir = nullptr;  // empty: inherit
  int output_fd = -1;                        // becomes the child's stdout and stderr
};

struct SpawnedChild {
  pid_t pid = -1;  // also its process group id
  int pidfd = -1;  // owned by the caller: close after reap()
};

// Looks a command up the way execvp would, in `path` (a PATH value). Commands containing '/' are
// returned as they are.
Result<std::string> resolve_command(const std::string& command, const std::string& path);

Result<SpawnedChild> spawn(const SpawnRequest& request);

// A request checked and turned into the arrays execve takes, built before any fork: between fork
// and execve a child of a multithreaded process must not allocate. argv and envp point into the
// request's strings and into env_strings: moving keeps them valid (a vector's move keeps its
// buffer), copying would not, so it cannot be copied.
struct PreparedCommand {
  PreparedCommand() = default;
  PreparedCommand(const PreparedCommand&) = delete;
  PreparedCommand& operator=(const PreparedCommand&) = delete;
  PreparedCommand(PreparedCommand&&) = default;
  PreparedCommand& operator=(PreparedCommand&&) = default;

  std::string executable;
  std::vector<std::string> env_strings;
  std::vector<char*> argv;
  std::vector<char*> envp;
};
Result<PreparedCommand> prepare_command(const SpawnRequest& request);

// Why a child could not exec: written to a close-on-exec error pipe, read by its parent.
enum class ChildStage : int { kWorkingDir = 1, kExec = 2, kSetup = 3 };
struct ChildError {
  ChildStage stage;
  int error_number;
};

// The child's side, between clone and execve (async-signal-safe only): own process group,
// PR_SET_PDEATHSIG SIGKILL (exits at once if `parent` is already gone), default signal actions
// and an empty mask, stdin from stdin_fd, stdout and stderr to output_fd, then working_dir and
// execve. A failure is written to error_fd as a ChildError and the child exits with 127.
[[noreturn]] void run_child(pid_t parent, int error_fd, int stdin_fd, int output_fd,
                            const char* working_dir, const char* path, char* const* argv,
                            char* const* envp);
[[noreturn]] void child_fail(int error_fd, ChildStage stage);
Status child_error_status(const ChildError& error, const SpawnRequest& request,
                          const std::string& path);

// Reaps the exited child (waitid on its pidfd, which must be readable or the call blocks).
// Before reaping it sends SIGKILL to the child's group: while the child is not yet reaped its pid
// cannot be reused, so the group signal reaches only what the child left behind.
runtime::ProcessExit reap(const SpawnedChild& child);

// Kills the child's whole group and reaps the child, blocking until it is gone; for shutdown.
void kill_and_reap(const SpawnedChild& child);

// Sends signal to the child's group. The caller guarantees the child is not yet reaped.
void signal_group(const SpawnedChild& child, runtime::Signal signal);

}  // namespace nodrop::live
