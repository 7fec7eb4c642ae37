// A command run on the user's behalf (nodrop verify -- COMMAND...), watched through a pidfd so
// the event loop learns of its exit without signals or a reaper thread.
//
// The child inherits stdin, stdout and stderr and stays in nodrop's process group, so a Ctrl-C at
// the terminal reaches both. Only the process that spawned it may wait for it.
//
// Why not live::spawn (pidfd.h), which runs pods: a pod gets a fresh environment, stdin from
// /dev/null, its output in a log and its own process group. A command the user typed after
// `nodrop verify --` must behave as if the shell ran it: the user's environment (KUBECONFIG,
// PATH), the terminal, and the terminal's Ctrl-C.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace nodrop::live {

class CommandProcess {
 public:
  // Starts argv[0] (searched in PATH) with argv. Fails when argv is empty, or when the program
  // cannot be started (the child reports the exec error through a close-on-exec pipe).
  static Result<CommandProcess> spawn(const std::vector<std::string>& argv);

  CommandProcess(CommandProcess&& other) noexcept;
  CommandProcess& operator=(CommandProcess&& other) = delete;
  CommandProcess(const CommandProcess&) = delete;
  CommandProcess& operator=(const CommandProcess&) = delete;
  // Kills and reaps a child still running, so no zombie outlives its owner.
  ~CommandProcess();

  // Readable once the child has exited; watch it with EpollLoop::watch(kReadable).
  int exit_fd() const { return pidfd_; }
  // Reaps the child once exit_fd() is readable. The exit status as a shell reports it: the
  // code for a normal exit, 128 + signal number for a child killed by a signal.
  Result<int> reap();
  // Sends SIGKILL to the child (not to processes it started in turn).
  void force_stop();

 private:
  CommandProcess(int pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}

  int pid_ = -1;
  int pidfd_ = -1;
  bool reaped_ = false;
};

}  // namespace nodrop::live
