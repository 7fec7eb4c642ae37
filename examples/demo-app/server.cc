#include "server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace demo_app {
namespace {

// epoll data of the two non-connection fds; connections use their fd.
constexpr std::uint64_t kListenerTag = ~std::uint64_t{0};
constexpr std::uint64_t kSignalTag = ~std::uint64_t{0} - 1;
constexpr int kMaxEventsPerTurn = 256;
constexpr std::size_t kReadChunkBytes = 16 * 1024;
constexpr std::size_t kMaxInputBytes = kMaxHeaderBytes + kMaxBodyBytes;

void say(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

bool is_probe_path(std::string_view path) { return path == "/healthz" || path == "/ready"; }

}  // namespace

Server::Server(Options options) : options_(std::move(options)) {}

Server::~Server() {
  for (auto& [fd, connection] : connections_) close(fd);
  if (listen_fd_ >= 0) close(listen_fd_);
  if (signal_fd_ >= 0) close(signal_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

bool Server::open_listener() {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(options_.listen_port);
  if (inet_pton(AF_INET, options_.listen_host.c_str(), &address.sin_addr) != 1) {
    std::fprintf(stderr, "demo-app: --listen host %s is not an IPv4 address\n",
                 options_.listen_host.c_str());
    return false;
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return false;
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    std::fprintf(stderr, "demo-app: bind %s:%u: %s\n", options_.listen_host.c_str(),
                 options_.listen_port, std::strerror(errno));
    return false;
  }
  socklen_t length = sizeof address;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  bound_address_ = options_.listen_host + ":" + std::to_string(ntohs(address.sin_port));
  say("demo-app " + options_.version + " bound " + bound_address_);
  return true;
}

void Server::start_listening() {
  if (listen(listen_fd_, SOMAXCONN) != 0) {
    std::fprintf(stderr, "demo-app: listen: %s\n", std::strerror(errno));
    exit_requested_ = true;
    return;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kListenerTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event);
  listening_ = true;
  say("demo-app " + options_.version + " listening " + bound_address_ + " (pid " +
      std::to_string(getpid()) + ")");
}

int Server::run() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return 1;
  signal(SIGPIPE, SIG_IGN);
  switch (options_.shutdown) {
    case ShutdownMode::kImmediate:
      signal(SIGTERM, SIG_DFL);  // undo an inherited SIG_IGN
      break;
    case ShutdownMode::kGraceful:
    case ShutdownMode::kIgnore: {
      sigset_t mask;
      sigemptyset(&mask);
      sigaddset(&mask, SIGTERM);
      sigprocmask(SIG_BLOCK, &mask, nullptr);
      signal_fd_ = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
      if (signal_fd_ < 0) return 1;
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = kSignalTag;
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &event);
      break;
    }
  }
  if (!open_listener()) return 1;
  start_at_ = Clock::now();

  epoll_event events[kMaxEventsPerTurn];
  int exit_code = 0;
  while (!exit_requested_) {
    const int count = epoll_wait(epoll_fd_, events, kMaxEventsPerTurn, wait_timeout_ms());
    if (count < 0 && errno != EINTR) return 1;
    for (int i = 0; i < count; ++i) {
      const std::uint64_t tag = events[i].data.u64;
      if (tag == kListenerTag) {
        if (listen_fd_ >= 0) accept_connections();
      } else if (tag == kSignalTag) {
        handle_signal();
      } else {
        const auto found = connections_.find(static_cast<int>(tag));
        if (found != connections_.end()) on_connection_event(*found->second, events[i].events);
      }
    }
    const Clock::time_point now = Clock::now();
    if (!listening_ && !draining_ && now >= start_at_ + options_.startup_delay) start_listening();
    fire_due_latencies();
    if (draining_ && !idle_closed_ && now >= idle_close_at_) close_idle_connections();
    if (draining_ && connections_.empty()) break;
    if (draining_ && now >= drain_deadline_) {
      say("demo-app " + options_.version + " drain timed out with " +
          std::to_string(connections_.size()) + " connections open");
      exit_code = 1;
      break;
    }
  }
  if (exit_requested_) exit_code = 1;
  say("demo-app " + options_.version + " exiting " + std::to_string(exit_code));
  return exit_code;
}

int Server::wait_timeout_ms() const {
  Clock::time_point wake = Clock::time_point::max();
  if (!listening_ && !draining_) wake = std::min(wake, start_at_ + options_.startup_delay);
  if (!delayed_.empty()) wake = std::min(wake, delayed_.begin()->first);
  if (draining_) wake = std::min(wake, drain_deadline_);
  if (draining_ && !idle_closed_) wake = std::min(wake, idle_close_at_);
  if (wake == Clock::time_point::max()) return -1;
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 60'000));
}

void Server::handle_signal() {
  signalfd_siginfo info{};
  while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    switch (options_.shutdown) {
      case ShutdownMode::kIgnore:
        say("demo-app " + options_.version + " ignoring SIGTERM");
        break;
      case ShutdownMode::kGraceful:
        if (!draining_) begin_drain();
        break;
      case ShutdownMode::kImmediate:
        break;  // not reached: SIGTERM is not read through the signalfd in this mode
    }
  }
}

void Server::begin_drain() {
  draining_ = true;
  drain_deadline_ = Clock::now() + options_.drain_timeout;
  if (listen_fd_ >= 0) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    close(listen_fd_);
    listen_fd_ = -1;
  }
  say("demo-app " + options_.version + " draining " + std::to_string(connections_.size()) +
      " connections");
  idle_close_at_ = Clock::now() + kIdleGrace;
  for (auto& [fd, connection] : connections_) connection->close_after_write = true;
}

void Server::close_idle_connections() {
  idle_closed_ = true;
  std::vector<int> idle;
  for (auto& [fd, connection] : connections_) {
    if (connection->state == ConnectionState::kReading && connection->input.empty()) {
      idle.push_back(fd);
    }
  }
  for (int fd : idle) close_connection(*connections_.at(fd));
}

void Server::accept_connections() {
  while (true) {
    sockaddr_in peer{};
    socklen_t peer_size = sizeof peer;
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_size,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a transient error (EMFILE): try on the next event
    if (connections_.size() >= options_.max_connections) {
      close(fd);  // overflow: the client sees a reset, as from a full server
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    connection->serial = next_serial_++;
    char address[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &peer.sin_addr, address, sizeof address);
    connection->peer_ip = address;
    connection->peer_address = std::string(address) + ":" + std::to_string(ntohs(peer.sin_port));
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.u64 = static_cast<std::uint64_t>(fd);
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
    connection->interest = event.events;
    connections_[fd] = std::move(connection);
  }
}

void Server::on_connection_event(Connection& connection, std::uint32_t events) {
  if (events & EPOLLERR) {
    close_connection(connection);
    return;
  }
  switch (connection.state) {
    case ConnectionState::kReading:
      if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) read_from(connection);
      return;
    case ConnectionState::kWriting:
      if (events & EPOLLHUP) {
        close_connection(connection);
        return;
      }
      if ((events & EPOLLOUT) && write_to(connection)) process_input(connection);
      return;
    case ConnectionState::kWaitingLatency:
      if (events & EPOLLHUP) close_connection(connection);
      return;
  }
}

void Server::read_from(Connection& connection) {
  char chunk[kReadChunkBytes];
  while (connection.input.size() < kMaxInputBytes) {
    const ssize_t received = recv(connection.fd, chunk, sizeof chunk, 0);
    if (received > 0) {
      connection.input.append(chunk, static_cast<std::size_t>(received));
      continue;
    }
    if (received == 0) {
      connection.peer_closed = true;
      break;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (errno == EINTR) continue;
    close_connection(connection);
    return;
  }
  process_input(connection);
}

bool Server::process_input(Connection& connection) {
  while (connection.state == ConnectionState::kReading) {
    const ParseResult parsed = parse_request(connection.input);
    switch (parsed.state) {
      case ParseState::kIncomplete:
        if (connection.peer_closed || (idle_closed_ && connection.input.empty())) {
          close_connection(connection);
          return false;
        }
        set_interest(connection);
        return true;
      case ParseState::kInvalid:
        connection.input.clear();
        connection.close_after_write = true;
        if (!answer(connection, "", "", parsed.error_status)) return false;
        break;
      case ParseState::kComplete: {
        const Request& request = parsed.request;
        if (!request.keep_alive) connection.close_after_write = true;
        std::string method(request.method);
        std::string path(request.path);
        connection.input.erase(0, request.total_bytes);
        // Which client addresses reach the app (the client's own, or a node's when a hop
        // translates it): a line for each new one, at most kMaxPeersLogged of them. Probes (a
        // connection without a request, or /healthz and /ready) are not clients.
        if (!is_probe_path(path) && peers_logged_.size() < kMaxPeersLogged &&
            peers_logged_.insert(connection.peer_ip).second) {
          say("demo-app " + options_.version + " first request from " + connection.peer_ip);
        }
        if (options_.latency.count() > 0 && !is_probe_path(path)) {
          connection.state = ConnectionState::kWaitingLatency;
          connection.pending_method = std::move(method);
          connection.pending_path = std::move(path);
          delayed_.emplace(Clock::now() + options_.latency,
                           std::make_pair(connection.fd, connection.serial));
          set_interest(connection);
          return true;
        }
        if (!answer(connection, method, path, 200)) return false;
        break;
      }
    }
  }
  set_interest(connection);
  return true;
}

bool Server::answer(Connection& connection, std::string_view method, std::string_view path,
                    int status) {
  std::string body;
  if (status != 200) {
    body = std::string(reason_phrase(status)) + "\n";
  } else if (path == "/healthz") {
    body = "ok\n";
  } else if (path == "/ready") {
    if (draining_) {
      status = 503;
      body = "draining\n";
    } else {
      body = "ready\n";
    }
  } else {
    body = "demo-app " + options_.version + " " + bound_address_ + " " + std::string(path) + "\n";
  }
  if (draining_) connection.close_after_write = true;
  std::string& out = connection.output;
  out.clear();
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\nContent-Type: text/plain\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += "\r\nX-Version: ";
  out += options_.version;
  out += "\r\nX-Client-Address: ";
  out += connection.peer_address;
  out += connection.close_after_write ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
  if (method != "HEAD") out += body;
  connection.output_sent = 0;
  connection.state = ConnectionState::kWriting;
  return write_to(connection);
}

bool Server::write_to(Connection& connection) {
  while (connection.output_sent < connection.output.size()) {
    const ssize_t sent = send(connection.fd, connection.output.data() + connection.output_sent,
                              connection.output.size() - connection.output_sent, MSG_NOSIGNAL);
    if (sent > 0) {
      connection.output_sent += static_cast<std::size_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_interest(connection);
      return true;  // still kWriting; EPOLLOUT resumes
    }
    close_connection(connection);
    return false;
  }
  if (connection.close_after_write) {
    close_connection(connection);
    return false;
  }
  connection.output.clear();
  connection.output_sent = 0;
  connection.state = ConnectionState::kReading;
  return true;
}

void Server::set_interest(Connection& connection) {
  std::uint32_t interest = 0;
  switch (connection.state) {
    case ConnectionState::kReading:
      interest = EPOLLIN | EPOLLRDHUP;
      break;
    case ConnectionState::kWriting:
      interest = EPOLLOUT;
      break;
    case ConnectionState::kWaitingLatency:
      interest = 0;  // EPOLLHUP and EPOLLERR are reported anyway
      break;
  }
  if (interest == connection.interest) return;
  epoll_event event{};
  event.events = interest;
  event.data.u64 = static_cast<std::uint64_t>(connection.fd);
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection.fd, &event);
  connection.interest = interest;
}

void Server::close_connection(Connection& connection) {
  const int fd = connection.fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  connections_.erase(fd);  // destroys `connection`
}

void Server::fire_due_latencies() {
  const Clock::time_point now = Clock::now();
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    const auto [fd, serial] = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    const auto found = connections_.find(fd);
    if (found == connections_.end() || found->second->serial != serial) continue;  // closed
    Connection& connection = *found->second;
    if (connection.state != ConnectionState::kWaitingLatency) continue;
    const std::string method = std::move(connection.pending_method);
    const std::string path = std::move(connection.pending_path);
    if (answer(connection, method, path, 200)) process_input(connection);
  }
}

}  // namespace demo_app
