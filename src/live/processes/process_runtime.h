// The live runtime::ProcessRuntime: real processes, each under a supervisor of nodrop's own
// (live/processes/pod_supervisor.h) that holds the process's whole group: if nodrop dies, however
// it dies, a process with a key outlives it for the reconnect timeout, for the next nodrop's
// runtime to adopt() it through its supervisor's socket in the socket directory; then its group
// is killed. Processes are reaped through the event loop, their output copied to a bounded log
// file (live/processes/bounded_log_file.h).
//
// Threading: every method runs on the loop's thread. Which thread spawns does not matter for
// the pods' lifetime: they are tied to nodrop's process, not to a thread.
//
// Each process costs three fds in nodrop (its supervisor's pidfd and control socket, the read end
// of its output pipe), two fd watches and one supervisor process. Output is read at most
// kLogReadBytesPerTurn per loop turn per process, so a chatty process cannot starve the loop; while
// it waits, the pipe fills and the process blocks on write.
//
// On destruction every process still running is killed with its group and reaped, without
// calling its exit callback: a runtime that ends in order leaves nothing behind.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "base/cri_log.h"
#include "live/loop/epoll_loop.h"
#include "live/processes/bounded_log_file.h"
#include "live/processes/pod_supervisor.h"
#include "runtime/process_runtime.h"

namespace nodrop::live {

struct LiveProcessRuntimeOptions {
  // Where the supervisors of processes with a key listen for a new nodrop (owner-only, made if
  // missing). Empty: every process dies with nodrop at once, and none can be adopted.
  std::string socket_directory{};
  // How long a supervisor waits for a new nodrop before it kills its group.
  std::chrono::milliseconds reconnect_timeout{30'000};
  // How long adopt() waits for a supervisor's answer.
  std::chrono::milliseconds answer_timeout{2'000};
};

class LiveProcessRuntime final : public runtime::ProcessRuntime {
 public:
  static constexpr std::size_t kLogReadBytesPerTurn = 64 * 1024;
  // The output pipe's capacity: what a process may write while no nodrop reads it.
  static constexpr int kPipeBytes = 1024 * 1024;

  explicit LiveProcessRuntime(EpollLoop& loop, LiveProcessRuntimeOptions options = {});
  ~LiveProcessRuntime() override;
  LiveProcessRuntime(const LiveProcessRuntime&) = delete;
  LiveProcessRuntime& operator=(const LiveProcessRuntime&) = delete;

  Result<runtime::ProcessId> start(const runtime::ProcessSpec& spec, ExitCallback on_exit) override;
  Result<runtime::ProcessId> adopt(const runtime::ProcessSpec& spec, ExitCallback on_exit) override;
  Status signal(runtime::ProcessId process, runtime::Signal signal) override;
  std::vector<runtime::ListeningSocket> listening_sockets(runtime::ProcessId process) override;
  std::size_t running() const override { return processes_.size(); }
  void remove_log(const std::string& log_path) override;
  void remove_directory(const std::string& directory) override;

  // The OS pid of a running process, for tests and diagnostics; -1 when it has exited.
  int os_pid(runtime::ProcessId process) const;

 private:
  struct Process {
    SupervisedChild child;
    WatchId exit_watch = 0;
    int output_fd = -1;  // read end of the stdout/stderr pipe
    WatchId output_watch = 0;
    std::unique_ptr<BoundedLogFile> log;
    runtime::LogFormat log_format = runtime::LogFormat::kRaw;
    CriLineFramer framer;
    ExitCallback on_exit;
  };

  // The lifeline of a process with this key (none without a socket directory or a key).
  Result<Lifeline> lifeline_of(const std::string& key, int output_read_fd);
  // Watches a started or adopted process; takes the output fd.
  runtime::ProcessId watch_process(SupervisedChild child, int output_fd, BoundedLogFile log,
                                   runtime::LogFormat format, ExitCallback on_exit);
  // Copies up to max_bytes of available output to the log; false at EOF or on error.
  bool copy_output(Process& process, std::size_t max_bytes);
  void close_output(Process& process);
  void on_exited(runtime::ProcessId id);

  EpollLoop& loop_;
  LiveProcessRuntimeOptions options_;
  int socket_directory_fd_ = -1;  // O_PATH, opened at first use
  runtime::ProcessId next_id_ = 1;
  std::map<runtime::ProcessId, Process> processes_;
};

}  // namespace nodrop::live
