#include "proxy/transport/http_exchange.h"

#include <algorithm>
#include <array>

#include "base/strings.h"
#include "live/loop/epoll_loop.h"
#include "live/sockets/tcp.h"

namespace nodrop::proxy {
namespace {

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

// Moves as many bytes of a body from `from` to `to` as belong to it (the decoder says) and `to`
// has room for.
struct BodyMove {
  bool moved = false;
  bool malformed = false;
  bool complete = false;
};
BodyMove move_body(http::BodyDecoder& decoder, ByteBuffer& from, ByteBuffer& to) {
  BodyMove move;
  const std::string_view input = from.view().substr(0, to.space());
  if (input.empty()) return move;
  const http::BodyDecoder::Step decoded = decoder.consume(input);
  if (decoded.malformed) {
    move.malformed = true;
    return move;
  }
  if (decoded.consumed > 0) {
    to.append(input.substr(0, decoded.consumed));
    from.consume(decoded.consumed);
    move.moved = true;
  }
  move.complete = decoded.complete;
  return move;
}

}  // namespace

HttpExchange::HttpExchange(SessionHost& host)
    : host_(host), upstream_in_(host.buffers()), upstream_out_(host.buffers()) {}

HttpExchange::~HttpExchange() { close_upstream(); }

void HttpExchange::begin(const http::RequestHead& head, Ipv4Address client,
                         const http::Limits& limits, runtime::Time now) {
  request_.method = std::string(head.method);
  request_.minor_version = head.minor_version;
  request_.client_asked_close = !head.keep_alive() && !head.must_close;
  request_.must_close = head.must_close;
  request_.has_body = head.framing != http::BodyFraming::kNone;
  request_.wants_upgrade = head.wants_upgrade();
  client_may_continue_ = head.keep_alive();
  build_upstream_head(head, client);
  request_body_.start(head.framing, head.content_length, limits);
  request_progress_ =
      request_body_.complete() ? RequestProgress::kComplete : RequestProgress::kBody;
  started_at_ = now;
  stage_ = Stage::kConnecting;
  attempts_ = 0;
  retried_after_send_ = false;
  tried_.clear();
  response_scanner_.reset();
  response_progress_ = ResponseProgress::kAwaitingHead;
  upstream_may_continue_ = false;
  response_status_ = 0;
}

void HttpExchange::end_request_early() {
  upstream_out_.clear();
  client_may_continue_ = false;
  upstream_may_continue_ = false;
  request_progress_ = RequestProgress::kComplete;
}

bool HttpExchange::retry_after(UpstreamFailure failure, const RetryPolicy& policy) {
  // A connect failure sent nothing: the whole request is still in the client's buffer.
  const bool replayable = is_connect_failure(failure) || !request_.has_body;
  if (response_started() || !replayable) return false;
  const AttemptHistory history{.idempotent = is_idempotent_method(request_.method),
                               .attempts_made = std::max(attempts_, 1),
                               .retried_after_send = retried_after_send_};
  if (policy.decide(failure, history) != RetryDecision::kRetryOnAnotherEndpoint) return false;
  if (!is_connect_failure(failure)) retried_after_send_ = true;
  response_scanner_.reset();
  return true;
}

void HttpExchange::attach(std::unique_ptr<UpstreamConnection> upstream, UpstreamOwner* owner) {
  upstream_ = std::move(upstream);
  upstream_->set_owner(owner);
  stage_ = Stage::kConnecting;
  upstream_input_ = UpstreamInput::kOpen;
  upstream_shut_ = false;
  upstream_in_.clear();
  upstream_out_.clear();
}

bool HttpExchange::in_flight() const {
  return upstream_ != nullptr && (stage_ == Stage::kStreaming || stage_ == Stage::kTunnel);
}

void HttpExchange::start_streaming() {
  stage_ = Stage::kStreaming;
  EndpointCounters& counters = upstream_->counters();
  counters.in_flight_requests.fetch_add(1, std::memory_order_relaxed);
  counters.requests.fetch_add(1, std::memory_order_relaxed);
  upstream_out_.append(upstream_head_);
}

bool HttpExchange::upstream_reusable() const {
  return upstream_may_continue_ && upstream_input_ == UpstreamInput::kOpen &&
         upstream_in_.empty() && upstream_out_.empty();
}

void HttpExchange::release_upstream(bool reusable) {
  if (!upstream_) return;
  if (in_flight()) {
    upstream_->counters().in_flight_requests.fetch_sub(1, std::memory_order_relaxed);
  }
  if (reusable) {
    host_.pool().put(std::move(upstream_));
  } else {
    upstream_.reset();
  }
  upstream_in_.clear();
  upstream_out_.clear();
  upstream_input_ = UpstreamInput::kOpen;
  upstream_shut_ = false;
}

bool HttpExchange::read_upstream() {
  if (!upstream_ || upstream_input_ != UpstreamInput::kOpen) return false;
  char* position = upstream_in_.write_position();
  const std::size_t space = upstream_in_.write_space();
  if (space == 0) return false;
  const live::IoResult result = live::read_some(upstream_->fd(), position, space);
  switch (result.outcome) {
    case live::IoOutcome::kDone:
      upstream_in_.commit(result.bytes);
      upstream_->counters().bytes_from_endpoint.fetch_add(result.bytes, std::memory_order_relaxed);
      return true;
    case live::IoOutcome::kWouldBlock:
      return false;
    case live::IoOutcome::kClosed:
      upstream_input_ = UpstreamInput::kEnded;
      return false;
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      upstream_input_ = UpstreamInput::kReset;
      return false;
  }
  return false;
}

bool HttpExchange::write_upstream() {
  while (upstream_has_bytes_to_send()) {
    const live::IoResult result =
        live::write_some(upstream_->fd(), upstream_out_.view().data(), upstream_out_.size());
    switch (result.outcome) {
      case live::IoOutcome::kDone:
        on_upstream_sent(result.bytes);
        break;
      case live::IoOutcome::kWouldBlock:
        return true;
      case live::IoOutcome::kClosed:
      case live::IoOutcome::kRefused:
      case live::IoOutcome::kReset:
      case live::IoOutcome::kOutOfResources:
      case live::IoOutcome::kError:
        return false;
    }
  }
  return true;
}

void HttpExchange::upstream_write_failed() {
  upstream_out_.clear();
  upstream_input_ = UpstreamInput::kReset;
}

void HttpExchange::add_upstream_send(live::SendBatch& batch, std::uint64_t tag) {
  batch.add(upstream_->fd(), upstream_out_.view().data(), upstream_out_.size(), tag);
}

void HttpExchange::on_upstream_sent(std::size_t bytes) {
  upstream_out_.consume(bytes);
  upstream_->counters().bytes_to_endpoint.fetch_add(bytes, std::memory_order_relaxed);
}

std::uint32_t HttpExchange::upstream_interest(bool sends_queued) const {
  if (stage_ == Stage::kConnecting) return live::kWritable;
  std::uint32_t interest = 0;
  if (upstream_input_ == UpstreamInput::kOpen && upstream_in_.space() > 0) {
    interest |= live::kReadable;
  }
  // Bytes left to the next flush need no writability event: they go out before the loop waits.
  if (!upstream_out_.empty() && !sends_queued) interest |= live::kWritable;
  return interest;
}

HttpExchange::BodyStep HttpExchange::forward_request_body(ByteBuffer& client_in) {
  const BodyMove move = move_body(request_body_, client_in, upstream_out_);
  if (move.complete) request_progress_ = RequestProgress::kComplete;
  return {.moved = move.moved, .broken = move.malformed};
}

HttpExchange::HeadStep HttpExchange::pass_response_head(ByteBuffer& client_out) {
  const ProxyLimits& limits = host_.options().limits;
  http::ResponseHead& head = response_head_;  // reused: keeps its field list's capacity
  switch (http::parse_response_head(upstream_in_.view(), limits.http, response_scanner_,
                                    request_.method, &head)) {
    case http::HeadParse::kIncomplete:
      if (upstream_input_ == UpstreamInput::kOpen) return HeadStep::kIncomplete;
      return upstream_in_.empty() ? HeadStep::kClosedBeforeAny : HeadStep::kClosedInsideHead;
    case http::HeadParse::kTooLarge:
    case http::HeadParse::kTooManyFields:
    case http::HeadParse::kRequestLineTooLong:
      return HeadStep::kTooLarge;
    case http::HeadParse::kMalformed:
      return HeadStep::kMalformed;
    case http::HeadParse::kComplete:
      break;
  }
  if (head.status == 101) {
    if (!request_.wants_upgrade) return HeadStep::kUnaskedSwitch;
    if (client_out.space() < head.head_bytes) return HeadStep::kNoRoom;
    client_out.append(upstream_in_.view().substr(0, head.head_bytes));
    upstream_in_.consume(head.head_bytes);
    response_progress_ = ResponseProgress::kComplete;
    response_status_ = 101;
    request_progress_ = RequestProgress::kComplete;
    stage_ = Stage::kTunnel;
    return HeadStep::kSwitched;
  }
  if (head.status / 100 == 1) {
    // 100 Continue, 103 Early Hints: passed on as they are; the final response follows.
    if (client_out.space() < head.head_bytes) return HeadStep::kNoRoom;
    client_out.append(upstream_in_.view().substr(0, head.head_bytes));
    upstream_in_.consume(head.head_bytes);
    response_scanner_.reset();
    return HeadStep::kInterimPassed;
  }
  const bool client_keep_alive =
      client_may_continue_ && !host_.draining() && head.framing != http::BodyFraming::kUntilClose;
  build_client_head(head, client_keep_alive);
  if (client_out.space() < client_head_.size()) return HeadStep::kNoRoom;
  client_out.append(client_head_);
  upstream_in_.consume(head.head_bytes);
  client_may_continue_ = client_keep_alive;
  upstream_may_continue_ =
      head.keep_alive() && head.framing != http::BodyFraming::kUntilClose && !request_.must_close;
  response_status_ = head.status;
  response_body_.start(head.framing, head.content_length, limits.http);
  response_progress_ =
      response_body_.complete() ? ResponseProgress::kComplete : ResponseProgress::kBody;
  return HeadStep::kFinalPassed;
}

HttpExchange::BodyStep HttpExchange::forward_response_body(ByteBuffer& client_out) {
  const BodyMove move = move_body(response_body_, upstream_in_, client_out);
  if (move.malformed) return {.moved = false, .broken = true};
  if (move.complete) response_progress_ = ResponseProgress::kComplete;
  BodyStep step{.moved = move.moved, .broken = false};
  if (response_progress_ != ResponseProgress::kComplete && upstream_input_drained()) {
    if (response_body_.framing() == http::BodyFraming::kUntilClose &&
        upstream_input_ == UpstreamInput::kEnded) {
      response_body_.finish_at_close();
      response_progress_ = ResponseProgress::kComplete;
    } else {
      step.broken = true;  // closed mid-response
    }
  }
  return step;
}

bool HttpExchange::upstream_input_drained() const {
  return upstream_input_ != UpstreamInput::kOpen && upstream_in_.empty();
}

bool HttpExchange::tunnel_to_upstream(ByteBuffer& client_in, bool client_input_ended) {
  bool moved = false;
  if (!client_in.empty() && upstream_out_.space() > 0 && !upstream_shut_) {
    const std::string_view bytes = client_in.view().substr(0, upstream_out_.space());
    upstream_out_.append(bytes);
    client_in.consume(bytes.size());
    moved = true;
  }
  if (client_input_ended && client_in.empty() && upstream_out_.empty() && !upstream_shut_) {
    live::shutdown_write(upstream_->fd());
    upstream_shut_ = true;
    moved = true;
  }
  return moved;
}

bool HttpExchange::tunnel_to_client(ByteBuffer& client_out) {
  if (upstream_in_.empty() || client_out.space() == 0) return false;
  const std::string_view bytes = upstream_in_.view().substr(0, client_out.space());
  client_out.append(bytes);
  upstream_in_.consume(bytes.size());
  return true;
}

void HttpExchange::release_idle_memory() {
  std::string().swap(upstream_head_);
  std::string().swap(client_head_);
  std::vector<http::HeaderField>().swap(response_head_.fields);
  std::vector<Ipv4Endpoint>().swap(tried_);
}

void HttpExchange::release_empty_buffers() {
  upstream_in_.release();
  upstream_out_.release();
}

void HttpExchange::build_upstream_head(const http::RequestHead& head, Ipv4Address client) {
  std::string& out = upstream_head_;
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
    if (equals_ignoring_case(field.name, "upgrade") && !request_.wants_upgrade) continue;
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
  client.append_to(out);
  out.append("\r\nX-Forwarded-Proto: http\r\n");
  if (head.must_close) {
    out.append("Connection: close\r\n");
  } else if (request_.wants_upgrade) {
    out.append("Connection: upgrade\r\n");
  } else if (head.minor_version == 0) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

void HttpExchange::build_client_head(const http::ResponseHead& head, bool keep_alive) {
  std::string& out = client_head_;
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
  } else if (request_.minor_version == 0) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

}  // namespace nodrop::proxy
