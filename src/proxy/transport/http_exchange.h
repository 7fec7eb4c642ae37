// One request and its response on an HTTP session: from the request's head to the end of its
// response, forwarded to one endpoint at a time (another one on each retry). The session (the
// client's connection) decides what happens and when; the exchange holds what belongs to the
// request and its response and moves their bytes:
//
//   - the request's facts, read once from its head, and its head rewritten for the endpoint;
//   - the upstream connection with its two buffers, and how its input ended;
//   - the body framing of both directions (http::BodyDecoder) and how far each has come;
//   - the record of attempts that the retry policy decides on.
//
//   Stage:   kConnecting ──connected──► kStreaming ──101──► kTunnel
//              ▲     │ failed, retried       request:  kBody ──► kComplete
//              │     └──► kConnecting        response: kAwaitingHead ──► kBody ──► kComplete
//            kHolding (none pickable)
//
// Bodies stream through fixed buffers; a full buffer stops reading from its producer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/ipv4.h"
#include "http/message.h"
#include "live/sockets/send_batch.h"
#include "proxy/routing/retry_policy.h"
#include "proxy/transport/byte_buffer.h"
#include "proxy/transport/session.h"
#include "proxy/transport/upstream_pool.h"
#include "runtime/clock.h"

namespace nodrop::proxy {

class HttpExchange {
 public:
  enum class Stage {
    kHolding,     // no endpoint was pickable: waiting in the hold queue
    kConnecting,  // to the endpoint picked
    kStreaming,   // the request goes up and the response comes down
    kTunnel,      // after 101 Switching Protocols: bytes both ways until each side's FIN
  };
  enum class RequestProgress { kBody, kComplete };
  enum class ResponseProgress {
    kAwaitingHead,  // no byte of the final response has reached the client buffer
    kBody,
    kComplete,
  };
  enum class UpstreamInput {
    kOpen,
    kEnded,  // the endpoint's FIN was read
    kReset,  // the connection failed: reset, or a write to it failed
  };

  // Read once from the request's head.
  struct RequestFacts {
    std::string method;
    int minor_version = 1;
    bool client_asked_close = false;  // Connection: close, or HTTP/1.0 without keep-alive
    bool must_close = false;  // faulty framing: neither connection may carry another message
    bool has_body = false;
    bool wants_upgrade = false;
  };

  // What reading the response's head came to.
  enum class HeadStep {
    kIncomplete,        // more bytes are needed
    kNoRoom,            // the client buffer cannot take the head yet
    kInterimPassed,     // a 1xx (100 Continue, 103 Early Hints) went to the client as it was
    kFinalPassed,       // the final head went to the client; the body follows
    kSwitched,          // 101 Switching Protocols went to the client: the exchange is a tunnel
    kClosedBeforeAny,   // the endpoint closed without a byte of response
    kClosedInsideHead,  // ... in the middle of the head
    kTooLarge,
    kMalformed,
    kUnaskedSwitch,  // 101 to a request that asked for no upgrade
  };
  // What moving a body came to.
  struct BodyStep {
    bool moved = false;   // bytes went from one buffer to the other
    bool broken = false;  // the framing is malformed, or the sender stopped inside the body
  };

  explicit HttpExchange(SessionHost& host);
  ~HttpExchange();  // the upstream connection, if any, closes
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  // A new request: its facts from head, its head rewritten for the endpoint (client: the address
  // X-Forwarded-For names), its body framing, a fresh record of attempts. The head's bytes stay in
  // the client's buffer, for the session to consume.
  void begin(const http::RequestHead& head, Ipv4Address client, const http::Limits& limits,
             runtime::Time now);
  const RequestFacts& request() const { return request_; }
  runtime::Time started_at() const { return started_at_; }
  Stage stage() const { return stage_; }
  RequestProgress request_progress() const { return request_progress_; }
  ResponseProgress response_progress() const { return response_progress_; }
  bool response_started() const { return response_progress_ != ResponseProgress::kAwaitingHead; }
  int response_status() const { return response_status_; }
  // Whether the client's connection may carry another request after this exchange, and whether
  // the upstream connection may go back to the pool.
  bool client_may_continue() const { return client_may_continue_; }
  bool upstream_may_continue() const { return upstream_may_continue_; }
  // The rest of the request body will not be forwarded (the endpoint answered before it ended, or
  // stopped taking it once its response had started): neither connection carries another
  // request, as the two sides no longer agree where the next one would begin.
  void end_request_early();

  // Attempts: the endpoints tried so far, and what the retry policy decides on.
  void wait_for_endpoint() { stage_ = Stage::kHolding; }
  void note_attempt() { ++attempts_; }
  void note_tried(const Ipv4Endpoint& endpoint) { tried_.push_back(endpoint); }
  const std::vector<Ipv4Endpoint>& tried() const { return tried_; }
  // Whether a failure of the current attempt is retried elsewhere: the response has not started,
  // the request can be replayed (nothing of a body was taken yet, or there is no body), and the
  // policy says so. A retry is then recorded.
  bool retry_after(UpstreamFailure failure, const RetryPolicy& policy);

  // The upstream connection.
  // Attaches a connection (connecting, or connected and idle from the pool) to `owner`.
  void attach(std::unique_ptr<UpstreamConnection> upstream, UpstreamOwner* owner);
  UpstreamConnection* upstream() { return upstream_.get(); }
  const UpstreamConnection* upstream() const { return upstream_.get(); }
  UpstreamInput upstream_input() const { return upstream_input_; }
  // Connected: the request is in flight at the endpoint, its head goes out first.
  void start_streaming();
  // Whether the upstream connection may carry the next request: the response ended cleanly and
  // nothing is left in either direction.
  bool upstream_reusable() const;
  // Gives the connection back to the pool when reusable, else closes it; the endpoint's
  // in-flight count drops.
  void release_upstream(bool reusable);
  void close_upstream() { release_upstream(/*reusable=*/false); }
  bool upstream_has_bytes_to_send() const {
    return upstream_ && !upstream_out_.empty() &&
           (stage_ == Stage::kStreaming || stage_ == Stage::kTunnel);
  }
  // Reads what the endpoint sent; true when bytes arrived.
  bool read_upstream();
  // Writes what waits for the endpoint; false when the connection failed.
  bool write_upstream();
  // A write to the endpoint failed before the response started: a response it sent before
  // failing may still be read, and counts; nothing more goes to it.
  void upstream_write_failed();
  void add_upstream_send(live::SendBatch& batch, std::uint64_t tag);
  void on_upstream_sent(std::size_t bytes);
  // The events to watch the upstream connection for.
  std::uint32_t upstream_interest(bool sends_queued) const;

  // Moving bytes.
  // Request body bytes from the client's buffer to the endpoint's, as far as they go.
  BodyStep forward_request_body(ByteBuffer& client_in);
  // Reads the response's head, and passes it on rewritten for the client.
  HeadStep pass_response_head(ByteBuffer& client_out);
  // Response body bytes from the endpoint's buffer to the client's, as far as they go.
  // Broken also when the endpoint closed before the body's end (a body without length ends
  // there: complete).
  BodyStep forward_response_body(ByteBuffer& client_out);
  // In a tunnel: bytes both ways, each returning whether anything happened. The endpoint learns
  // of the client's FIN (once the client's input ended) when every byte before it is sent.
  bool tunnel_to_upstream(ByteBuffer& client_in, bool client_input_ended);
  bool tunnel_to_client(ByteBuffer& client_out);
  bool upstream_shut() const { return upstream_shut_; }
  // The endpoint's input ended and every byte of it has been passed on.
  bool upstream_input_drained() const;

  // What a request reuses, kept while requests follow each other so that a warm connection costs
  // no allocation per request; an idle one gives it back.
  void release_idle_memory();
  // Gives the buffers' storage back to the pool when they are empty.
  void release_empty_buffers();

 private:
  void build_upstream_head(const http::RequestHead& head, Ipv4Address client);
  void build_client_head(const http::ResponseHead& head, bool keep_alive);

  // Whether the endpoint's counters count this request as in flight.
  bool in_flight() const;

  SessionHost& host_;
  Stage stage_ = Stage::kHolding;
  runtime::Time started_at_{};

  // The request.
  RequestFacts request_;
  RequestProgress request_progress_ = RequestProgress::kComplete;
  http::BodyDecoder request_body_;
  std::string upstream_head_;  // the rewritten request head, kept for retries
  bool client_may_continue_ = false;

  // Attempts.
  int attempts_ = 0;
  bool retried_after_send_ = false;
  std::vector<Ipv4Endpoint> tried_;

  // The upstream side.
  std::unique_ptr<UpstreamConnection> upstream_;
  UpstreamInput upstream_input_ = UpstreamInput::kOpen;
  bool upstream_shut_ = false;  // a tunnel passed the client's FIN on
  ByteBuffer upstream_in_;
  ByteBuffer upstream_out_;

  // The response.
  ResponseProgress response_progress_ = ResponseProgress::kAwaitingHead;
  http::HeadScanner response_scanner_;
  http::ResponseHead response_head_;  // views into upstream_in_, valid until it is consumed
  std::string client_head_;           // the response head rewritten for the client
  http::BodyDecoder response_body_;
  int response_status_ = 0;
  bool upstream_may_continue_ = false;
};

}  // namespace nodrop::proxy
