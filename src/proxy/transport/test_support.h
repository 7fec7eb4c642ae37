// Test support (header only, included by the proxy's tests): backends, each a live::LoopbackServer
// on a thread of its own whose answer is chosen by the request path, and a blocking HTTP client.
//
//   /            200, body "<name>"                   /echo      200, the request's body as framed
//   /chunked     200, chunked body of 3 chunks        /big/N     200, N bytes of 'x'
//   /slow/MS     200 after MS milliseconds            /hang      never answers
//   /close-mid   promises 1000 bytes, sends 500, FIN  /reset     RST without answering
//   /close       FIN without answering                /peer      200, the client address seen
//   Upgrade: websocket   101, then echoes every byte back (a stand-in for a WebSocket echo)
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/ipv4.h"
#include "live/sockets/blocking_client.h"
#include "live/sockets/loopback_server.h"

namespace nodrop::proxy::testing {

inline constexpr Ipv4Address kLoopback = Ipv4Address::loopback();
inline constexpr std::chrono::milliseconds kClientTimeout{10000};

using Cue = live::LoopbackServer::Cue;

inline Cue answer_by_path(const std::string& name, const live::LoopbackServer::Request& request) {
  Cue cue;
  cue.body = name;
  const std::string_view target = request.target;
  if (request.wants_upgrade) {
    cue.action = Cue::Action::kUpgradeToEcho;
  } else if (target == "/hang") {
    cue.action = Cue::Action::kStall;
  } else if (target == "/reset") {
    cue.action = Cue::Action::kReset;
  } else if (target == "/close") {
    cue.action = Cue::Action::kClose;
  } else if (target == "/close-mid") {
    cue.action = Cue::Action::kTruncate;
    cue.body = std::string(1000, 'x');
  } else if (target == "/chunked") {
    cue.body = "5\r\nhello\r\n1;ext=1\r\n,\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
    cue.body_is_chunked = true;
  } else if (target.starts_with("/slow/")) {
    cue.delay = std::chrono::milliseconds(std::stoi(std::string(target.substr(6))));
  } else if (target.starts_with("/big/")) {
    cue.body = std::string(std::stoul(std::string(target.substr(5))), 'x');
  } else if (target == "/peer") {
    cue.body = request.peer.to_string();
  } else if (target == "/echo") {
    cue.body = request.body;
    cue.body_is_chunked = request.body_is_chunked;
  }
  return cue;
}

class TestBackend {
 public:
  enum class Kind { kHttp, kTcpEcho };

  explicit TestBackend(std::string name, Kind kind = Kind::kHttp) {
    live::LoopbackServer::CueFunction cue =
        [name = std::move(name)](const live::LoopbackServer::Request& request) {
          return answer_by_path(name, request);
        };
    server_ = std::move(live::LoopbackServer::start_on_own_thread(
                            {kLoopback, 0},
                            kind == Kind::kHttp ? live::LoopbackServer::Mode::kHttp
                                                : live::LoopbackServer::Mode::kEcho,
                            std::move(cue))
                            .value());
  }

  Ipv4Endpoint address() const { return server_->endpoint(); }
  std::uint64_t requests() const { return server_->requests_received(); }
  // kTcpEcho: the first bytes received on any connection (up to 4 KiB).
  std::string received() const { return server_->received(); }
  std::string last_head() const { return server_->last_request_head(); }

 private:
  std::unique_ptr<live::LoopbackServer> server_;  // destroyed: the port refuses
};

inline Result<live::BlockingClient> connect_to(std::uint16_t port,
                                               std::optional<Ipv4Address> source = std::nullopt) {
  return live::BlockingClient::connect({kLoopback, port}, kClientTimeout, source);
}

// One request on a new connection.
inline Result<live::HttpResponse> fetch(std::uint16_t port, const std::string& request) {
  auto client = connect_to(port);
  if (!client.is_ok()) return client.status();
  if (Status sent = client->send_all(request); !sent.is_ok()) return sent;
  return client->read_http_response();
}

inline std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

}  // namespace nodrop::proxy::testing
