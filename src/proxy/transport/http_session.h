// One client connection of the HTTP/1.1 reverse proxy: the client's side of it (its socket, its
// two buffers, how each direction ended) and what happens next. Each request and its response is
// an HttpExchange (http_exchange.h), which owns the upstream side.
//
//   kIdle ──first byte──► kReadingHead ──head──► kExchanging ──response done, keep-alive──► kIdle
//     │ idle timeout:          │ bad head or         │ (HttpExchange: holding, connecting,
//     ▼ closed                 ▼ header timeout: 4xx │  streaming, or a tunnel after 101)
//                          kClosing ◄── error response, Connection: close, drain ◄──┘
//                  (flush, FIN, read until the client's FIN or the linger timeout)
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
#include <string>

#include "http/message.h"
#include "live/file_descriptor.h"
#include "proxy/transport/byte_buffer.h"
#include "proxy/transport/http_exchange.h"
#include "proxy/transport/proxy_metrics.h"
#include "proxy/transport/session.h"
#include "proxy/transport/upstream_pool.h"

namespace nodrop::proxy {

class HttpSession final : public Session, private UpstreamOwner {
 public:
  HttpSession(SessionHost& host, live::FileDescriptor client, Ipv4Endpoint peer);
  ~HttpSession() override;

  void start() override;
  void on_drain() override;
  void add_sends(live::SendBatch& batch, std::uint64_t tag_base) override;
  void on_sent(SendSide side, long result) override;

 private:
  enum class State {
    kIdle,         // waiting for a request's first byte (the idle timeout runs)
    kReadingHead,  // a request's head is arriving (the header timeout runs from its first byte)
    kExchanging,   // a request is being forwarded: exchange_.stage() says how far
    kClosing,      // the last response is out or going out: then FIN, and read until the client's
  };

  void on_client_events(std::uint32_t events) override;
  void on_upstream_events(std::uint32_t events) override;
  void after_flush() override;

  // Makes every step that the buffers allow, then flushes and updates the watched events.
  void advance();
  bool try_start_request();
  void pick_and_connect();
  void start_streaming();
  bool pump_exchange();
  // Passes the response head on; false when it made no progress.
  bool pass_response_head();
  bool pump_tunnel();
  void finish_exchange();
  void on_upstream_failure(UpstreamFailure failure);
  void respond_error(int status, ProxyError error, const std::string& reason);
  void start_closing();
  void linger_or_close();

  void read_client();
  void flush_client();
  void read_upstream();
  void flush_upstream();
  void update_interest();

  // Session
  void release_when_idle() override;
  void on_deadline() override;
  const Ipv4Endpoint* tied_endpoint() const override;
  void release() override;

  State state_ = State::kIdle;
  ByteBuffer client_in_;
  ByteBuffer client_out_;
  bool client_input_ended_ = false;  // the client's FIN was read
  bool client_shut_ = false;         // our FIN was sent (kClosing, or a tunnel passing it on)
  http::HeadScanner request_scanner_;
  http::RequestHead request_head_;  // views into client_in_; kept for its field list's capacity
  HttpExchange exchange_;
};

}  // namespace nodrop::proxy
