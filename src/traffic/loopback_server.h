// A small server for tests and benchmarks on loopback, whose answers follow a cue: the Nth request
// it receives (counting from 0, across all connections) may be answered, answered late, answered
// with any status, left without an answer, cut short, or reset. Refusal is a socket that is bound
// but does not listen (live::bind_refusing_port).
//
// HTTP mode answers HTTP/1.1 requests (keep-alive, Content-Length bodies); echo mode writes back
// every byte it reads and ignores the cue.
//
// Bounds: kMaxConnections connections (further ones are accepted and closed at once), request
// headers up to kMaxRequestBytes (a longer request is answered 431 and the connection closed).
// Threading: runs on the loop it was given, on that loop's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "live/file_descriptor.h"
#include "live/loop/epoll_loop.h"
#include "live/sockets/tcp.h"

namespace nodrop::traffic {

struct Cue {
  enum class Action {
    kAnswer,    // answer with status after delay
    kStall,     // never answer; keep the connection open until the client closes it
    kReset,     // reset the connection (RST) instead of answering
    kTruncate,  // send the headers and half the body, then close
    kClose,     // close the connection (FIN) without a byte of answer
    kGarbage,   // answer with bytes that are not HTTP, then close
  };
  Action action = Action::kAnswer;
  int status = 200;
  runtime::Duration delay = runtime::Duration::zero();
};

class LoopbackServer {
 public:
  enum class Mode { kHttp, kEcho };
  using CueFunction = std::function<Cue(std::uint64_t request_number)>;

  static constexpr std::size_t kMaxConnections = 16 * std::size_t{1024};
  static constexpr std::size_t kMaxRequestBytes = 64 * std::size_t{1024};

  // Listens on endpoint (port 0 for any). A null cue answers every request 200.
  static Result<std::unique_ptr<LoopbackServer>> start(live::EpollLoop& loop,
                                                       const Ipv4Endpoint& endpoint, Mode mode,
                                                       CueFunction cue);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  const Ipv4Endpoint& endpoint() const { return listener_.endpoint; }
  std::uint64_t requests_received() const { return requests_; }
  std::uint64_t connections_accepted() const { return accepted_; }

 private:
  struct Connection {
    live::FileDescriptor socket;
    live::WatchId watch = 0;
    std::string input;
    std::string output;
    bool close_after_output = false;
    bool watching_writable = false;
    bool stalled = false;  // a stalled request blocks the requests behind it
    std::uint32_t delayed_answers = 0;
  };

  LoopbackServer(live::EpollLoop& loop, live::Listener listener, Mode mode, CueFunction cue);
  void on_accept();
  void on_event(std::uint64_t id, std::uint32_t events);
  void serve_requests(std::uint64_t id);
  void answer(std::uint64_t id, int status, bool close, bool truncate);
  void flush(std::uint64_t id);
  void close_connection(std::uint64_t id, bool reset);

  live::EpollLoop& loop_;
  live::Listener listener_;
  live::WatchId listener_watch_ = 0;
  Mode mode_;
  CueFunction cue_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, Connection> connections_;
  std::unordered_map<runtime::TimerId, bool> timers_;  // pending delayed answers
  std::uint64_t requests_ = 0;
  std::uint64_t accepted_ = 0;
  std::string read_buffer_;
};

}  // namespace nodrop::traffic
