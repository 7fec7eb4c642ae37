#include "live/sockets/loopback_server.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/check.h"

namespace nodrop::live {
namespace {

constexpr std::size_t kReadBufferBytes = 64 * std::size_t{1024};

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 413:
      return "Content Too Large";
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

http::Limits request_limits() {
  http::Limits limits;
  limits.max_head_bytes = LoopbackServer::kMaxHeadBytes;
  limits.max_request_line_bytes = LoopbackServer::kMaxHeadBytes;
  limits.max_header_fields = LoopbackServer::kMaxHeaderFields;
  return limits;
}

}  // namespace

Result<std::unique_ptr<LoopbackServer>> LoopbackServer::start(EpollLoop& loop,
                                                              const Ipv4Endpoint& endpoint,
                                                              Mode mode, CueFunction cue) {
  Result<Listener> listener = listen_tcp(endpoint, {.backlog = 1024});
  if (!listener) return listener.status();
  return std::unique_ptr<LoopbackServer>(
      new LoopbackServer(loop, std::move(listener).value(), mode, std::move(cue)));
}

Result<std::unique_ptr<LoopbackServer>> LoopbackServer::start_on_own_thread(
    const Ipv4Endpoint& endpoint, Mode mode, CueFunction cue) {
  auto loop = std::make_unique<EpollLoop>();
  Result<std::unique_ptr<LoopbackServer>> server = start(*loop, endpoint, mode, std::move(cue));
  if (!server) return server;
  LoopbackServer& running = **server;
  running.own_loop_ = std::move(loop);
  running.own_thread_ = std::make_unique<Thread>([&running] { running.loop_.run(); });
  return server;
}

LoopbackServer::LoopbackServer(EpollLoop& loop, Listener listener, Mode mode, CueFunction cue)
    : loop_(loop),
      listener_(std::move(listener.socket)),
      endpoint_(listener.endpoint),
      mode_(mode),
      cue_(std::move(cue)) {
  read_buffer_.resize(kReadBufferBytes);
  listener_watch_ = loop_.watch(listener_.fd(), kReadable, [this](std::uint32_t) { on_accept(); });
}

LoopbackServer::~LoopbackServer() {
  if (own_thread_) {
    loop_.post_from_any_thread([this] {
      close_everything();
      loop_.stop();
    });
    own_thread_->join();
  } else {
    close_everything();
  }
}

void LoopbackServer::close_everything() {
  for (const auto& [timer, pending] : timers_) loop_.cancel(timer);
  timers_.clear();
  for (auto& [id, connection] : connections_) loop_.unwatch(connection.watch);
  connections_.clear();
  if (listener_watch_ != 0) loop_.unwatch(listener_watch_);
  listener_watch_ = 0;
  listener_.reset();
}

std::string LoopbackServer::last_request_head() const {
  std::lock_guard lock(kept_mutex_);
  return last_request_head_;
}

std::string LoopbackServer::received() const {
  std::lock_guard lock(kept_mutex_);
  return received_;
}

void LoopbackServer::on_accept() {
  while (true) {
    Accepted accepted = accept_connection(listener_.fd());
    if (accepted.outcome != IoOutcome::kDone) return;
    if (connections_.size() >= kMaxConnections) continue;  // closed as it goes out of scope
    accepted_.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t id = next_id_++;
    Connection& connection = connections_[id];
    connection.socket = std::move(accepted.socket);
    connection.peer = accepted.peer;
    connection.watch = loop_.watch(connection.socket.fd(), kReadable,
                                   [this, id](std::uint32_t events) { on_event(id, events); });
  }
}

void LoopbackServer::on_event(std::uint64_t id, std::uint32_t events) {
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  if (events & kWritable) {
    flush(id);
    found = connections_.find(id);
    if (found == connections_.end()) return;
  }
  if (!(events & (kReadable | kHangup))) return;
  Connection& connection = found->second;
  const IoResult result =
      read_some(connection.socket.fd(), read_buffer_.data(), read_buffer_.size());
  switch (result.outcome) {
    case IoOutcome::kDone: {
      const std::string_view bytes(read_buffer_.data(), result.bytes);
      if (mode_ == Mode::kEcho || connection.upgraded) {
        echo(id, bytes);
        return;
      }
      connection.input.append(bytes);
      serve_requests(id);
      return;
    }
    case IoOutcome::kWouldBlock:
      return;
    case IoOutcome::kClosed:
      if (mode_ == Mode::kEcho || connection.upgraded) {
        // The sender is done: what it sent goes back, then the echo ends too.
        connection.close_after_output = true;
        flush(id);
        return;
      }
      close_connection(id, Ending::kFin);
      return;
    case IoOutcome::kRefused:
    case IoOutcome::kReset:
    case IoOutcome::kOutOfResources:
    case IoOutcome::kError:
      close_connection(id, Ending::kFin);
      return;
  }
}

void LoopbackServer::echo(std::uint64_t id, std::string_view bytes) {
  Connection& connection = connections_.at(id);
  if (mode_ == Mode::kEcho) {
    std::lock_guard lock(kept_mutex_);
    received_.append(
        bytes.substr(0, kReceivedKeptBytes - std::min(kReceivedKeptBytes, received_.size())));
  }
  connection.output.append(bytes);
  flush(id);
}

void LoopbackServer::serve_requests(std::uint64_t id) {
  const http::Limits limits = request_limits();
  while (true) {
    const auto found = connections_.find(id);
    if (found == connections_.end()) return;
    Connection& connection = found->second;
    // Answers stay in order: a stalled or delayed one holds back the requests behind it.
    if (connection.stalled || connection.delayed_answers > 0 || connection.upgraded) return;
    if (connection.close_after_output || connection.input.empty()) return;
    http::RequestHead head;
    switch (http::parse_request_head(connection.input, limits, connection.scanner, &head)) {
      case http::HeadParse::kIncomplete:
        return;
      case http::HeadParse::kTooLarge:
      case http::HeadParse::kTooManyFields:
      case http::HeadParse::kRequestLineTooLong:
        refuse(id, 431);
        return;
      case http::HeadParse::kMalformed:
        refuse(id, 400);
        return;
      case http::HeadParse::kComplete:
        break;
    }
    http::BodyDecoder body;
    body.start(head.framing, head.content_length, limits);
    const std::string_view after_head = std::string_view(connection.input).substr(head.head_bytes);
    const http::BodyDecoder::Step step = body.consume(after_head);
    if (step.malformed) {
      refuse(id, 400);
      return;
    }
    if (!body.complete()) {
      if (after_head.size() > kMaxBodyBytes) refuse(id, 413);
      return;  // the rest of the body is on its way
    }
    if (!act_on(id, connection, head, head.head_bytes + step.consumed, step.consumed)) return;
  }
}

bool LoopbackServer::act_on(std::uint64_t id, Connection& connection, const http::RequestHead& head,
                            std::size_t request_bytes, std::size_t body_bytes) {
  {
    std::lock_guard lock(kept_mutex_);
    last_request_head_.assign(connection.input, 0, head.head_bytes);
  }
  Request request;
  request.number = requests_.fetch_add(1, std::memory_order_relaxed);
  request.peer = connection.peer;
  request.method = head.method;
  request.target = head.target;
  request.body = std::string_view(connection.input).substr(head.head_bytes, body_bytes);
  request.body_is_chunked = head.framing == http::BodyFraming::kChunked;
  request.wants_upgrade = head.wants_upgrade();
  const Cue cue = cue_ ? cue_(request) : Cue{};
  const Delivery delivery{.head_only = head.method == "HEAD", .then_close = !head.keep_alive()};
  // The views into input end here.
  connection.input.erase(0, request_bytes);
  connection.scanner.reset();
  switch (cue.action) {
    case Cue::Action::kAnswer:
      if (cue.delay > runtime::Duration::zero()) {
        ++connection.delayed_answers;
        auto timer = std::make_shared<runtime::TimerId>(0);
        *timer = loop_.run_after(cue.delay, [this, id, cue, delivery, timer] {
          timers_.erase(*timer);
          const auto still = connections_.find(id);
          if (still == connections_.end()) return;
          --still->second.delayed_answers;
          answer(id, cue, delivery);
          serve_requests(id);
        });
        timers_[*timer] = true;
        return false;
      }
      answer(id, cue, delivery);
      return true;
    case Cue::Action::kStall:
      connection.stalled = true;
      return false;
    case Cue::Action::kReset:
      close_connection(id, Ending::kReset);
      return false;
    case Cue::Action::kTruncate:
      answer(id, cue, {.head_only = delivery.head_only, .then_close = true, .cut_in_half = true});
      return false;
    case Cue::Action::kClose:
      close_connection(id, Ending::kFin);
      return false;
    case Cue::Action::kGarbage:
      connection.output += "SSH-2.0-not-http\r\n\r\n";
      connection.close_after_output = true;
      flush(id);
      return false;
    case Cue::Action::kUpgradeToEcho: {
      connection.upgraded = true;
      connection.output +=
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
      // Bytes that followed the request belong to the new protocol.
      std::string early;
      early.swap(connection.input);
      echo(id, early);
      return false;
    }
  }
  return false;
}

void LoopbackServer::answer(std::uint64_t id, const Cue& cue, Delivery delivery) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  Connection& connection = found->second;
  const std::string_view body = cue.body;
  connection.output += fmt::format(
      "HTTP/1.1 {} {}\r\n{}{}{}\r\n", cue.status, reason_phrase(cue.status), cue.extra_fields,
      cue.body_is_chunked ? std::string("Transfer-Encoding: chunked\r\n")
                          : fmt::format("Content-Length: {}\r\n", body.size()),
      delivery.then_close ? "Connection: close\r\n" : "");
  if (!delivery.head_only) {
    connection.output += delivery.cut_in_half ? body.substr(0, body.size() / 2) : body;
  }
  connection.close_after_output = connection.close_after_output || delivery.then_close;
  flush(id);
}

void LoopbackServer::refuse(std::uint64_t id, int status) {
  Cue cue;
  cue.status = status;
  cue.body = fmt::format("{} {}\n", status, reason_phrase(status));
  answer(id, cue, {.then_close = true});
}

void LoopbackServer::flush(std::uint64_t id) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  Connection& connection = found->second;
  std::size_t written = 0;
  while (written < connection.output.size()) {
    const IoResult result = write_some(connection.socket.fd(), connection.output.data() + written,
                                       connection.output.size() - written);
    if (result.outcome == IoOutcome::kWouldBlock) break;
    if (result.outcome != IoOutcome::kDone) {
      close_connection(id, Ending::kFin);
      return;
    }
    written += result.bytes;
  }
  connection.output.erase(0, written);
  const bool want_writable = !connection.output.empty();
  if (connection.watching_writable != want_writable) {
    connection.watching_writable = want_writable;
    loop_.modify(connection.watch, want_writable ? kReadable | kWritable : kReadable);
  }
  if (!want_writable && connection.close_after_output) close_connection(id, Ending::kFin);
}

void LoopbackServer::close_connection(std::uint64_t id, Ending ending) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  loop_.unwatch(found->second.watch);
  if (ending == Ending::kReset) close_with_reset(found->second.socket);
  connections_.erase(found);
}

}  // namespace nodrop::live
