// The live runtime::ProcessRuntime: real processes, each under a supervisor of nodrop's own
// (live/processes/pod_supervisor.h) that kills the process's whole group if nodrop dies, however it
// dies; reaped through the event loop, their output copied to a bounded log file
// (live/processes/bounded_log_file.h).
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
// calling its exit callback: nothing nodrop started outlives the runtime.
#pragma once

#include <cstddef>
#include <map>
#include <memory>

#include "base/cri_log.h"
#include "live/loop/epoll_loop.h"
#include "live/processes/bounded_log_file.h"
#include "live/processes/pod_supervisor.h"
#include "runtime/process_runtime.h"

namespace nodrop::live {

class LiveProcessRuntime final : public runtime::ProcessRuntime {
 public:
  static constexpr std::size_t kLogReadBytesPerTurn = 64 * 1024;

  explicit LiveProcessRuntime(EpollLoop& loop);
  ~LiveProcessRuntime() override;
  LiveProcessRuntime(const LiveProcessRuntime&) = delete;
  LiveProcessRuntime& operator=(const LiveProcessRuntime&) = delete;

  Result<runtime::ProcessId> start(const runtime::ProcessSpec& spec, ExitCallback on_exit) override;
  Status signal(runtime::ProcessId process, runtime::Signal signal) override;
  std::size_t running() const override { return processes_.size(); }
  void remove_log(const std::string& log_path) override;

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

  // Copies up to max_bytes of available output to the log; false at EOF or on error.
  bool copy_output(Process& process, std::size_t max_bytes);
  void close_output(Process& process);
  void on_exited(runtime::ProcessId id);

  EpollLoop& loop_;
  runtime::ProcessId next_id_ = 1;
  std::map<runtime::ProcessId, Process> processes_;
};

}  // namespace nodrop::live
