#include "proxy/transport/http_session.h"

#include <algorithm>
#include <array>

#include "live/sockets/tcp.h"
#include "proxy/transport/worker.h"

namespace nodrop::proxy {
namespace {

bool is_connect_failure(UpstreamFailure failure) {
  switch (failure) {
    case UpstreamFailure::kConnectRefused:
    case UpstreamFailure::kConnectReset:
    case UpstreamFailure::kConnectTimeout:
      return true;
    case UpstreamFailure::kClosedBeforeResponse:
    case UpstreamFailure::kResponseTimeout:
    case UpstreamFailure::kClosedMidResponse:
      return false;
  }
  return false;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 414:
      return "URI Too Long";
    case 501:
      return "Not Implemented";
    case 431:
      return "Request Header Fields Too Large";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

// Hop-by-hop fields (RFC 9110 §7.6.1) that the proxy answers for itself on each side.
bool is_hop_by_hop(std::string_view name) {
  return equals_ignoring_case(name, "connection") || equals_ignoring_case(name, "keep-alive") ||
         equals_ignoring_case(name, "proxy-connection") || equals_ignoring_case(name, "te") ||
         equals_ignoring_case(name, "trailer");
}

// Fields by which the proxy frames a request or routes it.
bool is_framing_or_routing(std::string_view name) {
  return equals_ignoring_case(name, "content-length") ||
         equals_ignoring_case(name, "transfer-encoding") || equals_ignoring_case(name, "host");
}

}  // namespace

HttpSession::HttpSession(Worker& worker, live::FileDescriptor client, Ipv4Endpoint peer)
    : worker_(worker),
      client_(std::move(client)),
      client_address_(peer.address.to_string()),
      client_in_(worker.buffers()),
      client_out_(worker.buffers()),
      upstream_in_(worker.buffers()),
      upstream_out_(worker.buffers()) {}

HttpSession::~HttpSession() {
  worker_.forget_send(this);
  if (hold_ticket_) worker_.hold().cancel(*hold_ticket_);
  release_upstream(false);
  if (client_watch_ != 0) worker_.loop().unwatch_before_close(client_watch_);
}

void HttpSession::start() {
  deadline_ = worker_.loop().clock().now() + worker_.options().limits.idle_timeout;
  // Clients send their request right after connecting, so it is usually here already: read at
  // once instead of waiting a loop turn for epoll to say so (advance() then starts watching).
  read_client();
  advance();
}

void HttpSession::set_client_interest(std::uint32_t interest) {
  if (interest == client_interest_) return;
  client_interest_ = interest;
  live::EpollLoop& loop = worker_.loop();
  if (interest == 0) {
    loop.unwatch(client_watch_);
    client_watch_ = 0;
  } else if (client_watch_ == 0) {
    client_watch_ = loop.watch(client_.fd(), interest,
                               [this](std::uint32_t events) { on_client_events(events); });
  } else {
    loop.modify(client_watch_, interest);
  }
}

void HttpSession::on_client_events(std::uint32_t events) {
  if (events & (live::kReadable | live::kHangup)) read_client();
  advance();
}

void HttpSession::on_upstream_events(std::uint32_t events) {
  if (phase_ == Phase::kConnecting) {
    if (events & (live::kWritable | live::kHangup)) {
      // Writable without an error condition means connected; only then is SO_ERROR skipped.
      const live::IoOutcome connected = (events & live::kHangup)
                                            ? live::finish_connect(upstream_->fd()).outcome
                                            : live::IoOutcome::kDone;
      if (connected != live::IoOutcome::kDone) {
        upstream_->counters().connect_failures.fetch_add(1, std::memory_order_relaxed);
        on_upstream_failure(connected == live::IoOutcome::kRefused
                                ? UpstreamFailure::kConnectRefused
                                : UpstreamFailure::kConnectReset);
      } else {
        start_exchange();
      }
    }
    advance();
    return;
  }
  if (events & (live::kReadable | live::kHangup)) read_upstream();
  advance();
}

void HttpSession::read_client() {
  if (closed_ || client_eof_) return;
  char* position = client_in_.write_position();
  const std::size_t space = client_in_.write_space();
  if (space == 0) return;
  const live::IoResult result = live::read_some(client_.fd(), position, space);
  switch (result.outcome) {
    case live::IoOutcome::kDone:
      client_in_.commit(result.bytes);
      worker_.metrics().bytes_from_clients.fetch_add(result.bytes, std::memory_order_relaxed);
      if (phase_ == Phase::kTunnel) {
        deadline_ = worker_.loop().clock().now() + worker_.options().limits.idle_timeout;
      } else if (phase_ == Phase::kExchanging && !request_done_) {
        deadline_ = worker_.loop().clock().now() + worker_.options().limits.response_timeout;
      }
      break;
    case live::IoOutcome::kWouldBlock:
      break;
    case live::IoOutcome::kClosed:
      client_eof_ = true;
      break;
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      // The client reset the connection: nobody is left to answer.
      if (phase_ != Phase::kReadingHead && phase_ != Phase::kClosing) {
        worker_.metrics().count_error(ProxyError::kClientAborted);
      }
      close();
      break;
  }
}

bool HttpSession::may_send_upstream() const {
  return upstream_ && !upstream_out_.empty() &&
         (phase_ == Phase::kExchanging || phase_ == Phase::kTunnel);
}

void HttpSession::add_sends(live::SendBatch& batch, std::uint64_t tag_base) {
  if (closed_) return;
  if (!client_out_.empty()) {
    batch.add(client_.fd(), client_out_.view().data(), client_out_.size(), tag_base | kToClient);
  }
  if (may_send_upstream()) {
    batch.add(upstream_->fd(), upstream_out_.view().data(), upstream_out_.size(),
              tag_base | kToUpstream);
  }
}

void HttpSession::on_sent(SendSide side, long result) {
  // A failed send changes nothing here: carrying on, the session sends again at once and meets
  // the same error (or EAGAIN) where it handles it for a direct send.
  if (closed_ || result <= 0) return;
  const auto bytes = static_cast<std::size_t>(result);
  if (side == kToClient) {
    client_out_.consume(bytes);
    worker_.metrics().bytes_to_clients.fetch_add(bytes, std::memory_order_relaxed);
  } else if (upstream_) {
    upstream_out_.consume(bytes);
    upstream_->counters().bytes_to_endpoint.fetch_add(bytes, std::memory_order_relaxed);
  }
}

void HttpSession::after_flush() { advance(); }

void HttpSession::flush_client() {
  if (!client_out_.empty() && worker_.leave_to_flush(this)) return;
  while (!closed_ && !client_out_.empty()) {
    const live::IoResult result =
        live::write_some(client_.fd(), client_out_.view().data(), client_out_.size());
    switch (result.outcome) {
      case live::IoOutcome::kDone:
        client_out_.consume(result.bytes);
        worker_.metrics().bytes_to_clients.fetch_add(result.bytes, std::memory_order_relaxed);
        break;
      case live::IoOutcome::kWouldBlock:
        return;
      case live::IoOutcome::kClosed:
      case live::IoOutcome::kRefused:
      case live::IoOutcome::kReset:
      case live::IoOutcome::kOutOfResources:
      case live::IoOutcome::kError:
        if (phase_ != Phase::kReadingHead && phase_ != Phase::kClosing) {
          worker_.metrics().count_error(ProxyError::kClientAborted);
        }
        close();
        return;
    }
  }
}

void HttpSession::read_upstream() {
  if (closed_ || !upstream_ || upstream_eof_) return;
  char* position = upstream_in_.write_position();
  const std::size_t space = upstream_in_.write_space();
  if (space == 0) return;
  const live::IoResult result = live::read_some(upstream_->fd(), position, space);
  switch (result.outcome) {
    case live::IoOutcome::kDone:
      upstream_in_.commit(result.bytes);
      upstream_->counters().bytes_from_endpoint.fetch_add(result.bytes, std::memory_order_relaxed);
      deadline_ = worker_.loop().clock().now() + (phase_ == Phase::kTunnel
                                                      ? worker_.options().limits.idle_timeout
                                                      : worker_.options().limits.response_timeout);
      break;
    case live::IoOutcome::kWouldBlock:
      break;
    case live::IoOutcome::kClosed:
      upstream_eof_ = true;
      break;
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      upstream_eof_ = true;
      upstream_reset_ = true;
      break;
  }
}

void HttpSession::flush_upstream() {
  if (may_send_upstream() && worker_.leave_to_flush(this)) return;
  while (!closed_ && may_send_upstream()) {
    const live::IoResult result =
        live::write_some(upstream_->fd(), upstream_out_.view().data(), upstream_out_.size());
    switch (result.outcome) {
      case live::IoOutcome::kDone:
        upstream_out_.consume(result.bytes);
        upstream_->counters().bytes_to_endpoint.fetch_add(result.bytes, std::memory_order_relaxed);
        break;
      case live::IoOutcome::kWouldBlock:
        return;
      case live::IoOutcome::kClosed:
      case live::IoOutcome::kRefused:
      case live::IoOutcome::kReset:
      case live::IoOutcome::kOutOfResources:
      case live::IoOutcome::kError:
        if (phase_ == Phase::kTunnel) {
          close();
        } else if (!response_started_) {
          // Reading may still find a response the endpoint sent before closing: look first.
          read_upstream();
          upstream_out_.clear();
          upstream_eof_ = true;
          upstream_reset_ = true;
        } else {
          // The response has started; the rest of the request body has nowhere to go.
          upstream_out_.clear();
          request_keep_alive_ = false;
          response_keep_alive_ = false;
          request_done_ = true;
        }
        return;
    }
  }
}

void HttpSession::advance() {
  bool progress = true;
  while (progress && !closed_) {
    flush_client();
    flush_upstream();
    if (closed_) return;
    switch (phase_) {
      case Phase::kReadingHead:
        progress = try_start_request();
        break;
      case Phase::kHolding:
      case Phase::kConnecting:
        progress = false;
        break;
      case Phase::kExchanging:
        progress = pump_exchange();
        break;
      case Phase::kTunnel:
        progress = pump_tunnel();
        break;
      case Phase::kClosing:
        progress = false;
        if (!client_out_.empty()) break;
        // A client that asked to close, or has closed its side, sends nothing more, so nothing
        // can turn the close into a reset: close at once (close() sends the FIN; a shutdown()
        // first would be a syscall for nothing).
        if (client_eof_ || client_asked_close_) {
          close();
          return;
        }
        if (!client_shut_) {
          // Lingering close: FIN first, then read until the client's FIN, so that a request the
          // client already sent does not turn our close into a reset that destroys the response.
          live::shutdown_write(client_.fd());
          client_shut_ = true;
          deadline_ = worker_.loop().clock().now() + worker_.options().limits.linger_timeout;
        }
        client_in_.clear();
        break;
    }
  }
  if (closed_) return;
  // Empty buffers go back to the worker's pool: an idle keep-alive connection holds none.
  client_in_.release();
  client_out_.release();
  upstream_in_.release();
  upstream_out_.release();
  update_interest();
}

void HttpSession::update_interest() {
  std::uint32_t client = 0;
  // A client that sent its whole request with "Connection: close" sends nothing more, so while
  // its response is pending or being sent it is not watched for reads: that saves an epoll_ctl
  // per connection (HAProxy does not poll such a client either). If it goes away meanwhile,
  // writing the response finds out, or the response timeout ends the exchange; once the response
  // is out, the session closes without lingering.
  const bool awaits_only_response =
      client_asked_close_ && !wants_upgrade_ &&
      ((phase_ == Phase::kExchanging && request_done_) || phase_ == Phase::kClosing);
  if (!client_eof_ && client_in_.space() > 0 && !awaits_only_response) client |= live::kReadable;
  // Bytes left to the next flush need no writability event: they go out before the loop waits.
  if (!client_out_.empty() && !queued_for_flush()) client |= live::kWritable;
  set_client_interest(client);
  if (!upstream_) return;
  std::uint32_t upstream = 0;
  if (phase_ == Phase::kConnecting) {
    upstream = live::kWritable;
  } else {
    if (!upstream_eof_ && upstream_in_.space() > 0) upstream |= live::kReadable;
    if (!upstream_out_.empty() && !queued_for_flush()) upstream |= live::kWritable;
  }
  upstream_->set_interest(upstream);
}

bool HttpSession::try_start_request() {
  const ProxyLimits& limits = worker_.options().limits;
  http::RequestHead& head = request_head_;  // reused: keeps its field list's capacity
  switch (http::parse_request_head(client_in_.view(), limits.http, request_scanner_, &head)) {
    case http::HeadParse::kIncomplete:
      if (client_eof_) {
        if (!client_in_.empty()) worker_.metrics().count_error(ProxyError::kClientAborted);
        // A client that half-closed after its last request still reads: send what is left of
        // that request's response before closing.
        client_in_.clear();
        start_closing();
        return true;
      } else if (!client_in_.empty() && !head_deadline_armed_) {
        // The header timeout runs from the first byte of the head, not from its last byte, so a
        // client sending one byte at a time (slowloris) is cut off.
        head_deadline_armed_ = true;
        deadline_ = worker_.loop().clock().now() + limits.header_timeout;
      }
      return false;
    case http::HeadParse::kTooLarge:
      respond_error(
          431, ProxyError::kHeadTooLarge,
          "request head exceeds " + std::to_string(limits.http.max_head_bytes) + " bytes");
      return true;
    case http::HeadParse::kTooManyFields:
      respond_error(431, ProxyError::kHeadTooLarge,
                    "request head has more than " + std::to_string(limits.http.max_header_fields) +
                        " fields");
      return true;
    case http::HeadParse::kRequestLineTooLong:
      respond_error(
          414, ProxyError::kHeadTooLarge,
          "request line exceeds " + std::to_string(limits.http.max_request_line_bytes) + " bytes");
      return true;
    case http::HeadParse::kMalformed:
      respond_error(400, ProxyError::kBadRequest, "malformed request head");
      return true;
    case http::HeadParse::kComplete:
      break;
  }
  if (head.method == "CONNECT") {
    // A reverse proxy tunnels nothing on a client's say-so; and a 2xx to CONNECT would turn the
    // upstream connection into a tunnel that this proxy would go on framing as HTTP.
    respond_error(501, ProxyError::kBadRequest, "CONNECT is not supported by this reverse proxy");
    return true;
  }
  method_ = std::string(head.method);
  request_minor_version_ = head.minor_version;
  request_keep_alive_ = head.keep_alive();
  client_asked_close_ = !head.keep_alive() && !head.must_close;
  request_must_close_ = head.must_close;
  wants_upgrade_ = head.wants_upgrade();
  request_has_body_ = head.framing != http::BodyFraming::kNone;
  build_upstream_head(head, &upstream_head_);
  request_body_.start(head.framing, head.content_length, limits.http);
  request_done_ = request_body_.complete();
  client_in_.consume(head.head_bytes);
  request_scanner_.reset();
  worker_.metrics().requests.fetch_add(1, std::memory_order_relaxed);
  request_start_ = worker_.loop().clock().now();
  attempts_ = 0;
  retried_after_send_ = false;
  tried_.clear();
  response_scanner_.reset();
  response_started_ = response_head_done_ = response_done_ = response_keep_alive_ = false;
  response_status_ = 0;
  pick_and_connect();
  return true;
}

void HttpSession::pick_and_connect() {
  phase_ = Phase::kConnecting;
  const RoutedEndpoint* endpoint = worker_.picker().pick(worker_.table(), tried_);
  if (endpoint == nullptr) {
    if (!tried_.empty()) {
      respond_error(502, ProxyError::kBadGateway, "every endpoint tried failed");
      return;
    }
    hold_ticket_ = worker_.hold().hold([this](HoldOutcome outcome) {
      hold_ticket_.reset();
      switch (outcome) {
        case HoldOutcome::kEndpointAvailable:
          pick_and_connect();
          break;
        case HoldOutcome::kTimedOut:
          respond_error(503, ProxyError::kNoEndpoint, "no endpoint became available in time");
          break;
      }
      advance();
    });
    if (!hold_ticket_) {
      respond_error(503, ProxyError::kNoEndpoint, "no endpoint available");
      return;
    }
    phase_ = Phase::kHolding;
    deadline_ = runtime::Time::max();
    return;
  }
  ++attempts_;
  const Ipv4Endpoint address = endpoint->endpoint.address;
  if (std::unique_ptr<UpstreamConnection> pooled = worker_.pool().take(address)) {
    upstream_reused_ = true;
    attach_upstream(std::move(pooled));
    start_exchange();
    return;
  }
  live::Connecting connecting = live::start_connect(address);
  if (!connecting.socket.is_open()) {
    endpoint->counters->connect_failures.fetch_add(1, std::memory_order_relaxed);
    tried_.push_back(address);
    on_upstream_failure(connecting.outcome == live::IoOutcome::kRefused
                            ? UpstreamFailure::kConnectRefused
                            : UpstreamFailure::kConnectReset);
    return;
  }
  upstream_reused_ = false;
  attach_upstream(std::make_unique<UpstreamConnection>(worker_.loop(), std::move(connecting.socket),
                                                       *endpoint, live::kWritable));
  if (connecting.outcome == live::IoOutcome::kWouldBlock) {
    deadline_ = worker_.loop().clock().now() + worker_.options().limits.connect_timeout;
    return;
  }
  start_exchange();
}

void HttpSession::attach_upstream(std::unique_ptr<UpstreamConnection> upstream) {
  upstream_ = std::move(upstream);
  upstream_->set_owner(this);
  upstream_eof_ = upstream_reset_ = upstream_shut_ = false;
  upstream_in_.clear();
  upstream_out_.clear();
}

void HttpSession::start_exchange() {
  phase_ = Phase::kExchanging;
  upstream_->counters().in_flight_requests.fetch_add(1, std::memory_order_relaxed);
  upstream_->counters().requests.fetch_add(1, std::memory_order_relaxed);
  in_flight_counted_ = true;
  upstream_out_.append(upstream_head_);
  deadline_ = worker_.loop().clock().now() + worker_.options().limits.response_timeout;
}

bool HttpSession::pump_exchange() {
  bool progress = false;
  if (!request_done_) {
    const std::string_view input = client_in_.view().substr(0, upstream_out_.space());
    if (!input.empty()) {
      const http::BodyDecoder::Step step = request_body_.consume(input);
      if (step.malformed) {
        respond_error(400, ProxyError::kBadRequest, "malformed request body framing");
        return true;
      }
      if (step.consumed > 0) {
        upstream_out_.append(input.substr(0, step.consumed));
        client_in_.consume(step.consumed);
        progress = true;
      }
      if (step.complete) request_done_ = true;
    }
    if (!request_done_ && client_eof_ && client_in_.empty()) {
      worker_.metrics().count_error(ProxyError::kClientAborted);
      close();
      return false;
    }
  }
  if (progress) flush_upstream();
  if (closed_ || phase_ != Phase::kExchanging) return true;

  if (!response_head_done_) {
    const bool parsed = parse_response_head();
    if (closed_ || phase_ != Phase::kExchanging) return true;
    if (!response_head_done_) return progress || parsed;  // incomplete, or a 1xx passed on
    // Go on to the body in this same turn, so that head and body leave in one send.
    progress = true;
  }
  if (!response_done_) {
    const std::string_view input = upstream_in_.view().substr(0, client_out_.space());
    if (!input.empty()) {
      const http::BodyDecoder::Step step = response_body_.consume(input);
      if (step.malformed) {
        worker_.metrics().count_error(ProxyError::kUpstreamAborted);
        upstream_->counters().upstream_errors.fetch_add(1, std::memory_order_relaxed);
        close();
        return false;
      }
      if (step.consumed > 0) {
        client_out_.append(input.substr(0, step.consumed));
        upstream_in_.consume(step.consumed);
        progress = true;
      }
      if (step.complete) response_done_ = true;
    }
    if (!response_done_ && upstream_eof_ && upstream_in_.empty()) {
      if (response_body_.framing() == http::BodyFraming::kUntilClose && !upstream_reset_) {
        response_body_.finish_at_close();
        response_done_ = true;
      } else {
        // Closed mid-response: the client cannot be told with a status any more; closing its
        // connection is how it learns that the response is incomplete.
        worker_.metrics().count_error(ProxyError::kUpstreamAborted);
        upstream_->counters().upstream_errors.fetch_add(1, std::memory_order_relaxed);
        close();
        return false;
      }
    }
  }
  if (response_done_) {
    if (!request_done_) {
      // The endpoint answered before reading the whole request body (413, early 401, ...): the
      // rest of the body is not forwarded, so neither connection can carry another request.
      request_keep_alive_ = false;
      response_keep_alive_ = false;
      request_done_ = true;
    }
    finish_exchange();
    return true;
  }
  return progress;
}

bool HttpSession::parse_response_head() {
  const ProxyLimits& limits = worker_.options().limits;
  http::ResponseHead& head = response_head_;
  switch (http::parse_response_head(upstream_in_.view(), limits.http, response_scanner_, method_,
                                    &head)) {
    case http::HeadParse::kIncomplete:
      if (!upstream_eof_) return false;
      if (upstream_in_.empty()) {
        on_upstream_failure(UpstreamFailure::kClosedBeforeResponse);
      } else {
        respond_error(502, ProxyError::kBadGateway, "endpoint closed inside the response head");
      }
      return true;
    case http::HeadParse::kTooLarge:
    case http::HeadParse::kTooManyFields:
    case http::HeadParse::kRequestLineTooLong:
      respond_error(502, ProxyError::kBadGateway, "response head too large");
      return true;
    case http::HeadParse::kMalformed:
      respond_error(502, ProxyError::kBadGateway, "malformed response head");
      return true;
    case http::HeadParse::kComplete:
      break;
  }
  if (head.status == 101) {
    if (!wants_upgrade_) {
      respond_error(502, ProxyError::kBadGateway, "101 Switching Protocols without an Upgrade");
      return true;
    }
    if (client_out_.space() < head.head_bytes) return false;
    client_out_.append(upstream_in_.view().substr(0, head.head_bytes));
    upstream_in_.consume(head.head_bytes);
    response_started_ = response_head_done_ = true;
    response_status_ = 101;
    worker_.metrics().responses_by_class[1].fetch_add(1, std::memory_order_relaxed);
    worker_.metrics().latency.record(worker_.loop().clock().now() - request_start_);
    phase_ = Phase::kTunnel;
    request_done_ = true;
    deadline_ = worker_.loop().clock().now() + limits.idle_timeout;
    if (!worker_.table().is_pickable(upstream_->address())) on_table_changed(worker_.table());
    return true;
  }
  if (head.status / 100 == 1) {
    // 100 Continue, 103 Early Hints: passed on as they are; the final response follows.
    if (client_out_.space() < head.head_bytes) return false;
    client_out_.append(upstream_in_.view().substr(0, head.head_bytes));
    upstream_in_.consume(head.head_bytes);
    response_scanner_.reset();
    return true;
  }
  const bool client_keep_alive =
      request_keep_alive_ && !worker_.draining() && head.framing != http::BodyFraming::kUntilClose;
  build_client_head(head, client_keep_alive, &scratch_);
  if (client_out_.space() < scratch_.size()) return false;
  client_out_.append(scratch_);
  upstream_in_.consume(head.head_bytes);
  request_keep_alive_ = client_keep_alive;
  response_keep_alive_ =
      head.keep_alive() && head.framing != http::BodyFraming::kUntilClose && !request_must_close_;
  response_started_ = response_head_done_ = true;
  response_status_ = head.status;
  response_body_.start(head.framing, head.content_length, limits.http);
  response_done_ = response_body_.complete();
  return true;
}

bool HttpSession::pump_tunnel() {
  bool progress = false;
  if (!client_in_.empty() && upstream_out_.space() > 0 && !upstream_shut_) {
    const std::string_view bytes = client_in_.view().substr(0, upstream_out_.space());
    upstream_out_.append(bytes);
    client_in_.consume(bytes.size());
    progress = true;
  }
  if (client_eof_ && client_in_.empty() && upstream_out_.empty() && !upstream_shut_) {
    live::shutdown_write(upstream_->fd());
    upstream_shut_ = true;
    progress = true;
  }
  if (!upstream_in_.empty() && client_out_.space() > 0 && !client_shut_) {
    const std::string_view bytes = upstream_in_.view().substr(0, client_out_.space());
    client_out_.append(bytes);
    upstream_in_.consume(bytes.size());
    progress = true;
  }
  if (upstream_eof_ && upstream_in_.empty() && client_out_.empty() && !client_shut_) {
    if (upstream_reset_) {
      close();
      return false;
    }
    live::shutdown_write(client_.fd());
    client_shut_ = true;
    progress = true;
  }
  if (client_shut_ && upstream_shut_) {
    close();
    return false;
  }
  return progress;
}

void HttpSession::finish_exchange() {
  ProxyMetrics& metrics = worker_.metrics();
  metrics.responses_by_class[std::clamp(response_status_ / 100, 0, 5)].fetch_add(
      1, std::memory_order_relaxed);
  const runtime::Duration latency = worker_.loop().clock().now() - request_start_;
  metrics.latency.record(latency);
  upstream_->counters().latency.record(latency);
  const bool reusable = response_keep_alive_ && !upstream_eof_ && upstream_in_.empty() &&
                        upstream_out_.empty() && !worker_.draining() &&
                        worker_.table().is_pickable(upstream_->address());
  release_upstream(reusable);
  if (request_keep_alive_ && !worker_.draining()) {
    phase_ = Phase::kReadingHead;
    head_deadline_armed_ = false;
    deadline_ = worker_.loop().clock().now() + worker_.options().limits.idle_timeout;
  } else {
    start_closing();
  }
}

void HttpSession::release_upstream(bool reusable) {
  if (!upstream_) return;
  if (in_flight_counted_) {
    upstream_->counters().in_flight_requests.fetch_sub(1, std::memory_order_relaxed);
    in_flight_counted_ = false;
  }
  if (reusable) {
    worker_.pool().put(std::move(upstream_));
  } else {
    upstream_.reset();
  }
  upstream_in_.clear();
  upstream_out_.clear();
  upstream_eof_ = upstream_reset_ = upstream_shut_ = false;
}

void HttpSession::on_upstream_failure(UpstreamFailure failure) {
  const bool replayable = is_connect_failure(failure) || !request_has_body_;
  const bool retry =
      !response_started_ && replayable &&
      worker_.options().retry.decide(failure, is_idempotent_method(method_), std::max(attempts_, 1),
                                     retried_after_send_) == RetryDecision::kRetryOnAnotherEndpoint;
  if (upstream_) {
    if (!is_connect_failure(failure)) {
      upstream_->counters().upstream_errors.fetch_add(1, std::memory_order_relaxed);
    }
    if (retry) upstream_->counters().retries.fetch_add(1, std::memory_order_relaxed);
    tried_.push_back(upstream_->address());
    release_upstream(false);
  }
  if (retry) {
    if (!is_connect_failure(failure)) retried_after_send_ = true;
    worker_.metrics().retries.fetch_add(1, std::memory_order_relaxed);
    response_scanner_.reset();
    pick_and_connect();
    return;
  }
  const bool timed_out =
      failure == UpstreamFailure::kConnectTimeout || failure == UpstreamFailure::kResponseTimeout;
  respond_error(timed_out ? 504 : 502,
                timed_out ? ProxyError::kGatewayTimeout : ProxyError::kBadGateway,
                std::string("endpoint failed: ") + upstream_failure_name(failure));
}

void HttpSession::respond_error(int status, ProxyError error, const std::string& reason) {
  worker_.metrics().count_error(error);
  if (hold_ticket_) {
    worker_.hold().cancel(*hold_ticket_);
    hold_ticket_.reset();
  }
  release_upstream(false);
  if (response_started_) {
    close();  // too late for a status: the connection is cut
    return;
  }
  worker_.metrics().responses_by_class[status / 100].fetch_add(1, std::memory_order_relaxed);
  const std::string body = "nodrop: " + reason + "\n";
  const std::string response =
      "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
      "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  if (response.size() > client_out_.space()) {
    close();
    return;
  }
  client_out_.append(response);
  response_started_ = true;
  start_closing();
}

void HttpSession::start_closing() {
  release_upstream(false);
  phase_ = Phase::kClosing;
  deadline_ = worker_.loop().clock().now() + worker_.options().limits.linger_timeout;
}

void HttpSession::close() {
  if (closed_) return;
  closed_ = true;
  if (hold_ticket_) {
    worker_.hold().cancel(*hold_ticket_);
    hold_ticket_.reset();
  }
  release_upstream(false);
  if (client_watch_ != 0) worker_.loop().unwatch_before_close(client_watch_);
  client_watch_ = 0;
  client_.reset();
  // The buffers go back to the pool now, not when the worker destroys the session after this
  // turn: when many clients leave in one turn, the next one's read then reuses this one's buffer.
  for (ByteBuffer* buffer : {&client_in_, &client_out_, &upstream_in_, &upstream_out_}) {
    buffer->clear();
    buffer->release();
  }
  worker_.retire(this);
}

void HttpSession::close_now() { close(); }

void HttpSession::release_idle_memory() {
  // What a request reuses, kept while requests follow each other so that a warm connection costs
  // no allocation per request; a connection still idle at a sweep (every 100 ms) gives it back,
  // so thousands of idle keep-alive connections cost little more than their session objects.
  std::string().swap(upstream_head_);
  std::string().swap(scratch_);
  std::vector<http::HeaderField>().swap(request_head_.fields);
  std::vector<http::HeaderField>().swap(response_head_.fields);
  std::vector<Ipv4Endpoint>().swap(tried_);
}

void HttpSession::on_drain() {
  // Nothing to do now. An idle keep-alive connection is kept, as its client may have a request on
  // the way that closing would lose: its next request is answered with Connection: close (every
  // phase sees worker_.draining() when its exchange ends and closes then), and if none comes, the
  // idle timeout or the drain deadline closes it.
}

void HttpSession::on_table_changed(const EndpointTable& table) {
  if (phase_ != Phase::kTunnel || !upstream_ || drain_deadline_ != runtime::Time::max()) return;
  if (table.is_pickable(upstream_->address())) return;
  drain_deadline_ = worker_.loop().clock().now() + worker_.options().limits.drain_timeout;
}

void HttpSession::on_sweep(runtime::Time now) {
  if (closed_) return;
  if (now >= drain_deadline_) {
    close();
    return;
  }
  if (phase_ == Phase::kReadingHead && client_in_.empty()) release_idle_memory();
  if (now < deadline_) return;
  switch (phase_) {
    case Phase::kReadingHead:
      if (client_in_.empty()) {
        close();  // an idle keep-alive connection
      } else {
        respond_error(408, ProxyError::kHeaderTimeout, "request head not received in time");
      }
      break;
    case Phase::kHolding:
      return;  // the hold queue's own timer ends the wait
    case Phase::kConnecting:
      upstream_->counters().connect_failures.fetch_add(1, std::memory_order_relaxed);
      on_upstream_failure(UpstreamFailure::kConnectTimeout);
      break;
    case Phase::kExchanging:
      if (response_started_) {
        worker_.metrics().count_error(ProxyError::kUpstreamAborted);
        close();
      } else {
        on_upstream_failure(UpstreamFailure::kResponseTimeout);
      }
      break;
    case Phase::kTunnel:
    case Phase::kClosing:
      close();
      break;
  }
  advance();
}

void HttpSession::build_upstream_head(const http::RequestHead& head,
                                      std::string* out_string) const {
  std::string& out = *out_string;
  out.clear();  // keeps its capacity from earlier requests
  out.append(head.method).append(" ").append(head.target);
  out.append(head.minor_version == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
  // Fields the client named in Connection are hop-by-hop too (RFC 9110 §7.6.1); a bounded
  // number of them is honoured, which covers every real client. The fields that frame and route
  // the message are never removed this way (RFC 9110 §7.6.1 lets a proxy ignore such a
  // nomination): the proxy framed the message by them, so the next hop must see them too, or a
  // body would reach it as a second request.
  constexpr std::size_t kMaxNominated = 8;
  std::array<std::string_view, kMaxNominated> nominated;
  std::size_t nominated_count = 0;
  for (const http::HeaderField& field : head.fields) {
    if (!equals_ignoring_case(field.name, "connection")) continue;
    std::string_view value = field.value;
    while (!value.empty() && nominated_count < kMaxNominated) {
      const auto comma = value.find(',');
      const std::string_view option = http::trim_whitespace(value.substr(0, comma));
      if (!option.empty() && !equals_ignoring_case(option, "close") &&
          !equals_ignoring_case(option, "keep-alive") && !equals_ignoring_case(option, "upgrade") &&
          !is_framing_or_routing(option)) {
        nominated[nominated_count++] = option;
      }
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  const auto is_nominated = [&](std::string_view name) {
    for (std::size_t i = 0; i < nominated_count; ++i) {
      if (equals_ignoring_case(name, nominated[i])) return true;
    }
    return false;
  };
  std::string_view forwarded_for;
  bool length_written = false;
  for (const http::HeaderField& field : head.fields) {
    if (is_hop_by_hop(field.name) || equals_ignoring_case(field.name, "x-forwarded-proto"))
      continue;
    if (nominated_count > 0 && is_nominated(field.name)) continue;
    if (equals_ignoring_case(field.name, "upgrade") && !wants_upgrade_) continue;
    if (equals_ignoring_case(field.name, "x-forwarded-for")) {
      forwarded_for = field.value;
      continue;
    }
    if (equals_ignoring_case(field.name, "content-length")) {
      // Repeated equal values (allowed by the parser) go out once, as the number it read.
      if (!length_written) {
        out.append("Content-Length: ").append(std::to_string(head.content_length)).append("\r\n");
      }
      length_written = true;
      continue;
    }
    out.append(field.name).append(": ").append(field.value).append("\r\n");
  }
  out.append("X-Forwarded-For: ");
  if (!forwarded_for.empty()) out.append(forwarded_for).append(", ");
  out.append(client_address_).append("\r\nX-Forwarded-Proto: http\r\n");
  if (head.must_close) {
    out.append("Connection: close\r\n");
  } else if (wants_upgrade_) {
    out.append("Connection: upgrade\r\n");
  } else if (head.minor_version == 0) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

void HttpSession::build_client_head(const http::ResponseHead& head, bool keep_alive,
                                    std::string* out_string) const {
  std::string& out = *out_string;
  out.clear();
  // The proxy speaks HTTP/1.1 to the client whatever the endpoint spoke (RFC 9110 §6.2): keep
  // the status code and reason, replace the version.
  std::string_view status_line = upstream_in_.view().substr(0, upstream_in_.view().find('\n'));
  if (!status_line.empty() && status_line.back() == '\r') status_line.remove_suffix(1);
  out.append("HTTP/1.1").append(status_line.substr(8)).append("\r\n");
  for (const http::HeaderField& field : head.fields) {
    if (is_hop_by_hop(field.name)) continue;
    out.append(field.name).append(": ").append(field.value).append("\r\n");
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (request_minor_version_ == 0) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

}  // namespace nodrop::proxy
