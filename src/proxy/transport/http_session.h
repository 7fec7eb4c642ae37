// One client connection of the HTTP/1.1 reverse proxy.
//
// Life of a connection (Phase):
//
//   kReadingHead ──head──► kConnecting ──connected──► kExchanging ──response done──► kReadingHead
//        │                   ▲   │ refused/timeout: retry elsewhere (RetryPolicy) or 502/504      │
//        │   no endpoint:    │   ▼                                                               │
//        └──► kHolding ──────┘  kClosing ◄── error response, Connection: close, drain ◄─────────┘
//                                 (flush, FIN, read until the client's FIN or linger timeout)
//   kExchanging ──101 Switching Protocols──► kTunnel (bytes both ways, half-close kept)
//
// One request is in flight at a time; pipelined requests wait in the client buffer (bounded) and
// are taken in order once the response before them has been sent. Bodies stream both ways through
// fixed buffers; a full buffer stops reading from its producer.
//
// Retries (RetryPolicy): a failure before the endpoint sent a response byte is retried on another
// endpoint when the policy says so and the request can be replayed: always for connect failures
// (no body byte has left the client buffer yet), otherwise only for requests without a body.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"
#include "live/file_descriptor.h"
#include "proxy/routing/hold_queue.h"
#include "proxy/routing/retry_policy.h"
#include "proxy/transport/byte_buffer.h"
#include "proxy/transport/proxy_metrics.h"
#include "proxy/transport/session.h"
#include "proxy/transport/upstream_pool.h"

namespace nodrop::proxy {

class Worker;

class HttpSession final : public Session, private UpstreamOwner {
 public:
  HttpSession(Worker& worker, live::FileDescriptor client, Ipv4Endpoint peer);
  ~HttpSession() override;

  void start() override;

  void on_sweep(runtime::Time now) override;
  void on_table_changed(const EndpointTable& table) override;
  void on_drain() override;
  void close_now() override;

 private:
  enum class Phase { kReadingHead, kHolding, kConnecting, kExchanging, kTunnel, kClosing };

  void on_client_events(std::uint32_t events);
  void on_upstream_events(std::uint32_t events) override;
  void add_sends(live::SendBatch& batch, std::uint64_t tag_base) override;
  void on_sent(SendSide side, long result) override;
  void after_flush() override;

  // Makes every step that the buffers allow, then flushes and updates the watched events.
  void advance();
  bool try_start_request();
  void pick_and_connect();
  void attach_upstream(std::unique_ptr<UpstreamConnection> upstream);
  void start_exchange();
  bool pump_exchange();
  bool parse_response_head();
  bool pump_tunnel();
  void finish_exchange();
  void on_upstream_failure(UpstreamFailure failure);
  void release_upstream(bool reusable);
  void respond_error(int status, ProxyError error, const std::string& reason);
  void start_closing();
  void close();
  void release_idle_memory();

  void read_client();
  bool may_send_upstream() const;
  void flush_client();
  void read_upstream();
  void flush_upstream();
  void update_interest();
  void set_client_interest(std::uint32_t interest);
  // Write into reused strings, so a request costs no allocation once a connection is warm.
  void build_upstream_head(const http::RequestHead& head, std::string* out) const;
  void build_client_head(const http::ResponseHead& head, bool keep_alive, std::string* out) const;

  Worker& worker_;
  live::FileDescriptor client_;
  std::string client_address_;
  live::WatchId client_watch_ = 0;
  std::uint32_t client_interest_ = 0;
  ByteBuffer client_in_;
  ByteBuffer client_out_;
  bool client_eof_ = false;
  bool client_shut_ = false;  // our FIN has been sent (kClosing)

  Phase phase_ = Phase::kReadingHead;
  runtime::Time deadline_ = runtime::Time::max();
  runtime::Time drain_deadline_ = runtime::Time::max();  // a tunnel to an endpoint that left
  bool head_deadline_armed_ = false;
  bool closed_ = false;

  // The request in flight.
  http::HeadScanner request_scanner_;
  http::RequestHead request_head_;    // views into client_in_, valid until it is consumed
  http::ResponseHead response_head_;  // views into upstream_in_, likewise
  std::string scratch_;               // the client-side response head being built
  std::string upstream_head_;         // the rewritten request head, kept for retries
  std::string method_;
  int request_minor_version_ = 1;
  bool request_keep_alive_ = false;
  bool client_asked_close_ = false;  // Connection: close, or HTTP/1.0 without keep-alive
  bool request_must_close_ = false;  // faulty framing: neither connection carries another message
  bool request_has_body_ = false;
  bool wants_upgrade_ = false;
  http::BodyDecoder request_body_;
  bool request_done_ = false;
  runtime::Time request_start_{};
  int attempts_ = 0;
  bool retried_after_send_ = false;
  std::vector<Ipv4Endpoint> tried_;
  std::optional<HoldTicket> hold_ticket_;

  // The upstream side.
  std::unique_ptr<UpstreamConnection> upstream_;
  bool upstream_reused_ = false;
  bool upstream_eof_ = false;
  bool upstream_reset_ = false;
  bool upstream_shut_ = false;
  bool in_flight_counted_ = false;
  ByteBuffer upstream_in_;
  ByteBuffer upstream_out_;
  http::HeadScanner response_scanner_;
  bool response_started_ = false;  // a byte of the final response head reached client_out_
  bool response_head_done_ = false;
  bool response_keep_alive_ = false;
  http::BodyDecoder response_body_;
  bool response_done_ = false;
  int response_status_ = 0;
};

}  // namespace nodrop::proxy
