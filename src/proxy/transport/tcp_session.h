// One client connection of the L4 (TCP) proxy. Each direction starts by copying: recv() into a
// small buffer and send() at once, which for the short messages of request/response protocols
// costs less than splice(), whose every byte passes a kernel pipe in two calls. The first read
// that fills the buffer shows a bulk transfer, and that direction switches to splice() through
// its kernel pipe for good (zero-copy); bytes copied but not yet sent go out first.
//
//   kPicking/kHolding ──► kConnecting ──► kForwarding ──both directions finished──► closed
//
// Each direction ends with the sender's FIN, which is passed on with shutdown(SHUT_WR) once the
// direction holds no bytes (half-close); the connection closes when both have ended, on a reset
// from either side, after idle_timeout of silence, or at the drain deadline once its endpoint has
// left the table. Connect failures are retried on another endpoint per RetryPolicy (no byte has
// been sent). With proxy_protocol_v2, a PROXY v2 header carrying the client's address precedes the
// client's bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "live/file_descriptor.h"
#include "live/loop/epoll_loop.h"
#include "live/sockets/splice.h"
#include "live/sockets/tcp.h"
#include "proxy/routing/hold_queue.h"
#include "proxy/transport/session.h"

namespace nodrop::proxy {

class Worker;

// The PROXY protocol v2 header (haproxy's proxy-protocol.txt §2.2) for a TCP over IPv4
// connection from client to proxy: 28 bytes.
std::string proxy_protocol_v2_header(const Ipv4Endpoint& client, const Ipv4Endpoint& proxy);

class TcpSession final : public Session {
 public:
  TcpSession(Worker& worker, live::FileDescriptor client, Ipv4Endpoint peer);
  ~TcpSession() override;

  void start() override;

  void on_sweep(runtime::Time now) override;
  void on_table_changed(const EndpointTable& table) override;
  void on_drain() override;
  void close_now() override;
  void add_sends(live::SendBatch& batch, std::uint64_t tag_base) override;
  void on_sent(SendSide side, long result) override;
  void after_flush() override;

 private:
  enum class Phase { kHolding, kConnecting, kForwarding };

  // One direction: from -> (copy buffer, then pipe once bulk) -> to.
  struct Direction {
    live::SplicePipe pipe;
    std::size_t in_pipe = 0;
    std::string unsent;  // copied bytes the receiver has not taken yet; at most kCopyChunkBytes
    bool bulk = false;   // a read filled the copy buffer: splice from now on
    bool eof = false;    // the sender's FIN has been read
    bool shut = false;   // passed on to the receiver

    bool holds_bytes() const { return in_pipe > 0 || !unsent.empty(); }
    bool has_room() const { return unsent.empty() && in_pipe < live::kSplicePipeCapacity; }
  };

  void pick_and_connect();
  void on_connected();
  // A connect to upstream_address_ failed with connect_outcome: another endpoint if the retry
  // policy allows, else the client's connection closes.
  void retry_or_fail(live::IoOutcome connect_outcome);
  void on_client_events(std::uint32_t events);
  void on_upstream_events(std::uint32_t events);
  // Moves what the readiness events of each socket allow; events 0 means "not signalled".
  void pump(std::uint32_t client_events, std::uint32_t upstream_events);
  // Moves bytes one way; false when the session had to close.
  bool move(Direction& direction, int from, int to, bool count_to_endpoint, bool may_read,
            bool may_write);
  // The two ways move() reads: recv()+send() through a buffer, or splice() through the pipe.
  // Each returns false when the session had to close, and sets active when bytes moved.
  bool copy(Direction& direction, int from, int to, bool count_to_endpoint, bool& active);
  bool splice(Direction& direction, int from, int to, bool count_to_endpoint, bool may_read,
              bool may_write, bool& active);
  // Sends direction.unsent; false when the session had to close.
  bool send_unsent(Direction& direction, int to, bool count_to_endpoint, bool& active);
  void count_sent(std::size_t bytes, bool count_to_endpoint);
  // Whether the direction may read more: queued bytes leave at the next flush, before the
  // next read, so they do not stop reading (which would cost two epoll_ctl per message).
  bool may_fill(const Direction& direction) const;
  void update_interest();
  void set_interest(int fd, live::WatchId& watch, std::uint32_t& current, std::uint32_t interest,
                    bool upstream);
  void close();

  Worker& worker_;
  live::FileDescriptor client_;
  Ipv4Endpoint peer_;
  live::WatchId client_watch_ = 0;
  std::uint32_t client_interest_ = 0;
  live::FileDescriptor upstream_;
  live::WatchId upstream_watch_ = 0;
  std::uint32_t upstream_interest_ = 0;
  Ipv4Endpoint upstream_address_;
  std::shared_ptr<EndpointCounters> counters_;
  Phase phase_ = Phase::kConnecting;
  Direction to_upstream_;
  Direction to_client_;
  std::string header_;  // PROXY v2 bytes not yet written
  int attempts_ = 0;
  std::vector<Ipv4Endpoint> tried_;
  std::optional<HoldTicket> hold_ticket_;
  runtime::Time deadline_ = runtime::Time::max();
  runtime::Time drain_deadline_ = runtime::Time::max();
  bool closed_ = false;
};

}  // namespace nodrop::proxy
