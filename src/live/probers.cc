#include "live/probers.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>

#include "base/check.h"
#include "http/response_reader.h"
#include "live/file_descriptor.h"
#include "live/processes/pidfd.h"
#include "live/sockets/tcp.h"

namespace nodrop::live {
namespace {

enum class ProbeKind { kHttpGet, kTcpSocket, kExec };

enum class SocketPhase {
  kConnecting,  // waiting for the non-blocking connect
  kSending,     // writing the HTTP request
  kReceiving,   // reading the HTTP response
};

std::string duration_text(runtime::Duration duration) {
  const auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(duration);
  if (milliseconds.count() % 1000 == 0) return std::to_string(milliseconds.count() / 1000) + "s";
  return std::to_string(milliseconds.count()) + "ms";
}

std::string build_request(const runtime::HttpGetAction& action) {
  const std::string path = action.path.empty() ? "/" : action.path;
  bool has_user_agent = false;
  bool has_accept = false;
  bool has_host = false;
  std::string headers;
  for (const runtime::HttpHeader& header : action.headers) {
    if (equals_ignoring_case(header.name, "user-agent")) has_user_agent = true;
    if (equals_ignoring_case(header.name, "accept")) has_accept = true;
    if (equals_ignoring_case(header.name, "host")) has_host = true;
    headers += header.name + ": " + header.value + "\r\n";
  }
  std::string request = "GET " + path + " HTTP/1.1\r\n";
  if (!has_host) request += "Host: " + action.host + ":" + std::to_string(action.port) + "\r\n";
  if (!has_user_agent) request += std::string("User-Agent: ") + runtime::kProbeUserAgent + "\r\n";
  if (!has_accept) request += "Accept: */*\r\n";
  request += headers;
  request += "Connection: close\r\n\r\n";
  return request;
}

http::Limits probe_response_limits() {
  http::Limits limits = http::ResponseReader::default_limits();
  limits.max_head_bytes = LiveProber::kResponseHeadBytesMax;
  return limits;
}

std::string socket_failure(ProbeKind kind, const std::string& target, const std::string& why) {
  switch (kind) {
    case ProbeKind::kHttpGet:
      return "Get \"" + target + "\": " + why;
    case ProbeKind::kTcpSocket:
      return "dial tcp " + target + ": " + why;
    case ProbeKind::kExec:
      break;
  }
  return why;
}

}  // namespace

struct LiveProber::Attempt {
  ProbeKind kind = ProbeKind::kTcpSocket;
  DoneCallback done;
  std::string target;  // for messages: "127.0.0.1:8080", the URL, or the command
  runtime::Duration timeout{};
  std::optional<runtime::TimerId> timer;  // the timeout, or an immediate finish
  // Socket probes.
  FileDescriptor socket;
  std::optional<WatchId> socket_watch;
  SocketPhase phase = SocketPhase::kConnecting;
  std::string request;
  std::size_t request_sent = 0;
  http::ResponseReader response{probe_response_limits(), runtime::kProbeBodyBytesMax};
  // Exec probes.
  std::optional<SpawnedChild> child;  // set while the process is not yet reaped
  std::optional<WatchId> exit_watch;
  FileDescriptor output_pipe;  // the read end
  std::optional<WatchId> output_watch;
  std::string output;
};

LiveProber::LiveProber(EpollLoop& loop) : loop_(loop) {}

LiveProber::~LiveProber() {
  for (auto& [id, attempt] : attempts_) release(*attempt);
}

runtime::ProbeId LiveProber::probe(const runtime::ProbeSpec& spec, DoneCallback done) {
  NODROP_CHECK(done != nullptr);
  NODROP_CHECK(spec.timeout > runtime::Duration::zero());
  const runtime::ProbeId id = next_id_++;
  auto owned = std::make_unique<Attempt>();
  Attempt& attempt = *owned;
  attempts_.emplace(id, std::move(owned));
  attempt.done = std::move(done);
  attempt.timeout = spec.timeout;

  std::visit(
      [&](const auto& action) {
        using Action = std::decay_t<decltype(action)>;
        if constexpr (std::is_same_v<Action, runtime::HttpGetAction>) {
          attempt.kind = ProbeKind::kHttpGet;
          attempt.target = "http://" + action.host + ":" + std::to_string(action.port) +
                           (action.path.empty() ? "/" : action.path);
          attempt.request = build_request(action);
          attempt.response.reset("GET");
          start_socket_probe(id, attempt, action.host, action.port);
        } else if constexpr (std::is_same_v<Action, runtime::TcpSocketAction>) {
          attempt.kind = ProbeKind::kTcpSocket;
          attempt.target = action.host + ":" + std::to_string(action.port);
          start_socket_probe(id, attempt, action.host, action.port);
        } else {
          attempt.kind = ProbeKind::kExec;
          attempt.target = action.argv.empty() ? std::string() : action.argv[0];
          start_exec_probe(id, attempt, action);
        }
      },
      spec.action);
  return id;
}

bool LiveProber::cancel(runtime::ProbeId probe) {
  const auto found = attempts_.find(probe);
  if (found == attempts_.end()) return false;
  release(*found->second);
  attempts_.erase(found);
  return true;
}

void LiveProber::start_socket_probe(runtime::ProbeId id, Attempt& attempt, const std::string& host,
                                    std::uint16_t port) {
  const Result<Ipv4Address> address = parse_ipv4_address(host);
  if (!address) {
    finish_soon(id, {runtime::ProbeResult::kError, "host \"" + host + "\" is not an IPv4 address"});
    return;
  }
  Connecting connecting = start_connect({*address, port});
  switch (connecting.outcome) {
    case IoOutcome::kDone:  // told by the writability event, as a connect in progress is
    case IoOutcome::kWouldBlock:
      break;
    case IoOutcome::kClosed:
    case IoOutcome::kRefused:
    case IoOutcome::kReset:
    case IoOutcome::kOutOfResources:
    case IoOutcome::kError: {
      const std::string why =
          std::string(connecting.failed_call) + ": " + error_text(connecting.error_number);
      if (connecting.failed_call == std::string_view("socket")) {
        finish_soon(id, {runtime::ProbeResult::kError, why});
      } else {
        finish_soon(id, {runtime::ProbeResult::kFailure,
                         socket_failure(attempt.kind, attempt.target, why)});
      }
      return;
    }
  }
  attempt.socket = std::move(connecting.socket);
  attempt.socket_watch =
      loop_.watch(attempt.socket.fd(), kWritable,
                  [this, id](std::uint32_t events) { on_socket_event(id, events); });
  attempt.timer = loop_.run_after(attempt.timeout, [this, id] {
    const auto found = attempts_.find(id);
    if (found == attempts_.end()) return;
    found->second->timer.reset();
    const std::string why = "timeout after " + duration_text(found->second->timeout);
    finish(id, {runtime::ProbeResult::kFailure,
                socket_failure(found->second->kind, found->second->target, why)});
  });
}

void LiveProber::on_socket_event(runtime::ProbeId id, std::uint32_t events) {
  const auto found = attempts_.find(id);
  if (found == attempts_.end()) return;
  Attempt& attempt = *found->second;
  switch (attempt.phase) {
    case SocketPhase::kConnecting: {
      const IoResult connected = finish_connect(attempt.socket.fd());
      if (connected.outcome != IoOutcome::kDone) {
        finish(id, {runtime::ProbeResult::kFailure,
                    socket_failure(attempt.kind, attempt.target,
                                   "connect: " + error_text(connected.error_number))});
        return;
      }
      if (!(events & kWritable)) return;  // not connected yet
      if (attempt.kind == ProbeKind::kTcpSocket) {
        finish(id, {runtime::ProbeResult::kSuccess, ""});
        return;
      }
      attempt.phase = SocketPhase::kSending;
      [[fallthrough]];
    }
    case SocketPhase::kSending: {
      while (attempt.request_sent < attempt.request.size()) {
        const IoResult sent =
            write_some(attempt.socket.fd(), attempt.request.data() + attempt.request_sent,
                       attempt.request.size() - attempt.request_sent);
        switch (sent.outcome) {
          case IoOutcome::kDone:
            attempt.request_sent += sent.bytes;
            continue;
          case IoOutcome::kWouldBlock:
            return;
          case IoOutcome::kClosed:
          case IoOutcome::kRefused:
          case IoOutcome::kReset:
          case IoOutcome::kOutOfResources:
          case IoOutcome::kError:
            break;
        }
        finish(id, {runtime::ProbeResult::kFailure,
                    socket_failure(attempt.kind, attempt.target,
                                   "write: " + error_text(sent.error_number))});
        return;
      }
      attempt.phase = SocketPhase::kReceiving;
      loop_.modify(*attempt.socket_watch, kReadable);
      return;
    }
    case SocketPhase::kReceiving:
      on_http_readable(id, attempt);
      return;
  }
}

void LiveProber::on_http_readable(runtime::ProbeId id, Attempt& attempt) {
  // As Kubernetes' prober: the status decides; of the body, at most kProbeBodyBytesMax is read
  // (its message on success) and the rest is not waited for.
  http::ResponseReader& response = attempt.response;
  const auto has_enough = [&] {
    return response.complete() || response.invalid() ||
           response.body().size() >= runtime::kProbeBodyBytesMax;
  };
  bool end_of_stream = false;
  char chunk[8 * 1024];
  while (!has_enough()) {
    const IoResult got = read_some(attempt.socket.fd(), chunk, sizeof chunk);
    if (got.outcome == IoOutcome::kDone) {
      response.feed(std::string_view(chunk, got.bytes));
      continue;
    }
    if (got.outcome == IoOutcome::kClosed) {
      end_of_stream = true;
      break;
    }
    if (got.outcome == IoOutcome::kWouldBlock) break;
    finish(id,
           {runtime::ProbeResult::kFailure,
            socket_failure(attempt.kind, attempt.target, "read: " + error_text(got.error_number))});
    return;
  }
  if (!has_enough()) {
    if (!end_of_stream) return;  // more is on its way
    if (!response.finish_at_close()) {
      const std::string why = response.status_code() == 0 ? "connection closed before a response"
                                                          : "connection closed mid-response";
      finish(id,
             {runtime::ProbeResult::kFailure, socket_failure(attempt.kind, attempt.target, why)});
      return;
    }
  }
  if (response.invalid()) {
    finish(id, {runtime::ProbeResult::kFailure,
                socket_failure(attempt.kind, attempt.target,
                               "malformed HTTP response, or a head larger than 16 KiB")});
    return;
  }
  const int status = response.status_code();
  if (status >= 200 && status < 400) {
    finish(id, {runtime::ProbeResult::kSuccess, response.body()});
  } else {
    finish(id, {runtime::ProbeResult::kFailure,
                "HTTP probe failed with statuscode: " + std::to_string(status)});
  }
}

void LiveProber::start_exec_probe(runtime::ProbeId id, Attempt& attempt,
                                  const runtime::ExecAction& action) {
  int output[2];
  if (pipe2(output, O_CLOEXEC) != 0) {
    finish_soon(id, {runtime::ProbeResult::kError, "pipe: " + error_text(errno)});
    return;
  }
  FileDescriptor read_end(output[0]);
  FileDescriptor write_end(output[1]);
  const SpawnRequest request{&action.argv, &action.env, &action.working_dir, write_end.fd()};
  Result<SpawnedChild> child = spawn(request);
  write_end.reset();
  if (!child) {
    finish_soon(id, {runtime::ProbeResult::kFailure, child.status().message()});
    return;
  }
  fcntl(read_end.fd(), F_SETFL, fcntl(read_end.fd(), F_GETFL) | O_NONBLOCK);
  attempt.child = *child;
  attempt.output_pipe = std::move(read_end);
  attempt.output_watch =
      loop_.watch(attempt.output_pipe.fd(), kReadable, [this, id](std::uint32_t) {
        const auto found = attempts_.find(id);
        if (found == attempts_.end()) return;
        Attempt& running = *found->second;
        char chunk[4096];
        const ssize_t got = read(running.output_pipe.fd(), chunk, sizeof chunk);
        if (got > 0) {
          const std::size_t room = runtime::kProbeOutputBytesMax - running.output.size();
          running.output.append(chunk, std::min(room, static_cast<std::size_t>(got)));
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          loop_.unwatch(*running.output_watch);
          running.output_watch.reset();
        }
      });
  attempt.exit_watch = loop_.watch(attempt.child->pidfd, kReadable,
                                   [this, id](std::uint32_t) { on_exec_exited(id); });
  attempt.timer = loop_.run_after(attempt.timeout, [this, id] {
    const auto found = attempts_.find(id);
    if (found == attempts_.end()) return;
    found->second->timer.reset();
    finish(id, {runtime::ProbeResult::kFailure, "command \"" + found->second->target +
                                                    "\" timed out after " +
                                                    duration_text(found->second->timeout)});
  });
}

void LiveProber::on_exec_exited(runtime::ProbeId id) {
  const auto found = attempts_.find(id);
  if (found == attempts_.end()) return;
  Attempt& attempt = *found->second;
  loop_.unwatch(*attempt.exit_watch);
  attempt.exit_watch.reset();
  const runtime::ProcessExit exit = reap(*attempt.child);
  close(attempt.child->pidfd);
  attempt.child.reset();
  // Output written before the exit is still in the pipe.
  char chunk[4096];
  ssize_t got = 0;
  while (attempt.output.size() < runtime::kProbeOutputBytesMax &&
         (got = read(attempt.output_pipe.fd(), chunk, sizeof chunk)) > 0) {
    const std::size_t room = runtime::kProbeOutputBytesMax - attempt.output.size();
    attempt.output.append(chunk, std::min(room, static_cast<std::size_t>(got)));
  }
  const runtime::ProbeResult result = exit.kind == runtime::ExitKind::kExited && exit.exit_code == 0
                                          ? runtime::ProbeResult::kSuccess
                                          : runtime::ProbeResult::kFailure;
  finish(id, {result, std::move(attempt.output)});
}

void LiveProber::finish_soon(runtime::ProbeId id, runtime::ProbeOutcome outcome) {
  Attempt& attempt = *attempts_.at(id);
  attempt.timer = loop_.post([this, id, outcome = std::move(outcome)]() mutable {
    const auto found = attempts_.find(id);
    if (found == attempts_.end()) return;
    found->second->timer.reset();
    finish(id, std::move(outcome));
  });
}

void LiveProber::finish(runtime::ProbeId id, runtime::ProbeOutcome outcome) {
  const auto found = attempts_.find(id);
  NODROP_CHECK(found != attempts_.end());
  std::unique_ptr<Attempt> attempt = std::move(found->second);
  attempts_.erase(found);
  release(*attempt);
  attempt->done(outcome);
}

void LiveProber::release(Attempt& attempt) {
  if (attempt.timer) loop_.cancel(*attempt.timer);
  attempt.timer.reset();
  if (attempt.socket_watch) loop_.unwatch(*attempt.socket_watch);
  attempt.socket_watch.reset();
  attempt.socket.reset();
  if (attempt.exit_watch) loop_.unwatch(*attempt.exit_watch);
  attempt.exit_watch.reset();
  if (attempt.child) {
    kill_and_reap(*attempt.child);  // a timed-out or abandoned exec probe leaves nothing behind
    close(attempt.child->pidfd);
    attempt.child.reset();
  }
  if (attempt.output_watch) loop_.unwatch(*attempt.output_watch);
  attempt.output_watch.reset();
  attempt.output_pipe.reset();
}

}  // namespace nodrop::live
