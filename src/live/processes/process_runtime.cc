#include "live/processes/process_runtime.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/check.h"
#include "live/processes/listening_sockets.h"

namespace nodrop::live {
namespace {

// Makes spec.directories and writes spec.files, each file's directory made as needed (under
// nodrop's data dir, which is owner-only).
Status write_files(const runtime::ProcessSpec& spec) {
  if (spec.files.size() > runtime::kMaxFilesToWrite) {
    return invalid_argument("more than " + std::to_string(runtime::kMaxFilesToWrite) + " files");
  }
  std::error_code error;
  for (const std::string& directory : spec.directories) {
    std::filesystem::create_directories(directory, error);
    if (error) return io_error("cannot make " + directory + ": " + error.message());
  }
  for (const runtime::FileToWrite& file : spec.files) {
    if (file.content.size() > runtime::kMaxFileToWriteBytes) {
      return invalid_argument(file.path + " is larger than its bound");
    }
    std::filesystem::create_directories(std::filesystem::path(file.path).parent_path(), error);
    std::ofstream out(file.path, std::ios::binary | std::ios::trunc);
    out << file.content;
    out.close();
    if (!out) return io_error("cannot write " + file.path);
  }
  return Status::ok();
}

}  // namespace

LiveProcessRuntime::LiveProcessRuntime(EpollLoop& loop, LiveProcessRuntimeOptions options)
    : loop_(loop), options_(std::move(options)) {}

LiveProcessRuntime::~LiveProcessRuntime() {
  // Every supervisor is told first, so the groups die together, then each is waited for.
  for (auto& [id, process] : processes_) {
    loop_.unwatch(process.exit_watch);
    close_output(process);
    kill_supervised(process.child);
  }
  for (auto& [id, process] : processes_) kill_and_reap_supervised(process.child);
  if (socket_directory_fd_ >= 0) close(socket_directory_fd_);
}

Result<Lifeline> LiveProcessRuntime::lifeline_of(const std::string& key, int output_read_fd) {
  Lifeline lifeline;
  if (options_.socket_directory.empty() || key.empty()) return lifeline;
  if (key.size() > runtime::kMaxKeyBytes) return invalid_argument("key longer than its bound");
  if (socket_directory_fd_ < 0) {
    std::error_code error;
    std::filesystem::create_directories(options_.socket_directory, error);
    std::filesystem::permissions(options_.socket_directory, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, error);
    socket_directory_fd_ =
        ::open(options_.socket_directory.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (socket_directory_fd_ < 0) {
      return io_error("cannot open " + options_.socket_directory + ": " + std::strerror(errno));
    }
  }
  lifeline.directory_fd = socket_directory_fd_;
  lifeline.socket_name = socket_name_of(key);
  lifeline.key = key;
  lifeline.reconnect_timeout = options_.reconnect_timeout;
  lifeline.output_read_fd = output_read_fd;
  return lifeline;
}

Result<runtime::ProcessId> LiveProcessRuntime::start(const runtime::ProcessSpec& spec,
                                                     ExitCallback on_exit) {
  NODROP_CHECK(on_exit != nullptr);
  if (spec.log_path.empty()) return invalid_argument("no log path");
  // The log's directory (a pod's, a container's) is made on first use, owner-only like the data
  // dir it is under.
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(spec.log_path).parent_path(), ignored);
  Result<BoundedLogFile> log = BoundedLogFile::open(spec.log_path, spec.log_bytes_max);
  if (!log) return log.status();
  if (Status written = write_files(spec); !written.is_ok()) return written;

  int output[2];
  if (pipe2(output, O_CLOEXEC) != 0) {
    return Status(StatusCode::kResourceExhausted, std::string("pipe: ") + std::strerror(errno));
  }
  // Room for what the process writes while no nodrop reads (best effort: the system's bound may
  // be lower).
  fcntl(output[0], F_SETPIPE_SZ, kPipeBytes);
  Result<Lifeline> lifeline = lifeline_of(spec.key, output[0]);
  if (!lifeline) {
    close(output[0]);
    close(output[1]);
    return lifeline.status();
  }
  const SpawnRequest request{&spec.argv, &spec.env, &spec.working_dir, output[1]};
  Result<SupervisedChild> child = spawn_supervised(request, *lifeline);
  close(output[1]);
  if (!child) {
    close(output[0]);
    return child.status();
  }
  return watch_process(*child, output[0], std::move(log).value(), spec.log_format,
                       std::move(on_exit));
}

Result<runtime::ProcessId> LiveProcessRuntime::adopt(const runtime::ProcessSpec& spec,
                                                     ExitCallback on_exit) {
  NODROP_CHECK(on_exit != nullptr);
  if (spec.key.empty()) return not_found("a process without a key cannot be adopted");
  if (spec.log_path.empty()) return invalid_argument("no log path");
  Result<Lifeline> lifeline = lifeline_of(spec.key, -1);
  if (!lifeline) return lifeline.status();
  if (lifeline->directory_fd < 0) return not_found("no supervisors' socket directory");
  Result<AdoptedChild> adopted = adopt_supervised(*lifeline, options_.answer_timeout);
  if (!adopted) return adopted.status();
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(spec.log_path).parent_path(), ignored);
  Result<BoundedLogFile> log = BoundedLogFile::open(spec.log_path, spec.log_bytes_max);
  if (!log) {
    // Adopted, but with nowhere to write its output: it is not run blind; it goes.
    close(adopted->output_read_fd);
    kill_and_reap_supervised(adopted->child);
    return log.status();
  }
  return watch_process(adopted->child, adopted->output_read_fd, std::move(log).value(),
                       spec.log_format, std::move(on_exit));
}

runtime::ProcessId LiveProcessRuntime::watch_process(SupervisedChild child, int output_fd,
                                                     BoundedLogFile log, runtime::LogFormat format,
                                                     ExitCallback on_exit) {
  fcntl(output_fd, F_SETFL, fcntl(output_fd, F_GETFL) | O_NONBLOCK);
  const runtime::ProcessId id = next_id_++;
  Process& process = processes_[id];
  process.child = child;
  process.output_fd = output_fd;
  process.log = std::make_unique<BoundedLogFile>(std::move(log));
  process.log_format = format;
  process.on_exit = std::move(on_exit);
  process.exit_watch = loop_.watch(process.child.supervisor_pidfd, kReadable,
                                   [this, id](std::uint32_t /*events*/) { on_exited(id); });
  process.output_watch = loop_.watch(process.output_fd, kReadable, [this, id](std::uint32_t) {
    const auto found = processes_.find(id);
    if (found == processes_.end()) return;
    if (!copy_output(found->second, kLogReadBytesPerTurn)) close_output(found->second);
  });
  return id;
}

Status LiveProcessRuntime::signal(runtime::ProcessId process, runtime::Signal signal) {
  const auto found = processes_.find(process);
  if (found == processes_.end()) {
    return not_found("process " + std::to_string(process) + " has exited");
  }
  // Not yet reaped (reaping erases it): its supervisor, which alone reaps the main process, sends
  // the signal to the group while the group id still names it.
  return signal_supervised(found->second.child, signal);
}

std::vector<runtime::ListeningSocket> LiveProcessRuntime::listening_sockets(
    runtime::ProcessId process) {
  const auto found = processes_.find(process);
  if (found == processes_.end()) return {};
  // The main process's pid is its group's id.
  return listening_sockets_of_group(found->second.child.pid);
}

int LiveProcessRuntime::os_pid(runtime::ProcessId process) const {
  const auto found = processes_.find(process);
  return found == processes_.end() ? -1 : found->second.child.pid;
}

bool LiveProcessRuntime::copy_output(Process& process, std::size_t max_bytes) {
  if (process.output_fd < 0) return false;
  char chunk[16 * 1024];
  std::size_t copied = 0;
  while (copied < max_bytes) {
    const ssize_t got = read(process.output_fd, chunk, sizeof chunk);
    if (got > 0) {
      // A log write error drops the output; it must not stop or block the process.
      const std::string_view output(chunk, static_cast<std::size_t>(got));
      if (process.log_format == runtime::LogFormat::kCri) {
        std::string framed;
        process.framer.frame(output, loop_.clock().wall_now(), &framed);
        [[maybe_unused]] const Status written = process.log->write(framed);
      } else {
        [[maybe_unused]] const Status written = process.log->write(output);
      }
      copied += static_cast<std::size_t>(got);
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);  // 0 is EOF
  }
  return true;
}

void LiveProcessRuntime::close_output(Process& process) {
  if (process.output_fd < 0) return;
  loop_.unwatch(process.output_watch);
  close(process.output_fd);
  process.output_fd = -1;
  if (process.log_format == runtime::LogFormat::kCri) {
    std::string last;
    process.framer.finish(loop_.clock().wall_now(), &last);
    if (!last.empty()) [[maybe_unused]]
      const Status written = process.log->write(last);
  }
}

void LiveProcessRuntime::remove_log(const std::string& log_path) {
  // Best effort: a log that cannot be removed only takes disk space. Its container's and pod's
  // directories go with their last log (rmdir leaves a directory that is not empty).
  unlink(log_path.c_str());
  unlink((log_path + ".1").c_str());
  const std::filesystem::path container = std::filesystem::path(log_path).parent_path();
  if (rmdir(container.c_str()) == 0) rmdir(container.parent_path().c_str());
}

void LiveProcessRuntime::remove_directory(const std::string& directory) {
  // Best effort, as remove_log.
  std::error_code ignored;
  std::filesystem::remove_all(directory, ignored);
}

void LiveProcessRuntime::on_exited(runtime::ProcessId id) {
  const auto found = processes_.find(id);
  if (found == processes_.end()) return;
  Process& process = found->second;
  loop_.unwatch(process.exit_watch);
  // The supervisor has exited: it killed what was left of the group and reaped it.
  const runtime::ProcessExit exit = reap_supervised(process.child);
  // What the process wrote before it exited is in the pipe; the group is dead, so this ends.
  copy_output(process, runtime::kDefaultLogBytesMax);
  close_output(process);
  ExitCallback on_exit = std::move(process.on_exit);
  processes_.erase(found);
  on_exit(exit);
}

}  // namespace nodrop::live
