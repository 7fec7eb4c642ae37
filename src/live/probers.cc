#include "live/probers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "base/check.h"
#include "live/pidfd.h"

namespace nodrop::live {
namespace {

enum class ProbeKind { kHttpGet, kTcpSocket, kExec };

enum class SocketPhase {
  kConnecting,  // waiting for the non-blocking connect
  kSending,     // writing the HTTP request
  kReceiving,   // reading the HTTP response
};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

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

struct ResponseHead {
  int status = 0;
  std::optional<std::size_t> content_length;
  std::size_t head_bytes = 0;
};

// Parses "HTTP/1.x NNN ..." and Content-Length from a complete head; nullopt if malformed.
std::optional<ResponseHead> parse_response_head(std::string_view response, std::size_t head_end) {
  const std::string_view head = response.substr(0, head_end + 2);
  if (!head.starts_with("HTTP/1.") || head.size() < 12 || head[8] != ' ') return std::nullopt;
  ResponseHead parsed;
  const auto [end, error] = std::from_chars(head.data() + 9, head.data() + 12, parsed.status);
  if (error != std::errc() || end != head.data() + 12) return std::nullopt;
  parsed.head_bytes = head_end + 4;
  std::size_t position = head.find("\r\n") + 2;
  while (position < head.size()) {
    const auto line_end = head.find("\r\n", position);
    const std::string_view line = head.substr(position, line_end - position);
    position = line_end + 2;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (!equals_ignoring_case(line.substr(0, colon), "content-length")) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    std::size_t length = 0;
    if (std::from_chars(value.data(), value.data() + value.size(), length).ec == std::errc()) {
      parsed.content_length = length;
    }
  }
  return parsed;
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
  int socket_fd = -1;
  std::optional<WatchId> socket_watch;
  SocketPhase phase = SocketPhase::kConnecting;
  std::string request;
  std::size_t request_sent = 0;
  std::string response;
  // Exec probes.
  std::optional<SpawnedChild> child;  // set while the process is not yet reaped
  std::optional<WatchId> exit_watch;
  int output_fd = -1;
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
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    finish_soon(id, {runtime::ProbeResult::kError, "host \"" + host + "\" is not an IPv4 address"});
    return;
  }
  attempt.socket_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (attempt.socket_fd < 0) {
    finish_soon(id, {runtime::ProbeResult::kError, std::string("socket: ") + std::strerror(errno)});
    return;
  }
  const int connected =
      connect(attempt.socket_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  if (connected != 0 && errno != EINPROGRESS) {
    finish_soon(id, {runtime::ProbeResult::kFailure,
                     socket_failure(attempt.kind, attempt.target,
                                    std::string("connect: ") + std::strerror(errno))});
    return;
  }
  attempt.socket_watch =
      loop_.watch(attempt.socket_fd, kWritable,
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
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(attempt.socket_fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        finish(id, {runtime::ProbeResult::kFailure,
                    socket_failure(attempt.kind, attempt.target,
                                   std::string("connect: ") + std::strerror(error))});
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
        const ssize_t sent = send(attempt.socket_fd, attempt.request.data() + attempt.request_sent,
                                  attempt.request.size() - attempt.request_sent, MSG_NOSIGNAL);
        if (sent > 0) {
          attempt.request_sent += static_cast<std::size_t>(sent);
          continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        finish(id, {runtime::ProbeResult::kFailure,
                    socket_failure(attempt.kind, attempt.target,
                                   std::string("write: ") + std::strerror(errno))});
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
  constexpr std::size_t kResponseBytesMax = kResponseHeadBytesMax + runtime::kProbeBodyBytesMax;
  bool end_of_stream = false;
  char chunk[8 * 1024];
  while (attempt.response.size() < kResponseBytesMax) {
    const std::size_t room = std::min(sizeof chunk, kResponseBytesMax - attempt.response.size());
    const ssize_t got = recv(attempt.socket_fd, chunk, room, 0);
    if (got > 0) {
      attempt.response.append(chunk, static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0) {
      end_of_stream = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    finish(id, {runtime::ProbeResult::kFailure,
                socket_failure(attempt.kind, attempt.target,
                               std::string("read: ") + std::strerror(errno))});
    return;
  }
  const auto head_end = attempt.response.find("\r\n\r\n");
  if (head_end == std::string::npos || head_end + 4 > kResponseHeadBytesMax) {
    if (end_of_stream || attempt.response.size() >= kResponseHeadBytesMax) {
      const std::string why = end_of_stream ? "connection closed before a response"
                                            : "response head larger than 16 KiB";
      finish(id,
             {runtime::ProbeResult::kFailure, socket_failure(attempt.kind, attempt.target, why)});
    }
    return;
  }
  const std::optional<ResponseHead> head = parse_response_head(attempt.response, head_end);
  if (!head) {
    finish(id, {runtime::ProbeResult::kFailure,
                socket_failure(attempt.kind, attempt.target, "malformed HTTP response")});
    return;
  }
  const std::size_t body_wanted = std::min(
      head->content_length.value_or(runtime::kProbeBodyBytesMax), runtime::kProbeBodyBytesMax);
  if (!end_of_stream && attempt.response.size() - head->head_bytes < body_wanted) return;
  const std::string body = attempt.response.substr(head->head_bytes, body_wanted);
  if (head->status >= 200 && head->status < 400) {
    finish(id, {runtime::ProbeResult::kSuccess, body});
  } else {
    finish(id, {runtime::ProbeResult::kFailure,
                "HTTP probe failed with statuscode: " + std::to_string(head->status)});
  }
}

void LiveProber::start_exec_probe(runtime::ProbeId id, Attempt& attempt,
                                  const runtime::ExecAction& action) {
  int output[2];
  if (pipe2(output, O_CLOEXEC) != 0) {
    finish_soon(id, {runtime::ProbeResult::kError, std::string("pipe: ") + std::strerror(errno)});
    return;
  }
  const SpawnRequest request{&action.argv, &action.env, &action.working_dir, output[1]};
  Result<SpawnedChild> child = spawn(request);
  close(output[1]);
  if (!child) {
    close(output[0]);
    finish_soon(id, {runtime::ProbeResult::kFailure, child.status().message()});
    return;
  }
  fcntl(output[0], F_SETFL, fcntl(output[0], F_GETFL) | O_NONBLOCK);
  attempt.child = *child;
  attempt.output_fd = output[0];
  attempt.output_watch = loop_.watch(attempt.output_fd, kReadable, [this, id](std::uint32_t) {
    const auto found = attempts_.find(id);
    if (found == attempts_.end()) return;
    Attempt& running = *found->second;
    char chunk[4096];
    const ssize_t got = read(running.output_fd, chunk, sizeof chunk);
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
         (got = read(attempt.output_fd, chunk, sizeof chunk)) > 0) {
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
  if (attempt.socket_fd >= 0) close(attempt.socket_fd);
  attempt.socket_fd = -1;
  if (attempt.exit_watch) loop_.unwatch(*attempt.exit_watch);
  attempt.exit_watch.reset();
  if (attempt.child) {
    kill_and_reap(*attempt.child);  // a timed-out or abandoned exec probe leaves nothing behind
    close(attempt.child->pidfd);
    attempt.child.reset();
  }
  if (attempt.output_watch) loop_.unwatch(*attempt.output_watch);
  attempt.output_watch.reset();
  if (attempt.output_fd >= 0) close(attempt.output_fd);
  attempt.output_fd = -1;
}

}  // namespace nodrop::live
