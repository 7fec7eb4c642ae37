#include "live/tls/https_server.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <list>
#include <mutex>
#include <thread>

#include "live/file_descriptor.h"
#include "live/sockets/tcp.h"
#include "live/tls/openssl.h"

namespace nodrop::live {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long a blocked wait lasts before it looks at the server's stop flag again.
constexpr milliseconds kStopCheck{200};

}  // namespace

struct HttpsServer::State {
  HttpsServerOptions options;
  HttpsHandler handler;
  HttpsErrorResponse error_response;
  openssl::Context context;
  FileDescriptor listener;
  Ipv4Endpoint endpoint;
  std::atomic<bool> stopping{false};
  std::thread acceptor;

  struct Connection {
    FileDescriptor socket;
    std::thread thread;
    std::atomic<bool> finished{false};
  };
  mutable std::mutex mutex;  // guards connections
  std::list<Connection> connections;

  void accept_loop();
  void reap(bool all);
  void serve(Connection& connection);
};

namespace {

// One TLS connection over a non-blocking socket, with deadlines on every wait.
class TlsStream {
 public:
  TlsStream(SSL* ssl, int fd, const std::atomic<bool>& stopping)
      : ssl_(ssl), fd_(fd), stopping_(stopping) {}

  // Waits until the socket is readable (or writable), the deadline passes (false) or the server
  // stops (false).
  bool wait(bool for_write, Clock::time_point deadline) {
    while (!stopping_.load()) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd entry{
          .fd = fd_, .events = static_cast<short>(for_write ? POLLOUT : POLLIN), .revents = 0};
      const int ready = ::poll(&entry, 1, static_cast<int>(std::min(left, kStopCheck).count()));
      if (ready > 0) return true;
      if (ready < 0 && errno != EINTR) return false;
    }
    return false;
  }

  bool handshake(Clock::time_point deadline) {
    while (true) {
      const int result = SSL_accept(ssl_.get());
      if (result == 1) return true;
      const int error = SSL_get_error(ssl_.get(), result);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (!wait(error == SSL_ERROR_WANT_WRITE, deadline)) return false;
        continue;
      }
      ERR_clear_error();
      return false;
    }
  }

  // Bytes read (appended to out), 0 when the peer closed, -1 on an error, a deadline or stop.
  int read(std::string& out, Clock::time_point deadline) {
    char buffer[16 * 1024];
    while (true) {
      const int result = SSL_read(ssl_.get(), buffer, sizeof buffer);
      if (result > 0) {
        out.append(buffer, static_cast<std::size_t>(result));
        return result;
      }
      const int error = SSL_get_error(ssl_.get(), result);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (!wait(error == SSL_ERROR_WANT_WRITE, deadline)) return -1;
        continue;
      }
      ERR_clear_error();
      return error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
    }
  }

  bool write(std::string_view data, milliseconds timeout) {
    const Clock::time_point deadline = Clock::now() + timeout;
    while (!data.empty()) {
      const int result = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
      if (result > 0) {
        data.remove_prefix(static_cast<std::size_t>(result));
        continue;
      }
      const int error = SSL_get_error(ssl_.get(), result);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (!wait(error == SSL_ERROR_WANT_WRITE, deadline)) return false;
        continue;
      }
      ERR_clear_error();
      return false;
    }
    return true;
  }

  // Whether the peer hung up (checked between the chunks of a stream).
  bool peer_gone() const {
    pollfd entry{.fd = fd_, .events = POLLRDHUP, .revents = 0};
    return ::poll(&entry, 1, 0) > 0 && (entry.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }

  void close_notify() { SSL_shutdown(ssl_.get()); }

 private:
  openssl::Ssl ssl_;
  int fd_;
  const std::atomic<bool>& stopping_;
};

std::string response_head(const http::ServerResponse& response, bool chunked, bool close) {
  std::string head =
      fmt::format("HTTP/1.1 {} {}\r\n", response.status, http::reason_phrase(response.status));
  for (const auto& [name, value] : response.fields) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  } else {
    head += fmt::format("Content-Length: {}\r\n", response.body.size());
  }
  if (close) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

}  // namespace

void HttpsServer::State::serve(Connection& connection) {
  // OpenSSL writes with write(2), which raises SIGPIPE on a connection the peer has closed; on
  // this thread the signal stays blocked, so the write fails with EPIPE instead of killing
  // the process.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  const int fd = connection.socket.fd();
  SSL* ssl = SSL_new(context.get());
  if (ssl == nullptr) return;
  SSL_set_fd(ssl, fd);
  TlsStream tls(ssl, fd, stopping);
  if (!tls.handshake(Clock::now() + options.handshake_timeout)) return;

  const auto refuse = [&](int status, const std::string& message) {
    const http::ServerResponse response = error_response(status, message);
    (void)tls.write(response_head(response, false, true) + response.body, options.write_timeout);
  };

  std::string buffer;
  while (!stopping.load()) {
    // The head: the first byte within the idle timeout, the rest within the request timeout.
    http::HeadScanner scanner;
    http::RequestHead head;
    Clock::time_point deadline = Clock::now() + options.idle_timeout;
    bool started = !buffer.empty();
    if (started) deadline = Clock::now() + options.request_timeout;
    http::HeadParse parsed = http::HeadParse::kIncomplete;
    while (true) {
      const std::size_t blank = http::leading_empty_lines(buffer);
      if (blank > 0) buffer.erase(0, blank);
      if (!buffer.empty()) {
        parsed = http::parse_request_head(buffer, options.limits, scanner, &head);
        if (parsed != http::HeadParse::kIncomplete) break;
      }
      const int got = tls.read(buffer, deadline);
      if (got <= 0) {
        if (got < 0 && started && !stopping.load()) refuse(408, "the request took too long");
        return;
      }
      if (!started) {
        started = true;
        deadline = Clock::now() + options.request_timeout;
      }
    }
    switch (parsed) {
      case http::HeadParse::kComplete:
        break;
      case http::HeadParse::kTooLarge:
      case http::HeadParse::kTooManyFields:
        refuse(431, "the request's header fields are too large");
        return;
      case http::HeadParse::kRequestLineTooLong:
        refuse(414, "the request's target is too long");
        return;
      case http::HeadParse::kMalformed:
      case http::HeadParse::kIncomplete:
        refuse(400, "the request is not valid HTTP/1.1");
        return;
    }
    http::ServerRequest request;
    request.method = std::string(head.method);
    request.target = std::string(head.target);
    for (const http::HeaderField& field : head.fields) {
      request.fields.emplace_back(std::string(field.name), std::string(field.value));
    }
    const bool keep_alive = head.keep_alive() && !head.must_close;
    const std::size_t head_bytes = head.head_bytes;
    if (head.framing == http::BodyFraming::kChunked) {
      refuse(411, "a request body needs a Content-Length");
      return;
    }
    if (head.framing == http::BodyFraming::kContentLength) {
      if (head.content_length > options.max_body_bytes) {
        refuse(413,
               fmt::format("the request body is larger than {} bytes", options.max_body_bytes));
        return;
      }
      const std::size_t length = static_cast<std::size_t>(head.content_length);
      while (buffer.size() < head_bytes + length) {
        if (tls.read(buffer, deadline) <= 0) {
          if (!stopping.load()) refuse(408, "the request body did not arrive in time");
          return;
        }
      }
      request.body = buffer.substr(head_bytes, length);
      buffer.erase(0, head_bytes + length);
    } else {
      buffer.erase(0, head_bytes);
    }

    http::ServerResponse response = handler(request);
    if (response.stream == nullptr) {
      if (!tls.write(response_head(response, false, !keep_alive) + response.body,
                     options.write_timeout)) {
        return;
      }
      if (!keep_alive) break;
      continue;
    }
    if (!tls.write(response_head(response, true, !keep_alive), options.write_timeout)) return;
    bool ended = false;
    while (!stopping.load() && !tls.peer_gone()) {
      http::ResponseStream::Chunk chunk = response.stream->next(kStopCheck * 5);
      if (!chunk.bytes.empty()) {
        if (!tls.write(fmt::format("{:x}\r\n", chunk.bytes.size()) + chunk.bytes + "\r\n",
                       options.write_timeout)) {
          return;
        }
      }
      if (chunk.done) {
        ended = tls.write("0\r\n\r\n", options.write_timeout);
        break;
      }
    }
    if (!ended || !keep_alive) break;
  }
  tls.close_notify();
}

void HttpsServer::State::reap(bool all) {
  std::list<Connection> done;
  {
    std::lock_guard lock(mutex);
    for (auto it = connections.begin(); it != connections.end();) {
      if (all || it->finished.load()) {
        if (all) ::shutdown(it->socket.fd(), SHUT_RDWR);
        auto next = std::next(it);
        done.splice(done.end(), connections, it);
        it = next;
      } else {
        ++it;
      }
    }
  }
  for (Connection& connection : done) {
    if (connection.thread.joinable()) connection.thread.join();
  }
}

void HttpsServer::State::accept_loop() {
  while (!stopping.load()) {
    pollfd entry{.fd = listener.fd(), .events = POLLIN, .revents = 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(kStopCheck.count()));
    reap(false);
    if (ready <= 0) continue;
    Accepted accepted = accept_connection(listener.fd());
    if (accepted.outcome != IoOutcome::kDone) continue;
    std::lock_guard lock(mutex);
    if (connections.size() >= options.max_connections) continue;  // closed as it goes
    Connection& connection = connections.emplace_back();
    connection.socket = std::move(accepted.socket);
    connection.thread = std::thread([this, &connection] {
      serve(connection);
      ::shutdown(connection.socket.fd(), SHUT_RDWR);
      connection.finished.store(true);
    });
  }
}

HttpsServer::HttpsServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

HttpsServer::~HttpsServer() { stop(); }

Result<std::unique_ptr<HttpsServer>> HttpsServer::start(HttpsServerOptions options,
                                                        HttpsHandler handler,
                                                        HttpsErrorResponse error_response) {
  auto state = std::make_unique<State>();
  state->context.reset(SSL_CTX_new(TLS_server_method()));
  if (!state->context) return internal_error("SSL_CTX_new failed");
  SSL_CTX_set_min_proto_version(state->context.get(), TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(state->context.get(), options.certificate_file.c_str()) !=
          1 ||
      SSL_CTX_use_PrivateKey_file(state->context.get(), options.key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(state->context.get()) != 1) {
    ERR_clear_error();
    return invalid_argument("cannot use the certificate " + options.certificate_file +
                            " with the key " + options.key_file);
  }
  Result<Listener> listening = listen_tcp(options.listen, {.backlog = 128});
  if (!listening) return listening.status();
  state->listener = std::move(listening->socket);
  state->endpoint = listening->endpoint;
  state->options = std::move(options);
  state->handler = std::move(handler);
  state->error_response = std::move(error_response);
  State* raw = state.get();
  state->acceptor = std::thread([raw] { raw->accept_loop(); });
  return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(state)));
}

Ipv4Endpoint HttpsServer::endpoint() const { return state_->endpoint; }

std::size_t HttpsServer::connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections.size();
}

void HttpsServer::stop() {
  if (!state_ || state_->stopping.exchange(true)) return;
  if (state_->acceptor.joinable()) state_->acceptor.join();
  state_->reap(true);
  state_->listener.reset();
}

}  // namespace nodrop::live
