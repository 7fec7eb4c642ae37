// Test support (header only, included by tests): an HTTP/1.1 backend on its own loop thread that
// behaves as each test needs, chosen by the request path, and a blocking HTTP client.
//
//   /            200, body "<name>"                  /echo      200, body = request body
//   /chunked     200, chunked body of 3 chunks       /big/N     200, N bytes of 'x'
//   /slow/MS     200 after MS milliseconds            /hang      never answers
//   /close-mid   promises 1000 bytes, sends 10, FIN   /reset     RST without answering
//   /close       FIN without answering
//   Upgrade: websocket   101, then echoes every byte back (a stand-in for a WebSocket echo)
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/message.h"
#include "live/loop/epoll_loop.h"
#include "live/loop/thread.h"
#include "live/sockets/blocking_client.h"
#include "live/sockets/tcp.h"
#include "proxy/routing/endpoint.h"
#include "proxy/transport/byte_buffer.h"

namespace nodrop::proxy::testing {

inline constexpr Ipv4Address kLoopback = Ipv4Address::loopback();
inline constexpr std::chrono::milliseconds kClientTimeout{10000};

class TestBackend {
 public:
  enum class Kind { kHttp, kTcpEcho };

  explicit TestBackend(std::string name, Kind kind = Kind::kHttp)
      : name_(std::move(name)), kind_(kind) {
    live::Listener listener = std::move(live::listen_tcp({kLoopback, 0}, {}).value());
    listener_ = std::move(listener.socket);
    port_ = listener.endpoint.port;
    listener_watch_ =
        loop_.watch(listener_.fd(), live::kReadable, [this](std::uint32_t) { accept(); });
    thread_ = std::make_unique<live::Thread>([this] { loop_.run(); });
  }
  ~TestBackend() { stop(); }

  Ipv4Endpoint address() const { return {kLoopback, port_}; }
  std::uint64_t requests() const { return requests_.load(); }
  // kTcpEcho: the first bytes received on any connection (up to 4 KiB).
  std::string received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::string last_head() {
    std::lock_guard lock(mutex_);
    return last_head_;
  }
  // Stops the loop and closes every connection and the listener (the port then refuses).
  void stop() {
    if (!thread_) return;
    loop_.post_from_any_thread([this] {
      connections_.clear();
      loop_.unwatch(listener_watch_);
      listener_.reset();
      loop_.stop();
    });
    thread_->join();
    thread_.reset();
  }

 private:
  struct Connection {
    live::FileDescriptor socket;
    live::WatchId watch = 0;
    std::string in;
    std::string out;
    http::HeadScanner scanner;
    bool tunnel = false;
    bool closing = false;  // close after out is flushed
  };

  void accept() {
    while (true) {
      live::Accepted accepted = live::accept_connection(listener_.fd());
      if (accepted.outcome != live::IoOutcome::kDone) return;
      auto connection = std::make_unique<Connection>();
      connection->socket = std::move(accepted.socket);
      connection->tunnel = kind_ == Kind::kTcpEcho;
      Connection* raw = connection.get();
      raw->watch =
          loop_.watch(raw->socket.fd(), live::kReadable, [this, raw](std::uint32_t events) {
            if (events & live::kWritable) flush(raw);
            if (connections_.contains(raw) && (events & (live::kReadable | live::kHangup))) {
              on_readable(raw);
            }
          });
      connections_.emplace(raw, std::move(connection));
    }
  }

  void drop(Connection* connection) {
    if (connection->watch != 0) loop_.unwatch(connection->watch);
    connections_.erase(connection);
  }

  void on_readable(Connection* connection) {
    char buffer[64 * 1024];
    const live::IoResult result = live::read_some(connection->socket.fd(), buffer, sizeof buffer);
    if (result.outcome == live::IoOutcome::kWouldBlock) return;
    if (result.outcome != live::IoOutcome::kDone) {
      if (connection->tunnel && result.outcome == live::IoOutcome::kClosed) {
        live::shutdown_write(connection->socket.fd());
      }
      drop(connection);
      return;
    }
    if (connection->tunnel) {
      if (kind_ == Kind::kTcpEcho) {
        std::lock_guard lock(mutex_);
        received_.append(
            buffer, std::min<std::size_t>(result.bytes,
                                          4096 - std::min<std::size_t>(4096, received_.size())));
      }
      send(connection, std::string(buffer, result.bytes));
      return;
    }
    connection->in.append(buffer, result.bytes);
    serve(connection);
  }

  void serve(Connection* connection) {
    while (true) {
      http::RequestHead head;
      const http::HeadParse parsed =
          http::parse_request_head(connection->in, http::Limits{}, connection->scanner, &head);
      if (parsed != http::HeadParse::kComplete) return;
      http::BodyDecoder body;
      body.start(head.framing, head.content_length, http::Limits{});
      const http::BodyDecoder::Step step =
          body.consume(std::string_view(connection->in).substr(head.head_bytes));
      if (!body.complete()) return;  // wait for the whole request
      const std::string target(head.target);
      const bool upgrade = head.wants_upgrade();
      const std::string raw_body = connection->in.substr(head.head_bytes, step.consumed);
      {
        std::lock_guard lock(mutex_);
        last_head_ = connection->in.substr(0, head.head_bytes);
      }
      connection->in.erase(0, head.head_bytes + step.consumed);
      connection->scanner.reset();
      requests_.fetch_add(1);
      if (upgrade) {
        connection->tunnel = true;
        send(connection,
             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
             "Upgrade\r\n\r\n");
        if (!connection->in.empty()) send(connection, std::exchange(connection->in, ""));
        return;
      }
      if (!respond(connection, target, raw_body, head.framing == http::BodyFraming::kChunked))
        return;
    }
  }

  // False when the connection is gone or will answer later.
  bool respond(Connection* connection, const std::string& target, const std::string& raw_body,
               bool chunked_request) {
    if (target == "/hang") return false;
    if (target == "/reset") {
      loop_.unwatch(connection->watch);
      connection->watch = 0;
      live::close_with_reset(connection->socket);
      drop(connection);
      return false;
    }
    if (target == "/close") {
      drop(connection);
      return false;
    }
    if (target == "/close-mid") {
      send(connection, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
      connection->closing = true;
      flush(connection);
      return false;
    }
    if (target == "/chunked") {
      send(connection,
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n,\r\n"
           "6\r\n world\r\n0\r\nTrailer: x\r\n\r\n");
      return true;
    }
    if (target.rfind("/slow/", 0) == 0) {
      const auto delay = std::chrono::milliseconds(std::stoi(target.substr(6)));
      loop_.run_after(delay, [this, connection] {
        if (connections_.contains(connection)) send(connection, ok(name_));
      });
      return true;
    }
    if (target.rfind("/big/", 0) == 0) {
      send(connection, ok(std::string(std::stoul(target.substr(5)), 'x')));
      return true;
    }
    if (target == "/echo") {
      send(connection, ok(chunked_request ? decode_chunked(raw_body) : raw_body));
      return true;
    }
    send(connection, ok(name_));
    return true;
  }

  static std::string decode_chunked(std::string raw) {
    std::string out;
    while (true) {
      const auto line_end = raw.find("\r\n");
      const std::size_t size = std::stoul(raw.substr(0, line_end), nullptr, 16);
      if (size == 0) return out;
      out += raw.substr(line_end + 2, size);
      raw.erase(0, line_end + 2 + size + 2);
    }
  }

  static std::string ok(const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  void send(Connection* connection, const std::string& bytes) {
    connection->out += bytes;
    flush(connection);
  }

  void flush(Connection* connection) {
    while (!connection->out.empty()) {
      const live::IoResult result =
          live::write_some(connection->socket.fd(), connection->out.data(), connection->out.size());
      if (result.outcome == live::IoOutcome::kWouldBlock) {
        loop_.modify(connection->watch, live::kReadable | live::kWritable);
        return;
      }
      if (result.outcome != live::IoOutcome::kDone) {
        drop(connection);
        return;
      }
      connection->out.erase(0, result.bytes);
    }
    if (connection->closing) {
      drop(connection);
      return;
    }
    loop_.modify(connection->watch, live::kReadable);
  }

  std::string name_;
  Kind kind_;
  live::EpollLoop loop_;
  live::FileDescriptor listener_;
  live::WatchId listener_watch_ = 0;
  std::uint16_t port_ = 0;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
  std::atomic<std::uint64_t> requests_{0};
  std::mutex mutex_;
  std::string last_head_;
  std::string received_;
  std::unique_ptr<live::Thread> thread_;
};

struct HttpReply {
  int status = 0;
  std::string head;
  std::string body;
  bool closed = false;  // the proxy closed the connection after this reply
};

// Reads one response from client; carry holds bytes read past it (pipelining).
inline Result<HttpReply> read_reply(live::BlockingClient& client, std::string& carry,
                                    std::string_view method = "GET") {
  HttpReply reply;
  http::HeadScanner scanner;
  http::ResponseHead head;
  while (true) {
    const http::HeadParse parsed =
        http::parse_response_head(carry, http::Limits{}, scanner, method, &head);
    if (parsed == http::HeadParse::kComplete) break;
    if (parsed != http::HeadParse::kIncomplete)
      return internal_error("bad response head: " + carry);
    auto more = client.receive_some();
    if (!more.is_ok()) return more.status();
    if (more->empty()) return Status(StatusCode::kUnavailable, "closed before a response");
    carry += *more;
  }
  reply.status = head.status;
  reply.head = carry.substr(0, head.head_bytes);
  carry.erase(0, head.head_bytes);
  http::BodyDecoder body;
  body.start(head.framing, head.content_length, http::Limits{});
  while (true) {
    const http::BodyDecoder::Step step = body.consume(carry);
    if (step.malformed) return internal_error("bad response body");
    reply.body += carry.substr(0, step.consumed);
    carry.erase(0, step.consumed);
    if (body.complete()) break;
    auto more = client.receive_some();
    if (!more.is_ok()) return more.status();
    if (more->empty()) {
      if (body.framing() != http::BodyFraming::kUntilClose) {
        return Status(StatusCode::kUnavailable, "closed mid-response");
      }
      reply.closed = true;
      break;
    }
    carry += *more;
  }
  return reply;
}

inline Result<live::BlockingClient> connect_to(std::uint16_t port) {
  return live::BlockingClient::connect({kLoopback, port}, kClientTimeout);
}

// One request on a new connection.
inline Result<HttpReply> fetch(std::uint16_t port, const std::string& request) {
  auto client = connect_to(port);
  if (!client.is_ok()) return client.status();
  if (Status sent = client->send_all(request); !sent.is_ok()) return sent;
  std::string carry;
  return read_reply(*client, carry);
}

inline std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

}  // namespace nodrop::proxy::testing
