// Spawning a child that cannot be confused with a later process reusing its pid.
//
// clone3(CLONE_PIDFD) returns a pidfd together with the child, atomically: the pidfd refers to
// that process and no other, becomes readable when it exits, and waitid(P_PIDFD) reaps exactly it.
// The child:
//   - leads its own process group (setpgid(0, 0)), so kill(-pid) reaches everything it forks;
//   - gets SIGKILL if the thread that spawned it dies (PR_SET_PDEATHSIG), so if nodrop dies its
//     processes die with it. Caveat: only the child itself gets it, not what it forked; and it
//     fires when the spawning *thread* exits, so spawn from a thread that lives as long as nodrop
//     (the event loop's);
//   - starts with an empty signal mask and default signal actions, stdin from /dev/null, and
//     stdout and stderr on output_fd.
// spawn() returns only after execve succeeded (or failed): the child reports a failure through a
// close-on-exec pipe, so a missing command is an error Status, not an exit code 127.
#pragma once

#include <sys/types.h>

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

// Reaps the exited child (waitid on its pidfd, which must be readable or the call blocks).
// Before reaping it sends SIGKILL to the child's group: while the child is not yet reaped its pid
// cannot be reused, so the group signal reaches only what the child left behind.
runtime::ProcessExit reap(const SpawnedChild& child);

// Kills the child's whole group and reaps the child, blocking until it is gone; for shutdown.
void kill_and_reap(const SpawnedChild& child);

// Sends signal to the child's group. The caller guarantees the child is not yet reaped.
void signal_group(const SpawnedChild& child, runtime::Signal signal);

}  // namespace nodrop::live
