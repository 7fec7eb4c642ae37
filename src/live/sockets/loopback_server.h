// The one server that nodrop's tests, benchmarks and demonstrations put behind a proxy or in front
// of a load generator, on loopback. Its answers follow a cue, a function of each request (its
// number across all connections, counting from 0, its method, target and body): an answer with
// any status and body, at once or late; no answer; an answer cut short; a reset; a close; bytes
// that are not HTTP; or, for a request that asks for it, an upgrade of the connection to an echo
// tunnel. Echo mode writes back every byte it reads (L4 tests, `nodrop load tcp://`). Refusal is a
// socket that is bound but does not listen (live::bind_refusing_port).
//
// Requests are framed by src/http (parse_request_head, BodyDecoder), as strictly as the proxy
// frames them: keep-alive, pipelining (answers leave in the order the requests came), Content-
// Length and chunked bodies. A request whose connection may not carry another (Connection: close,
// HTTP/1.0) is answered with Connection: close and the connection closed after the answer.
//
// Bounds: kMaxConnections connections (further ones are accepted and closed at once); heads up to
// kMaxHeadBytes and kMaxHeaderFields (beyond: 431 and close), bodies up to kMaxBodyBytes (beyond:
// 413 and close); malformed framing is answered 400 and the connection closed. In echo mode the
// first kReceivedKeptBytes bytes received (over all connections) are kept for tests to read.
//
// Threading: the server runs on the loop it was started on, or on a loop and thread of its own
// (start_on_own_thread), and calls its cue there. The counters and the kept bytes may be read from
// any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/ipv4.h"
#include "base/status.h"
#include "http/message.h"
#include "live/file_descriptor.h"
#include "live/loop/epoll_loop.h"
#include "live/loop/thread.h"
#include "live/sockets/tcp.h"

namespace nodrop::live {

class LoopbackServer {
 public:
  enum class Mode { kHttp, kEcho };

  struct Request {
    std::uint64_t number = 0;  // across all connections, from 0
    Ipv4Endpoint peer;         // the client's address as this server sees it
    std::string_view method;
    std::string_view target;
    std::string_view body;  // as framed: chunked coding (extensions, trailers) included
    bool body_is_chunked = false;
    bool wants_upgrade = false;  // Connection: upgrade and an Upgrade field
  };

  struct Cue {
    enum class Action {
      kAnswer,         // answer with status and body after delay
      kStall,          // never answer; the requests behind it wait too, until the client closes
      kReset,          // reset the connection (RST) instead of answering
      kTruncate,       // send the head and half the body, then close
      kClose,          // close the connection (FIN) without a byte of answer
      kGarbage,        // answer with bytes that are not HTTP, then close
      kUpgradeToEcho,  // 101 Switching Protocols, then echo every byte back
    };
    Action action = Action::kAnswer;
    int status = 200;
    runtime::Duration delay = runtime::Duration::zero();
    std::string body = "nodrop loopback server\n";
    // How the body is framed: Content-Length, or Transfer-Encoding: chunked with body already in
    // chunked coding (so that a test can send extensions and trailers).
    bool body_is_chunked = false;
    // Header fields added to the answer's head, each ending in CRLF ("Content-Type: x\r\n").
    std::string extra_fields{};
  };
  using CueFunction = std::function<Cue(const Request& request)>;

  static constexpr std::size_t kMaxConnections = 16 * std::size_t{1024};
  static constexpr std::size_t kMaxHeadBytes = 64 * std::size_t{1024};
  static constexpr std::size_t kMaxHeaderFields = 1000;
  static constexpr std::size_t kMaxBodyBytes = 64 * std::size_t{1024} * 1024;
  static constexpr std::size_t kReceivedKeptBytes = 4 * std::size_t{1024};

  // Listens on endpoint (port 0 for any) and serves on loop. A null cue answers every request 200.
  static Result<std::unique_ptr<LoopbackServer>> start(EpollLoop& loop,
                                                       const Ipv4Endpoint& endpoint, Mode mode,
                                                       CueFunction cue);
  // The same on a loop and thread of its own, for tests whose clients block.
  static Result<std::unique_ptr<LoopbackServer>> start_on_own_thread(const Ipv4Endpoint& endpoint,
                                                                     Mode mode, CueFunction cue);
  // Closes every connection and the listener (the port then refuses); on its own thread, stops
  // and joins that thread first.
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  const Ipv4Endpoint& endpoint() const { return endpoint_; }
  std::uint64_t requests_received() const { return requests_.load(std::memory_order_relaxed); }
  std::uint64_t connections_accepted() const { return accepted_.load(std::memory_order_relaxed); }
  // The head of the last request received, as it arrived.
  std::string last_request_head() const;
  // Echo mode: the first kReceivedKeptBytes bytes received, over all connections.
  std::string received() const;

 private:
  struct Connection {
    FileDescriptor socket;
    Ipv4Endpoint peer;
    WatchId watch = 0;
    std::string input;
    std::string output;
    http::HeadScanner scanner;
    bool close_after_output = false;
    bool watching_writable = false;
    bool stalled = false;   // a stalled request blocks the requests behind it
    bool upgraded = false;  // an echo tunnel since a kUpgradeToEcho
    std::uint32_t delayed_answers = 0;
  };

  LoopbackServer(EpollLoop& loop, Listener listener, Mode mode, CueFunction cue);
  void close_everything();
  void on_accept();
  void on_event(std::uint64_t id, std::uint32_t events);
  void serve_requests(std::uint64_t id);
  // Takes the cue for the request at the front of connection's input, which ends after
  // request_bytes. False when the connection stops serving requests for now.
  bool act_on(std::uint64_t id, Connection& connection, const http::RequestHead& head,
              std::size_t request_bytes, std::size_t body_bytes);
  // How an answer is sent.
  struct Delivery {
    bool head_only = false;  // the answer to a HEAD request: no body
    bool then_close = false;
    bool cut_in_half = false;  // half the body, then close
  };
  void answer(std::uint64_t id, const Cue& cue, Delivery delivery);
  // Answers status to what cannot be served, and closes.
  void refuse(std::uint64_t id, int status);
  void echo(std::uint64_t id, std::string_view bytes);
  void flush(std::uint64_t id);
  enum class Ending { kFin, kReset };
  void close_connection(std::uint64_t id, Ending ending);

  // Only for start_on_own_thread(): declared first, so that they outlive the members that use
  // them.
  std::unique_ptr<EpollLoop> own_loop_;
  std::unique_ptr<Thread> own_thread_;

  EpollLoop& loop_;
  FileDescriptor listener_;
  Ipv4Endpoint endpoint_;
  WatchId listener_watch_ = 0;
  Mode mode_;
  CueFunction cue_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, Connection> connections_;
  std::unordered_map<runtime::TimerId, bool> timers_;  // pending delayed answers
  std::string read_buffer_;
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> accepted_{0};
  mutable std::mutex kept_mutex_;
  std::string last_request_head_;  // guarded by kept_mutex_
  std::string received_;           // guarded by kept_mutex_
};

}  // namespace nodrop::live
