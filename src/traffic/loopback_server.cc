#include "traffic/loopback_server.h"

#include <fmt/format.h>

#include <charconv>
#include <string_view>
#include <vector>

#include "base/check.h"

namespace nodrop::traffic {
namespace {

constexpr std::size_t kReadBufferBytes = 64 * std::size_t{1024};

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool header_has_token(std::string_view headers, std::string_view name, std::string_view token) {
  // Good enough for the requests nodrop sends: "Name: value" on its own line, exact case.
  const auto at = headers.find(name);
  if (at == std::string_view::npos) return false;
  const auto line_end = headers.find("\r\n", at);
  return headers.substr(at, line_end - at).find(token) != std::string_view::npos;
}

std::size_t content_length(std::string_view headers) {
  for (const std::string_view name : {"Content-Length:", "content-length:"}) {
    const auto at = headers.find(name);
    if (at == std::string_view::npos) continue;
    std::size_t start = at + name.size();
    while (start < headers.size() && headers[start] == ' ') ++start;
    std::size_t value = 0;
    std::from_chars(headers.data() + start, headers.data() + headers.size(), value);
    return value;
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<LoopbackServer>> LoopbackServer::start(live::EpollLoop& loop,
                                                              const Ipv4Endpoint& endpoint,
                                                              Mode mode, CueFunction cue) {
  Result<live::Listener> listener = live::listen_tcp(endpoint, {.backlog = 1024});
  if (!listener) return listener.status();
  return std::unique_ptr<LoopbackServer>(
      new LoopbackServer(loop, std::move(listener).value(), mode, std::move(cue)));
}

LoopbackServer::LoopbackServer(live::EpollLoop& loop, live::Listener listener, Mode mode,
                               CueFunction cue)
    : loop_(loop), listener_(std::move(listener)), mode_(mode), cue_(std::move(cue)) {
  read_buffer_.resize(kReadBufferBytes);
  listener_watch_ =
      loop_.watch(listener_.socket.fd(), live::kReadable, [this](std::uint32_t) { on_accept(); });
}

LoopbackServer::~LoopbackServer() {
  for (const auto& [timer, pending] : timers_) loop_.cancel(timer);
  for (auto& [id, connection] : connections_) loop_.unwatch(connection.watch);
  loop_.unwatch(listener_watch_);
}

void LoopbackServer::on_accept() {
  while (true) {
    live::Accepted accepted = live::accept_connection(listener_.socket.fd());
    if (accepted.outcome != live::IoOutcome::kDone) return;
    if (connections_.size() >= kMaxConnections) continue;  // closed as it goes out of scope
    ++accepted_;
    const std::uint64_t id = next_id_++;
    Connection& connection = connections_[id];
    connection.socket = std::move(accepted.socket);
    connection.watch = loop_.watch(connection.socket.fd(), live::kReadable,
                                   [this, id](std::uint32_t events) { on_event(id, events); });
  }
}

void LoopbackServer::on_event(std::uint64_t id, std::uint32_t events) {
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  if (events & live::kWritable) {
    flush(id);
    found = connections_.find(id);
    if (found == connections_.end()) return;
  }
  if (!(events & (live::kReadable | live::kHangup))) return;
  Connection& connection = found->second;
  const live::IoResult result =
      live::read_some(connection.socket.fd(), read_buffer_.data(), read_buffer_.size());
  switch (result.outcome) {
    case live::IoOutcome::kDone:
      if (mode_ == Mode::kEcho) {
        connection.output.append(read_buffer_.data(), result.bytes);
        flush(id);
        return;
      }
      connection.input.append(read_buffer_.data(), result.bytes);
      serve_requests(id);
      return;
    case live::IoOutcome::kWouldBlock:
      return;
    case live::IoOutcome::kClosed:
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      close_connection(id, false);
      return;
  }
}

void LoopbackServer::serve_requests(std::uint64_t id) {
  while (true) {
    const auto found = connections_.find(id);
    if (found == connections_.end()) return;
    Connection& connection = found->second;
    if (connection.stalled || connection.delayed_answers > 0) return;  // answers stay in order
    const auto header_end = connection.input.find("\r\n\r\n");
    if (header_end == std::string::npos) {
      if (connection.input.size() > kMaxRequestBytes) answer(id, 431, true, false);
      return;
    }
    const std::string_view headers(connection.input.data(), header_end + 2);
    const std::size_t length = header_end + 4 + content_length(headers);
    if (connection.input.size() < length) return;
    const bool close = header_has_token(headers, "Connection:", "close");
    connection.input.erase(0, length);
    const Cue cue = cue_ ? cue_(requests_) : Cue{};
    ++requests_;
    switch (cue.action) {
      case Cue::Action::kAnswer:
        if (cue.delay > runtime::Duration::zero()) {
          ++connection.delayed_answers;
          const int status = cue.status;
          auto timer = std::make_shared<runtime::TimerId>(0);
          *timer = loop_.run_after(cue.delay, [this, id, status, close, timer] {
            timers_.erase(*timer);
            const auto still = connections_.find(id);
            if (still == connections_.end()) return;
            --still->second.delayed_answers;
            answer(id, status, close, false);
            serve_requests(id);
          });
          timers_[*timer] = true;
          return;
        }
        answer(id, cue.status, close, false);
        break;
      case Cue::Action::kStall:
        connection.stalled = true;
        return;
      case Cue::Action::kReset:
        close_connection(id, true);
        return;
      case Cue::Action::kTruncate:
        answer(id, cue.status, true, true);
        return;
      case Cue::Action::kClose:
        close_connection(id, false);
        return;
      case Cue::Action::kGarbage:
        connection.output += "SSH-2.0-not-http\r\n\r\n";
        connection.close_after_output = true;
        flush(id);
        return;
    }
  }
}

void LoopbackServer::answer(std::uint64_t id, int status, bool close, bool truncate) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  Connection& connection = found->second;
  const std::string_view body = "nodrop loopback server\n";
  connection.output +=
      fmt::format("HTTP/1.1 {} {}\r\nContent-Length: {}\r\n{}\r\n", status, reason_phrase(status),
                  body.size(), close ? "Connection: close\r\n" : "");
  connection.output += truncate ? body.substr(0, body.size() / 2) : body;
  connection.close_after_output = connection.close_after_output || close || truncate;
  flush(id);
}

void LoopbackServer::flush(std::uint64_t id) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  Connection& connection = found->second;
  std::size_t written = 0;
  while (written < connection.output.size()) {
    const live::IoResult result =
        live::write_some(connection.socket.fd(), connection.output.data() + written,
                         connection.output.size() - written);
    if (result.outcome == live::IoOutcome::kWouldBlock) break;
    if (result.outcome != live::IoOutcome::kDone) {
      close_connection(id, false);
      return;
    }
    written += result.bytes;
  }
  connection.output.erase(0, written);
  const bool want_writable = !connection.output.empty();
  if (connection.watching_writable != want_writable) {
    connection.watching_writable = want_writable;
    loop_.modify(connection.watch,
                 want_writable ? live::kReadable | live::kWritable : live::kReadable);
  }
  if (!want_writable && connection.close_after_output) close_connection(id, false);
}

void LoopbackServer::close_connection(std::uint64_t id, bool reset) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  loop_.unwatch(found->second.watch);
  if (reset) live::close_with_reset(found->second.socket);
  connections_.erase(found);
}

}  // namespace nodrop::traffic
