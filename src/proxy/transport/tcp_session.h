// One client connection of the L4 (TCP) proxy. Each direction starts by copying: recv() into a
// small buffer and send() at once, which for the short messages of request/response protocols
// costs less than splice(), whose every byte passes a kernel pipe in two calls. The first read
// that fills the buffer shows a bulk transfer, and that direction switches to splice() through
// its kernel pipe for good (zero-copy); bytes copied but not yet sent go out first.
//
//   kConnecting ──connected──► kForwarding ──both directions ended──► closed
//     ▲   │ refused: another endpoint (RetryPolicy), or closed
//     │   └──► kConnecting
//   kHolding (none pickable: the hold queue, or closed)
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
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "live/file_descriptor.h"
#include "live/loop/epoll_loop.h"
#include "live/sockets/splice.h"
#include "live/sockets/tcp.h"
#include "proxy/transport/session.h"

namespace nodrop::proxy {

// The PROXY protocol v2 header (haproxy's proxy-protocol.txt §2.2) for a TCP over IPv4
// connection from client to proxy: 28 bytes.
std::string proxy_protocol_v2_header(const Ipv4Endpoint& client, const Ipv4Endpoint& proxy);

class TcpSession final : public Session {
 public:
  TcpSession(SessionHost& host, live::FileDescriptor client, Ipv4Endpoint peer);
  ~TcpSession() override;

  void start() override;
  void on_drain() override;
  void add_sends(live::SendBatch& batch, std::uint64_t tag_base) override;
  void on_sent(SendSide side, long result) override;

 private:
  enum class Phase {
    kHolding,  // waiting in the hold queue for an endpoint
    kDropped,  // no endpoint and NoEndpointAction::kDrop: left unanswered until idle_timeout
    kConnecting,
    kForwarding,
  };

  // One direction: from -> (copy buffer, then pipe once bulk) -> to.
  struct Direction {
    enum class Transfer {
      kCopy,    // recv() into a buffer and send() at once
      kSplice,  // a read filled the copy buffer (a bulk transfer): splice() from now on
    };
    enum class End {
      kOpen,
      kFinRead,    // the sender's FIN has been read; bytes may still be on their way on
      kFinPassed,  // and passed on to the receiver (shutdown)
    };

    explicit Direction(SendSide direction_side) : side(direction_side) {}
    bool holds_bytes() const { return in_pipe > 0 || !unsent.empty(); }
    bool fin_read() const { return end != End::kOpen; }

    const SendSide side;  // kToUpstream: client to endpoint; kToClient: endpoint to client
    live::SplicePipe pipe;
    std::size_t in_pipe = 0;
    std::string unsent;  // copied bytes the receiver has not taken yet; at most kCopyChunkBytes
    Transfer transfer = Transfer::kCopy;
    End end = End::kOpen;
  };
  // What the readiness events allow on a direction: a call that would find nothing costs a
  // syscall, and L4 throughput is mostly syscalls.
  struct Readiness {
    bool may_read = false;
    bool may_write = false;
  };

  void pick_and_connect();
  // No endpoint, and NoEndpointAction::kDrop.
  void drop();
  void discard_client_bytes();
  void on_connected();
  // A connect to upstream_address_ failed with connect_outcome: another endpoint if the retry
  // policy allows, else the client's connection closes.
  void retry_or_fail(live::IoOutcome connect_outcome);
  void on_client_events(std::uint32_t events) override;
  void on_upstream_events(std::uint32_t events);
  void after_flush() override;
  // Moves what the readiness events of each socket allow; events 0 means "not signalled".
  void pump(std::uint32_t client_events, std::uint32_t upstream_events);
  // Moves bytes one way; false when the session had to close.
  bool move(Direction& direction, Readiness readiness);
  // The two ways move() reads: recv()+send() through a buffer, or splice() through the pipe.
  // Each returns false when the session had to close, and sets active when bytes moved.
  bool copy(Direction& direction, bool& active);
  bool splice(Direction& direction, Readiness readiness, bool& active);
  // Sends direction.unsent; false when the session had to close.
  bool send_unsent(Direction& direction, bool& active);
  void count_sent(const Direction& direction, std::size_t bytes);
  int sender_fd(const Direction& direction) const;
  int receiver_fd(const Direction& direction) const;
  // Whether the direction may read more: queued bytes leave at the next flush, before the
  // next read, so they do not stop reading (which would cost two epoll_ctl per message).
  bool may_fill(const Direction& direction) const;
  void update_interest();
  void set_upstream_interest(std::uint32_t interest);

  // Session
  void on_deadline() override;
  const Ipv4Endpoint* tied_endpoint() const override;
  void release() override;
  void reset_upstream() override;

  live::FileDescriptor upstream_;
  live::FdWatch upstream_watch_;
  Ipv4Endpoint upstream_address_;
  std::shared_ptr<EndpointCounters> counters_;
  Phase phase_ = Phase::kConnecting;
  Direction to_upstream_{kToUpstream};
  Direction to_client_{kToClient};
  std::string header_;  // PROXY v2 bytes not yet written
  int attempts_ = 0;
  std::vector<Ipv4Endpoint> tried_;
};

}  // namespace nodrop::proxy
