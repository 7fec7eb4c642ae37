#include "proxy/transport/http_session.h"

#include <algorithm>

#include "live/sockets/tcp.h"

namespace nodrop::proxy {
namespace {

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

}  // namespace

HttpSession::HttpSession(SessionHost& host, live::FileDescriptor client, Ipv4Endpoint peer)
    : Session(host, std::move(client), peer),
      client_in_(host.buffers()),
      client_out_(host.buffers()),
      exchange_(host) {}

HttpSession::~HttpSession() = default;

void HttpSession::start() {
  set_deadline_after(options_.limits.idle_timeout);
  // Clients send their request right after connecting, so it is usually here already: read at
  // once instead of waiting a loop turn for epoll to say so (advance() then starts watching).
  read_client();
  advance();
}

void HttpSession::on_client_events(std::uint32_t events) {
  if (events & (live::kReadable | live::kHangup)) read_client();
  advance();
}

void HttpSession::on_upstream_events(std::uint32_t events) {
  if (exchange_.stage() == HttpExchange::Stage::kConnecting) {
    if (events & (live::kWritable | live::kHangup)) {
      // Writable without an error condition means connected; only then is SO_ERROR skipped.
      const live::IoOutcome connected =
          (events & live::kHangup) ? live::finish_connect(exchange_.upstream()->fd()).outcome
                                   : live::IoOutcome::kDone;
      if (connected != live::IoOutcome::kDone) {
        exchange_.upstream()->counters().connect_failures.fetch_add(1, std::memory_order_relaxed);
        on_upstream_failure(connected == live::IoOutcome::kRefused
                                ? UpstreamFailure::kConnectRefused
                                : UpstreamFailure::kConnectReset);
      } else {
        start_streaming();
      }
    }
    advance();
    return;
  }
  if (events & (live::kReadable | live::kHangup)) read_upstream();
  advance();
}

void HttpSession::read_client() {
  if (closed() || client_input_ended_) return;
  char* position = client_in_.write_position();
  const std::size_t space = client_in_.write_space();
  if (space == 0) return;
  const live::IoResult result = live::read_some(client_.fd(), position, space);
  switch (result.outcome) {
    case live::IoOutcome::kDone:
      client_in_.commit(result.bytes);
      metrics_.bytes_from_clients.fetch_add(result.bytes, std::memory_order_relaxed);
      if (state_ == State::kExchanging) {
        if (exchange_.stage() == HttpExchange::Stage::kTunnel) {
          set_deadline_after(options_.limits.idle_timeout);
        } else if (exchange_.stage() == HttpExchange::Stage::kStreaming &&
                   exchange_.request_progress() == HttpExchange::RequestProgress::kBody) {
          set_deadline_after(options_.limits.response_timeout);
        }
      }
      break;
    case live::IoOutcome::kWouldBlock:
      break;
    case live::IoOutcome::kClosed:
      client_input_ended_ = true;
      break;
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      // The client reset the connection: nobody is left to answer.
      if (state_ == State::kExchanging) metrics_.count_error(ProxyError::kClientAborted);
      close();
      break;
  }
}

void HttpSession::add_sends(live::SendBatch& batch, std::uint64_t tag_base) {
  if (closed()) return;
  if (!client_out_.empty()) {
    batch.add(client_.fd(), client_out_.view().data(), client_out_.size(), tag_base | kToClient);
  }
  if (exchange_.upstream_has_bytes_to_send()) {
    exchange_.add_upstream_send(batch, tag_base | kToUpstream);
  }
}

void HttpSession::on_sent(SendSide side, long result) {
  // A failed send changes nothing here: carrying on, the session sends again at once and meets
  // the same error (or EAGAIN) where it handles it for a direct send.
  if (closed() || result <= 0) return;
  const auto bytes = static_cast<std::size_t>(result);
  if (side == kToClient) {
    client_out_.consume(bytes);
    metrics_.bytes_to_clients.fetch_add(bytes, std::memory_order_relaxed);
  } else if (exchange_.upstream() != nullptr) {
    exchange_.on_upstream_sent(bytes);
  }
}

void HttpSession::after_flush() { advance(); }

void HttpSession::flush_client() {
  if (!client_out_.empty() && leave_to_flush()) return;
  while (!closed() && !client_out_.empty()) {
    const live::IoResult result =
        live::write_some(client_.fd(), client_out_.view().data(), client_out_.size());
    switch (result.outcome) {
      case live::IoOutcome::kDone:
        client_out_.consume(result.bytes);
        metrics_.bytes_to_clients.fetch_add(result.bytes, std::memory_order_relaxed);
        break;
      case live::IoOutcome::kWouldBlock:
        return;
      case live::IoOutcome::kClosed:
      case live::IoOutcome::kRefused:
      case live::IoOutcome::kReset:
      case live::IoOutcome::kOutOfResources:
      case live::IoOutcome::kError:
        if (state_ == State::kExchanging) metrics_.count_error(ProxyError::kClientAborted);
        close();
        return;
    }
  }
}

void HttpSession::read_upstream() {
  if (closed() || !exchange_.read_upstream()) return;
  set_deadline_after(exchange_.stage() == HttpExchange::Stage::kTunnel
                         ? options_.limits.idle_timeout
                         : options_.limits.response_timeout);
}

void HttpSession::flush_upstream() {
  if (exchange_.upstream_has_bytes_to_send() && leave_to_flush()) return;
  if (closed() || exchange_.write_upstream()) return;
  if (exchange_.stage() == HttpExchange::Stage::kTunnel) {
    close();
  } else if (!exchange_.response_started()) {
    // Reading may still find a response the endpoint sent before closing: look first.
    read_upstream();
    exchange_.upstream_write_failed();
  } else {
    // The response has started; the rest of the request body has nowhere to go.
    exchange_.end_request_early();
  }
}

void HttpSession::advance() {
  bool progress = true;
  while (progress && !closed()) {
    flush_client();
    flush_upstream();
    if (closed()) return;
    switch (state_) {
      case State::kIdle:
      case State::kReadingHead:
        progress = try_start_request();
        break;
      case State::kExchanging:
        switch (exchange_.stage()) {
          case HttpExchange::Stage::kHolding:
          case HttpExchange::Stage::kConnecting:
            progress = false;
            break;
          case HttpExchange::Stage::kStreaming:
            progress = pump_exchange();
            break;
          case HttpExchange::Stage::kTunnel:
            progress = pump_tunnel();
            break;
        }
        break;
      case State::kClosing:
        progress = false;
        linger_or_close();
        break;
    }
  }
  if (closed()) return;
  // Empty buffers go back to the worker's pool: an idle keep-alive connection holds none.
  client_in_.release();
  client_out_.release();
  exchange_.release_empty_buffers();
  update_interest();
}

void HttpSession::linger_or_close() {
  if (!client_out_.empty()) return;
  // A client that asked to close, or has closed its side, sends nothing more, so nothing can turn
  // the close into a reset: close at once (close() sends the FIN; a shutdown() first would be a
  // syscall for nothing).
  if (client_input_ended_ || exchange_.request().client_asked_close) {
    close();
    return;
  }
  if (!client_shut_) {
    // Lingering close: FIN first, then read until the client's FIN, so that a request the client
    // already sent does not turn our close into a reset that destroys the response.
    live::shutdown_write(client_.fd());
    client_shut_ = true;
    set_deadline_after(options_.limits.linger_timeout);
  }
  client_in_.clear();
}

void HttpSession::update_interest() {
  std::uint32_t client = 0;
  // A client that sent its whole request with "Connection: close" sends nothing more, so while
  // its response is pending or being sent it is not watched for reads: that saves an epoll_ctl
  // per connection (HAProxy does not poll such a client either). If it goes away meanwhile,
  // writing the response finds out, or the response timeout ends the exchange; once the response
  // is out, the session closes without lingering.
  const HttpExchange::RequestFacts& request = exchange_.request();
  const bool request_sent =
      state_ == State::kExchanging && exchange_.stage() == HttpExchange::Stage::kStreaming &&
      exchange_.request_progress() == HttpExchange::RequestProgress::kComplete;
  const bool awaits_only_response = request.client_asked_close && !request.wants_upgrade &&
                                    (request_sent || state_ == State::kClosing);
  if (!client_input_ended_ && client_in_.space() > 0 && !awaits_only_response) {
    client |= live::kReadable;
  }
  // Bytes left to the next flush need no writability event: they go out before the loop waits.
  if (!client_out_.empty() && !queued_for_flush()) client |= live::kWritable;
  set_client_interest(client);
  if (UpstreamConnection* upstream = exchange_.upstream()) {
    upstream->set_interest(exchange_.upstream_interest(queued_for_flush()));
  }
}

bool HttpSession::try_start_request() {
  const ProxyLimits& limits = options_.limits;
  http::RequestHead& head = request_head_;  // reused: keeps its field list's capacity
  switch (http::parse_request_head(client_in_.view(), limits.http, request_scanner_, &head)) {
    case http::HeadParse::kIncomplete:
      if (client_input_ended_) {
        if (!client_in_.empty()) metrics_.count_error(ProxyError::kClientAborted);
        // A client that half-closed after its last request still reads: send what is left of
        // that request's response before closing.
        client_in_.clear();
        start_closing();
        return true;
      } else if (state_ == State::kIdle && !client_in_.empty()) {
        // The header timeout runs from the first byte of the head, not from its last byte, so a
        // client sending one byte at a time (slowloris) is cut off.
        state_ = State::kReadingHead;
        set_deadline_after(limits.header_timeout);
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
  exchange_.begin(head, peer_.address, limits.http, now());
  client_in_.consume(head.head_bytes);
  request_scanner_.reset();
  metrics_.requests.fetch_add(1, std::memory_order_relaxed);
  state_ = State::kExchanging;
  pick_and_connect();
  return true;
}

void HttpSession::pick_and_connect() {
  const RoutedEndpoint* endpoint = host_.picker().pick(host_.table(), exchange_.tried());
  if (endpoint == nullptr) {
    if (!exchange_.tried().empty()) {
      respond_error(502, ProxyError::kBadGateway, "every endpoint tried failed");
      return;
    }
    const bool held = hold_for_endpoint([this](HoldOutcome outcome) {
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
    if (!held) {
      respond_error(503, ProxyError::kNoEndpoint, "no endpoint available");
      return;
    }
    exchange_.wait_for_endpoint();
    set_deadline(runtime::Time::max());
    return;
  }
  exchange_.note_attempt();
  const Ipv4Endpoint address = endpoint->endpoint.address;
  const std::optional<Ipv4Address> source = upstream_source();
  if (std::unique_ptr<UpstreamConnection> pooled = host_.pool().take(address, source)) {
    exchange_.attach(std::move(pooled), this);
    start_streaming();
    return;
  }
  live::Connecting connecting = live::start_connect(address, source);
  if (!connecting.socket.is_open()) {
    endpoint->counters->connect_failures.fetch_add(1, std::memory_order_relaxed);
    exchange_.note_tried(address);
    on_upstream_failure(connecting.outcome == live::IoOutcome::kRefused
                            ? UpstreamFailure::kConnectRefused
                            : UpstreamFailure::kConnectReset);
    return;
  }
  exchange_.attach(std::make_unique<UpstreamConnection>(loop_, std::move(connecting.socket),
                                                        *endpoint, source, live::kWritable),
                   this);
  if (connecting.outcome == live::IoOutcome::kWouldBlock) {
    set_deadline_after(options_.limits.connect_timeout);
    return;
  }
  start_streaming();
}

void HttpSession::start_streaming() {
  exchange_.start_streaming();
  set_deadline_after(options_.limits.response_timeout);
}

bool HttpSession::pump_exchange() {
  bool progress = false;
  if (exchange_.request_progress() == HttpExchange::RequestProgress::kBody) {
    const HttpExchange::BodyStep step = exchange_.forward_request_body(client_in_);
    if (step.broken) {
      respond_error(400, ProxyError::kBadRequest, "malformed request body framing");
      return true;
    }
    progress = step.moved;
    if (exchange_.request_progress() == HttpExchange::RequestProgress::kBody &&
        client_input_ended_ && client_in_.empty()) {
      metrics_.count_error(ProxyError::kClientAborted);
      close();
      return false;
    }
  }
  if (progress) flush_upstream();
  if (closed() || exchange_.stage() != HttpExchange::Stage::kStreaming) return true;

  if (exchange_.response_progress() == HttpExchange::ResponseProgress::kAwaitingHead) {
    const bool passed = pass_response_head();
    if (closed() || state_ != State::kExchanging ||
        exchange_.stage() != HttpExchange::Stage::kStreaming) {
      return true;
    }
    // Incomplete, or a 1xx passed on.
    if (!exchange_.response_started()) return progress || passed;
    // Go on to the body in this same turn, so that head and body leave in one send.
    progress = true;
  }
  if (exchange_.response_progress() != HttpExchange::ResponseProgress::kComplete) {
    const HttpExchange::BodyStep step = exchange_.forward_response_body(client_out_);
    if (step.broken) {
      // Malformed, or closed mid-response: the client cannot be told with a status any more;
      // closing its connection is how it learns that the response is incomplete.
      metrics_.count_error(ProxyError::kUpstreamAborted);
      exchange_.upstream()->counters().upstream_errors.fetch_add(1, std::memory_order_relaxed);
      close();
      return false;
    }
    progress = progress || step.moved;
  }
  if (exchange_.response_progress() == HttpExchange::ResponseProgress::kComplete) {
    // The endpoint answered before reading the whole request body (413, early 401, ...): the
    // rest of the body is not forwarded.
    if (exchange_.request_progress() != HttpExchange::RequestProgress::kComplete) {
      exchange_.end_request_early();
    }
    finish_exchange();
    return true;
  }
  return progress;
}

bool HttpSession::pass_response_head() {
  switch (exchange_.pass_response_head(client_out_)) {
    case HttpExchange::HeadStep::kIncomplete:
    case HttpExchange::HeadStep::kNoRoom:
      return false;
    case HttpExchange::HeadStep::kInterimPassed:
    case HttpExchange::HeadStep::kFinalPassed:
      return true;
    case HttpExchange::HeadStep::kSwitched:
      metrics_.responses_by_class[1].fetch_add(1, std::memory_order_relaxed);
      metrics_.latency.record(now() - exchange_.started_at());
      set_deadline_after(options_.limits.idle_timeout);
      on_table_changed(host_.table());  // the endpoint may have left meanwhile
      return true;
    case HttpExchange::HeadStep::kClosedBeforeAny:
      on_upstream_failure(UpstreamFailure::kClosedBeforeResponse);
      return true;
    case HttpExchange::HeadStep::kClosedInsideHead:
      respond_error(502, ProxyError::kBadGateway, "endpoint closed inside the response head");
      return true;
    case HttpExchange::HeadStep::kTooLarge:
      respond_error(502, ProxyError::kBadGateway, "response head too large");
      return true;
    case HttpExchange::HeadStep::kMalformed:
      respond_error(502, ProxyError::kBadGateway, "malformed response head");
      return true;
    case HttpExchange::HeadStep::kUnaskedSwitch:
      respond_error(502, ProxyError::kBadGateway, "101 Switching Protocols without an Upgrade");
      return true;
  }
  return true;
}

bool HttpSession::pump_tunnel() {
  bool progress = exchange_.tunnel_to_upstream(client_in_, client_input_ended_);
  if (!client_shut_ && exchange_.tunnel_to_client(client_out_)) progress = true;
  if (!client_shut_ && exchange_.upstream_input_drained() && client_out_.empty()) {
    if (exchange_.upstream_input() == HttpExchange::UpstreamInput::kReset) {
      close();
      return false;
    }
    live::shutdown_write(client_.fd());
    client_shut_ = true;
    progress = true;
  }
  if (client_shut_ && exchange_.upstream_shut()) {
    close();
    return false;
  }
  return progress;
}

void HttpSession::finish_exchange() {
  metrics_.responses_by_class[std::clamp(exchange_.response_status() / 100, 0, 5)].fetch_add(
      1, std::memory_order_relaxed);
  const runtime::Duration latency = now() - exchange_.started_at();
  metrics_.latency.record(latency);
  UpstreamConnection& upstream = *exchange_.upstream();
  upstream.counters().latency.record(latency);
  const bool reusable = exchange_.upstream_reusable() && !host_.draining() &&
                        host_.table().is_pickable(upstream.address());
  exchange_.release_upstream(reusable);
  if (exchange_.client_may_continue() && !host_.draining()) {
    state_ = State::kIdle;
    set_deadline_after(options_.limits.idle_timeout);
  } else {
    start_closing();
  }
}

void HttpSession::on_upstream_failure(UpstreamFailure failure) {
  const bool retry = exchange_.retry_after(failure, options_.retry);
  if (UpstreamConnection* upstream = exchange_.upstream()) {
    if (!is_connect_failure(failure)) {
      upstream->counters().upstream_errors.fetch_add(1, std::memory_order_relaxed);
    }
    if (retry) upstream->counters().retries.fetch_add(1, std::memory_order_relaxed);
    exchange_.note_tried(upstream->address());
    exchange_.close_upstream();
  }
  if (retry) {
    metrics_.retries.fetch_add(1, std::memory_order_relaxed);
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
  metrics_.count_error(error);
  stop_holding();
  exchange_.close_upstream();
  if (exchange_.response_started()) {
    close();  // too late for a status: the connection is cut
    return;
  }
  metrics_.responses_by_class[status / 100].fetch_add(1, std::memory_order_relaxed);
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
  start_closing();
}

void HttpSession::start_closing() {
  exchange_.close_upstream();
  state_ = State::kClosing;
  set_deadline_after(options_.limits.linger_timeout);
}

void HttpSession::release() {
  exchange_.close_upstream();
  // The buffers go back to the pool now, not when the worker destroys the session after this
  // turn: when many clients leave in one turn, the next one's read then reuses this one's buffer.
  for (ByteBuffer* buffer : {&client_in_, &client_out_}) {
    buffer->clear();
    buffer->release();
  }
  exchange_.release_empty_buffers();
}

void HttpSession::release_when_idle() {
  // What a request reuses, kept while requests follow each other so that a warm connection costs
  // no allocation per request; a connection still idle at a sweep (every 100 ms) gives it back,
  // so thousands of idle keep-alive connections cost little more than their session objects.
  if (state_ != State::kIdle || !client_in_.empty()) return;
  std::vector<http::HeaderField>().swap(request_head_.fields);
  exchange_.release_idle_memory();
}

void HttpSession::on_drain() {
  // Nothing to do now. An idle keep-alive connection is kept, as its client may have a request on
  // the way that closing would lose: its next request is answered with Connection: close (every
  // exchange sees the drain when it ends and closes then), and if none comes, the idle timeout or
  // the drain deadline closes it.
}

const Ipv4Endpoint* HttpSession::tied_endpoint() const {
  const UpstreamConnection* upstream = exchange_.upstream();
  if (state_ != State::kExchanging || exchange_.stage() != HttpExchange::Stage::kTunnel ||
      upstream == nullptr) {
    return nullptr;
  }
  return &upstream->address();
}

void HttpSession::on_deadline() {
  switch (state_) {
    case State::kIdle:
    case State::kReadingHead:
      if (client_in_.empty()) {
        close();  // an idle keep-alive connection
      } else {
        respond_error(408, ProxyError::kHeaderTimeout, "request head not received in time");
      }
      break;
    case State::kExchanging:
      switch (exchange_.stage()) {
        case HttpExchange::Stage::kHolding:
          return;  // the hold queue's own timer ends the wait
        case HttpExchange::Stage::kConnecting:
          exchange_.upstream()->counters().connect_failures.fetch_add(1, std::memory_order_relaxed);
          on_upstream_failure(UpstreamFailure::kConnectTimeout);
          break;
        case HttpExchange::Stage::kStreaming:
          if (exchange_.response_started()) {
            metrics_.count_error(ProxyError::kUpstreamAborted);
            close();
          } else {
            on_upstream_failure(UpstreamFailure::kResponseTimeout);
          }
          break;
        case HttpExchange::Stage::kTunnel:
          close();
          break;
      }
      break;
    case State::kClosing:
      close();
      break;
  }
  advance();
}

}  // namespace nodrop::proxy
