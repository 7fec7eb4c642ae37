#include "live/processes/process_runtime.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/check.h"

namespace nodrop::live {

LiveProcessRuntime::LiveProcessRuntime(EpollLoop& loop) : loop_(loop) {}

LiveProcessRuntime::~LiveProcessRuntime() {
  // Every supervisor is told first, so the groups die together, then each is waited for.
  for (auto& [id, process] : processes_) {
    loop_.unwatch(process.exit_watch);
    close_output(process);
    kill_supervised(process.child);
  }
  for (auto& [id, process] : processes_) kill_and_reap_supervised(process.child);
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

  int output[2];
  if (pipe2(output, O_CLOEXEC) != 0) {
    return Status(StatusCode::kResourceExhausted, std::string("pipe: ") + std::strerror(errno));
  }
  const SpawnRequest request{&spec.argv, &spec.env, &spec.working_dir, output[1]};
  Result<SupervisedChild> child = spawn_supervised(request);
  close(output[1]);
  if (!child) {
    close(output[0]);
    return child.status();
  }
  fcntl(output[0], F_SETFL, fcntl(output[0], F_GETFL) | O_NONBLOCK);

  const runtime::ProcessId id = next_id_++;
  Process& process = processes_[id];
  process.child = *child;
  process.output_fd = output[0];
  process.log = std::make_unique<BoundedLogFile>(std::move(log).value());
  process.log_format = spec.log_format;
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
