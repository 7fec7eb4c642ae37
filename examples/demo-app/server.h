// demo-app's HTTP/1.1 server: one thread, non-blocking sockets, level-triggered epoll.
//
// Lifecycle (printed on stdout, one line each, so a test or a person can follow it):
//   bound      socket bound (the port is known), not yet listening: connects are refused
//   listening  after --startup-delay; /ready answers 200
//   draining   SIGTERM in graceful mode: listener closed; every request from now on, in flight
//              or new on a keep-alive connection, is answered with "Connection: close" and its
//              connection closed after it; connections still idle kIdleGrace after SIGTERM are
//              closed then; exits 0 when none is left. (Closing an idle keep-alive connection at
//              once would race a client sending on it: its request would meet a closed socket.)
// In immediate mode SIGTERM keeps its default action, so the process dies at once by the signal.
// In ignore mode SIGTERM is read and ignored; only SIGKILL ends the process.
//
// Every buffer has a bound: a request head of 16 KiB, a body of 1 MiB, --max-connections.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "http_request.h"
#include "options.h"

namespace demo_app {

class Server {
 public:
  explicit Server(Options options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Runs until the app should exit; returns the exit code.
  int run();

 private:
  using Clock = std::chrono::steady_clock;

  enum class ConnectionState {
    kReading,         // waiting for (the rest of) a request
    kWaitingLatency,  // a request was read; its answer waits for --latency
    kWriting,         // an answer is being sent
  };

  struct Connection {
    int fd = -1;
    std::uint64_t serial = 0;  // tells a connection from a later one on the same fd
    ConnectionState state = ConnectionState::kReading;
    std::string input;
    std::string output;
    std::size_t output_sent = 0;
    bool close_after_write = false;
    bool peer_closed = false;    // the client shut down its side; answer what is buffered
    std::uint32_t interest = 0;  // the epoll events currently registered
    std::string pending_method;  // the request waiting for its latency
    std::string pending_path;
    std::string peer_ip;       // the client's address as this app sees it
    std::string peer_address;  // "ip:port" of the client as this app sees it
  };

  bool open_listener();
  void start_listening();
  void begin_drain();
  void close_idle_connections();
  void handle_signal();
  void accept_connections();
  void on_connection_event(Connection& connection, std::uint32_t events);
  void read_from(Connection& connection);
  // The next three return false when they closed the connection (which is then destroyed).
  // Parses and answers as many buffered requests as the connection's state allows.
  bool process_input(Connection& connection);
  bool answer(Connection& connection, std::string_view method, std::string_view path, int status);
  bool write_to(Connection& connection);
  void set_interest(Connection& connection);
  void close_connection(Connection& connection);
  void fire_due_latencies();
  int wait_timeout_ms() const;

  Options options_;
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  int signal_fd_ = -1;
  std::string bound_address_;
  bool listening_ = false;
  static constexpr std::chrono::milliseconds kIdleGrace{1000};
  bool draining_ = false;
  bool idle_closed_ = false;  // kIdleGrace after SIGTERM passed and idle connections were closed
  Clock::time_point idle_close_at_;
  bool exit_requested_ = false;
  Clock::time_point start_at_;
  Clock::time_point drain_deadline_;
  std::uint64_t next_serial_ = 1;
  static constexpr std::size_t kMaxPeersLogged = 1024;
  std::set<std::string> peers_logged_;  // client addresses already named in the log
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  // Answers waiting for --latency: deadline -> (fd, serial).
  std::multimap<Clock::time_point, std::pair<int, std::uint64_t>> delayed_;
};

}  // namespace demo_app
