// Port: runs a container's process on the host (DESIGN.md §2: commands, not images).
//
// A process runs in its own process group; signals go to the whole group, so children it forks
// are signalled with it. When the main process exits, whatever is left of its group is killed, as
// a container's processes die with its PID 1; then on_exit runs. Its stdout and stderr go to a log
// file with a size bound.
//
// If nodrop dies, however it dies, a process started with a key outlives it for a bounded time
// (the live implementation: its supervisor waits, 30 s by default, for a new nodrop to reconnect,
// live/processes/pod_supervisor.h), so that the next nodrop adopts it (adopt()) without a restart;
// once that time has passed, every process of its group dies. A process without a key dies with
// nodrop at once. Destroying the runtime itself is a decision, not a death: it kills what it runs.
//
// Contract for every implementation:
//   - start() returns only after the command was found and began to run (or failed to); a
//     command that cannot run is an error Status, never a crash and never an exit callback;
//   - on_exit runs exactly once per started process, on the event loop's thread, never inside
//     start() or signal();
//   - after on_exit has run (or while it is queued) the ProcessId is stale: signal() returns
//     kNotFound and touches nothing, so a reused pid is never signalled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace nodrop::runtime {

// Limits on what a spec may carry.
constexpr std::size_t kMaxArguments = 4096;
constexpr std::size_t kMaxEnvironmentEntries = 4096;
constexpr std::uint64_t kDefaultLogBytesMax = 10 * 1024 * 1024;  // Kubernetes' containerLogMaxSize
constexpr std::uint64_t kMinLogBytesMax = 4096;

// The PATH a command is looked up in when the spec's environment has none (Docker's default).
constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

enum class LogFormat { kRaw, kCri };

// A file the process reads, written before it starts, as an image carries its own files.
struct FileToWrite {
  std::string path;
  std::string content;
};

// Limits on the files a spec may carry.
constexpr std::size_t kMaxFilesToWrite = 64;
constexpr std::size_t kMaxFileToWriteBytes = 1024 * 1024;

struct ProcessSpec {
  // argv[0] is the command: a path containing '/', or a name looked up in the environment's PATH
  // (kDefaultPath if it has none).
  std::vector<std::string> argv;
  // The whole environment: nothing is inherited from nodrop.
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_dir;  // empty: nodrop's own working directory
  // stdout and stderr are appended here. When it would grow past log_bytes_max it is renamed to
  // "<log_path>.1" (replacing an older one) and a new file is started, so the logs of one process
  // take at most 2 × log_bytes_max. One process per log path.
  std::string log_path;
  std::uint64_t log_bytes_max = kDefaultLogBytesMax;
  // kCri: each line as the kubelet writes container logs (base/cri_log.h), with the time it was
  // read; kRaw: the bytes as written.
  LogFormat log_format = LogFormat::kRaw;
  // Names the process across restarts of nodrop (the kubelet's container ID), so that a later
  // runtime can adopt it; at most kMaxKeyBytes. Empty: it cannot be adopted.
  std::string key{};
  // Made (with their parents) before the process starts; then each file is written, replacing
  // what was there, its directory made. Not redone by adopt(): the process has them already.
  std::vector<std::string> directories{};
  std::vector<FileToWrite> files{};
};

constexpr std::size_t kMaxKeyBytes = 256;

enum class Signal {
  kTerminate,  // SIGTERM
  kKill,       // SIGKILL
  // Stop signals some images declare instead of SIGTERM (Dockerfile STOPSIGNAL).
  kQuit,       // SIGQUIT: nginx's graceful stop
  kInterrupt,  // SIGINT
};

enum class ExitKind {
  kExited,    // returned from main or called exit(code)
  kSignaled,  // killed by signal_number
};

struct ProcessExit {
  ExitKind kind = ExitKind::kExited;
  int exit_code = 0;      // when kExited
  int signal_number = 0;  // when kSignaled (15 for SIGTERM, 9 for SIGKILL)

  // The exit code Kubernetes reports in containerStatuses: 128 + signal when killed.
  int container_exit_code() const {
    switch (kind) {
      case ExitKind::kExited:
        return exit_code;
      case ExitKind::kSignaled:
        return 128 + signal_number;
    }
    return -1;
  }
};

using ProcessId = std::uint64_t;  // never reused within one runtime; not an OS pid

// A TCP socket a process listens on.
struct ListeningSocket {
  std::string address;  // as inet_ntop writes it: "0.0.0.0", "::", "127.0.2.5"
  std::uint16_t port = 0;

  bool operator==(const ListeningSocket&) const = default;
};

constexpr std::size_t kMaxListeningSockets = 256;

class ProcessRuntime {
 public:
  using ExitCallback = std::function<void(const ProcessExit&)>;

  virtual ~ProcessRuntime() = default;

  // Errors: kInvalidArgument (empty argv, a bound exceeded, a working directory that does not
  // exist), kNotFound (the command is not found), kFailedPrecondition (not executable),
  // kIoError (the log file), kResourceExhausted (the OS refused another process).
  virtual Result<ProcessId> start(const ProcessSpec& spec, ExitCallback on_exit) = 0;

  // Takes over the process an earlier nodrop started with spec.key, if it still runs: no
  // restart; from now on its output goes to spec.log_path (appended) and its exit to on_exit,
  // under the same contract as start(). The rest of spec must be what it was started with.
  // kNotFound when nothing runs under that key (it ended, or waited for a nodrop in vain).
  virtual Result<ProcessId> adopt(const ProcessSpec& spec, ExitCallback on_exit) = 0;

  // Sends the signal to the process's whole group. kNotFound when the process has exited.
  virtual Status signal(ProcessId process, Signal signal) = 0;

  // The TCP sockets the processes of its group listen on now, each once and at most
  // kMaxListeningSockets; empty once it has exited.
  virtual std::vector<ListeningSocket> listening_sockets(ProcessId process) = 0;

  // Processes started and not yet reported through on_exit.
  virtual std::size_t running() const = 0;

  // Removes a log no process writes any more (and its rotated "<log_path>.1"): the kubelet keeps
  // the current and the previous run of a container, and nothing once the pod is gone.
  virtual void remove_log(const std::string& log_path) = 0;

  // Removes a directory made for processes (ProcessSpec::directories and files) with everything
  // in it, once none of them runs: the kubelet's per-pod directory, when the pod is gone.
  virtual void remove_directory(const std::string& directory) = 0;
};

}  // namespace nodrop::runtime
