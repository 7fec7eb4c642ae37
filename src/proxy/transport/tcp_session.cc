#include "proxy/transport/tcp_session.h"

#include <array>

#include "live/sockets/tcp.h"

namespace nodrop::proxy {
namespace {

// The copy buffer of a direction that has not shown a bulk transfer yet. A read that fills it
// switches the direction to splice().
constexpr std::size_t kCopyChunkBytes = 16 * 1024;

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}

void put_u16(std::string& out, std::uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

}  // namespace

std::string proxy_protocol_v2_header(const Ipv4Endpoint& client, const Ipv4Endpoint& proxy) {
  std::string out("\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A", 12);
  out.push_back('\x21');  // version 2, PROXY command
  out.push_back('\x11');  // AF_INET, STREAM
  put_u16(out, 12);       // address block length
  put_u32(out, client.address.value);
  put_u32(out, proxy.address.value);
  put_u16(out, client.port);
  put_u16(out, proxy.port);
  return out;
}

TcpSession::TcpSession(SessionHost& host, live::FileDescriptor client, Ipv4Endpoint peer)
    : Session(host, std::move(client), peer) {}

TcpSession::~TcpSession() {
  upstream_watch_.remove_before_close(loop_);  // upstream_ closes next
  if (counters_) counters_->open_connections.fetch_sub(1, std::memory_order_relaxed);
}

void TcpSession::start() {
  auto to_upstream = host_.take_pipe();
  auto to_client = host_.take_pipe();
  if (!to_upstream.is_ok() || !to_client.is_ok()) {
    metrics_.count_error(ProxyError::kOverConnectionLimit);
    close();
    return;
  }
  to_upstream_.pipe = std::move(to_upstream.value());
  to_client_.pipe = std::move(to_client.value());
  pick_and_connect();
}

void TcpSession::pick_and_connect() {
  phase_ = Phase::kConnecting;
  const RoutedEndpoint* endpoint = host_.picker().pick(host_.table(), tried_);
  if (endpoint == nullptr) {
    if (tried_.empty()) {
      const bool held = hold_for_endpoint([this](HoldOutcome outcome) {
        switch (outcome) {
          case HoldOutcome::kEndpointAvailable:
            pick_and_connect();
            break;
          case HoldOutcome::kTimedOut:
            metrics_.count_error(ProxyError::kNoEndpoint);
            if (options_.no_endpoint == NoEndpointAction::kDrop) {
              drop();
            } else {
              cut();
            }
            break;
        }
      });
      if (held) {
        phase_ = Phase::kHolding;
        return;
      }
      metrics_.count_error(ProxyError::kNoEndpoint);
      if (options_.no_endpoint == NoEndpointAction::kDrop) {
        drop();
        return;
      }
      cut();  // L4 has no status to send: a reset is the nearest to a refusal
      return;
    }
    metrics_.count_error(ProxyError::kBadGateway);
    cut();  // every endpoint tried failed: a reset, as the refusal behind it would be
    return;
  }
  ++attempts_;
  upstream_address_ = endpoint->endpoint.address;
  live::Connecting connecting = live::start_connect(upstream_address_, upstream_source());
  if (!connecting.socket.is_open()) {
    endpoint->counters->connect_failures.fetch_add(1, std::memory_order_relaxed);
    retry_or_fail(connecting.outcome);
    return;
  }
  upstream_ = std::move(connecting.socket);
  counters_ = endpoint->counters;
  counters_->open_connections.fetch_add(1, std::memory_order_relaxed);
  if (connecting.outcome == live::IoOutcome::kWouldBlock) {
    set_deadline_after(options_.limits.connect_timeout);
    set_upstream_interest(live::kWritable);
    return;
  }
  on_connected();
}

void TcpSession::drop() {
  // Nothing is answered: the client's bytes are read and thrown away (discard_client_bytes())
  // until it gives up, or the idle timeout closes the connection. The empty pipes go back at once.
  phase_ = Phase::kDropped;
  set_client_interest(live::kReadable);
  for (Direction* direction : {&to_upstream_, &to_client_}) {
    host_.give_back_pipe(std::move(direction->pipe));
  }
  set_deadline_after(options_.limits.idle_timeout);
}

void TcpSession::retry_or_fail(live::IoOutcome connect_outcome) {
  tried_.push_back(upstream_address_);
  const UpstreamFailure failure = connect_outcome == live::IoOutcome::kRefused
                                      ? UpstreamFailure::kConnectRefused
                                      : UpstreamFailure::kConnectReset;
  // Nothing was sent: an L4 connection is retried whatever its protocol.
  const RetryDecision decision = options_.retry.decide(
      failure, {.idempotent = false, .attempts_made = attempts_, .retried_after_send = false});
  if (decision == RetryDecision::kRetryOnAnotherEndpoint) {
    metrics_.retries.fetch_add(1, std::memory_order_relaxed);
    pick_and_connect();
  } else {
    metrics_.count_error(ProxyError::kBadGateway);
    cut();  // the refusal or reset behind it, passed on
  }
}

void TcpSession::on_connected() {
  phase_ = Phase::kForwarding;
  counters_->requests.fetch_add(1, std::memory_order_relaxed);
  metrics_.requests.fetch_add(1, std::memory_order_relaxed);
  if (options_.proxy_protocol_v2) {
    const auto local = live::local_endpoint(client_.fd());
    header_ = proxy_protocol_v2_header(peer_, local.is_ok() ? local.value() : Ipv4Endpoint{});
  }
  set_deadline_after(options_.limits.idle_timeout);
  on_table_changed(host_.table());  // the endpoint may have left while this connected
  // The client's first bytes are usually here already and both sockets can take bytes, so try
  // those once; events drive the rest. The endpoint has not been sent anything yet, so reading
  // from it now would nearly always find nothing (EAGAIN): that read is left to its first event.
  const std::uint32_t all = live::kReadable | live::kWritable;
  pump(all, live::kWritable);
}

void TcpSession::on_client_events(std::uint32_t events) {
  if (phase_ == Phase::kDropped) {
    discard_client_bytes();
    return;
  }
  pump(events, 0);
}

void TcpSession::discard_client_bytes() {
  // A dropped connection's bytes go nowhere, as a DROP rule's packets do; reading them is how
  // the client's giving up (end of stream, reset) is seen, so its connection does not linger.
  thread_local std::array<char, kCopyChunkBytes> scratch;
  while (true) {
    const live::IoResult got = live::read_some(client_.fd(), scratch.data(), scratch.size());
    switch (got.outcome) {
      case live::IoOutcome::kDone:
        continue;
      case live::IoOutcome::kWouldBlock:
        return;
      case live::IoOutcome::kClosed:
      case live::IoOutcome::kRefused:
      case live::IoOutcome::kReset:
      case live::IoOutcome::kOutOfResources:
      case live::IoOutcome::kError:
        close();
        return;
    }
  }
}

void TcpSession::on_upstream_events(std::uint32_t events) {
  if (phase_ == Phase::kConnecting) {
    if (!(events & (live::kWritable | live::kHangup))) return;
    // Writable without an error condition means connected; only then is SO_ERROR skipped.
    const live::IoOutcome connected = (events & live::kHangup)
                                          ? live::finish_connect(upstream_.fd()).outcome
                                          : live::IoOutcome::kDone;
    if (connected == live::IoOutcome::kDone) {
      on_connected();
      return;
    }
    counters_->connect_failures.fetch_add(1, std::memory_order_relaxed);
    counters_->open_connections.fetch_sub(1, std::memory_order_relaxed);
    counters_.reset();
    upstream_watch_.remove_before_close(loop_);
    upstream_.reset();
    retry_or_fail(connected);
    return;
  }
  pump(0, events);
}

int TcpSession::sender_fd(const Direction& direction) const {
  return direction.side == kToUpstream ? client_.fd() : upstream_.fd();
}

int TcpSession::receiver_fd(const Direction& direction) const {
  return direction.side == kToUpstream ? upstream_.fd() : client_.fd();
}

bool TcpSession::move(Direction& direction, Readiness readiness) {
  // Only the calls the readiness events allow are made: a read or write that would find nothing
  // costs a syscall per event, and L4 throughput is mostly syscalls.
  bool active = false;
  if (!direction.unsent.empty() && readiness.may_write) {
    if (!send_unsent(direction, active)) return false;
  }
  if (direction.unsent.empty()) {
    if (direction.transfer == Direction::Transfer::kCopy && readiness.may_read &&
        !direction.fin_read()) {
      if (!copy(direction, active)) return false;
      // copy() reads once more only if it switched to splicing; splice() then takes over.
      readiness.may_read =
          direction.transfer == Direction::Transfer::kSplice && direction.unsent.empty();
      readiness.may_write = readiness.may_read;
    }
    if (direction.transfer == Direction::Transfer::kSplice && direction.unsent.empty() &&
        !splice(direction, readiness, active)) {
      return false;
    }
  }
  if (direction.end == Direction::End::kFinRead && !direction.holds_bytes()) {
    // When the other direction is already shut, both sockets close right after this (pump()),
    // and close() sends the FIN: a shutdown() first would be a syscall for nothing.
    const Direction& other = &direction == &to_upstream_ ? to_client_ : to_upstream_;
    if (other.end != Direction::End::kFinPassed) live::shutdown_write(receiver_fd(direction));
    direction.end = Direction::End::kFinPassed;
  }
  if (active) set_deadline_after(options_.limits.idle_timeout);
  return true;
}

bool TcpSession::copy(Direction& direction, bool& active) {
  // One buffer for all sessions of this thread: bytes live in it only until send() below, and
  // what send() does not take moves to direction.unsent.
  thread_local std::array<char, kCopyChunkBytes> chunk;
  const live::IoResult got = live::read_some(sender_fd(direction), chunk.data(), chunk.size());
  switch (got.outcome) {
    case live::IoOutcome::kDone:
      break;
    case live::IoOutcome::kClosed:
      direction.end = Direction::End::kFinRead;
      return true;
    case live::IoOutcome::kWouldBlock:
      return true;
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      cut();  // an abort on one side is passed on as an abort
      return false;
  }
  active = true;
  if (got.bytes == chunk.size()) direction.transfer = Direction::Transfer::kSplice;
  if (leave_to_flush()) {
    direction.unsent.assign(chunk.data(), got.bytes);
    return true;
  }
  const live::IoResult sent = live::write_some(receiver_fd(direction), chunk.data(), got.bytes);
  switch (sent.outcome) {
    case live::IoOutcome::kDone:
      count_sent(direction, sent.bytes);
      break;
    case live::IoOutcome::kWouldBlock:
    case live::IoOutcome::kClosed:
      break;
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      cut();  // an abort on one side is passed on as an abort
      return false;
  }
  const std::size_t taken = sent.outcome == live::IoOutcome::kDone ? sent.bytes : 0;
  direction.unsent.assign(chunk.data() + taken, got.bytes - taken);
  return true;
}

bool TcpSession::send_unsent(Direction& direction, bool& active) {
  const live::IoResult sent =
      live::write_some(receiver_fd(direction), direction.unsent.data(), direction.unsent.size());
  switch (sent.outcome) {
    case live::IoOutcome::kDone:
      count_sent(direction, sent.bytes);
      direction.unsent.erase(0, sent.bytes);
      active = true;
      return true;
    case live::IoOutcome::kWouldBlock:
    case live::IoOutcome::kClosed:
      return true;
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      cut();  // an abort on one side is passed on as an abort
      return false;
  }
  return true;
}

bool TcpSession::splice(Direction& direction, Readiness readiness, bool& active) {
  bool filled_full = false;
  while (true) {
    if (readiness.may_read && !direction.fin_read() &&
        direction.in_pipe < live::kSplicePipeCapacity) {
      const std::size_t room = live::kSplicePipeCapacity - direction.in_pipe;
      const live::IoResult filled = direction.pipe.fill_from(sender_fd(direction), room);
      switch (filled.outcome) {
        case live::IoOutcome::kDone:
          direction.in_pipe += filled.bytes;
          filled_full = filled.bytes == room;
          readiness.may_write = true;
          active = true;
          break;
        case live::IoOutcome::kClosed:
          direction.end = Direction::End::kFinRead;
          break;
        case live::IoOutcome::kWouldBlock:
          break;
        case live::IoOutcome::kRefused:
        case live::IoOutcome::kReset:
        case live::IoOutcome::kOutOfResources:
        case live::IoOutcome::kError:
          cut();
          return false;
      }
    }
    if (direction.in_pipe == 0 || !readiness.may_write) break;
    const live::IoResult drained =
        direction.pipe.drain_to(receiver_fd(direction), direction.in_pipe);
    if (drained.outcome == live::IoOutcome::kWouldBlock) break;
    if (drained.outcome != live::IoOutcome::kDone) {
      cut();
      return false;
    }
    direction.in_pipe -= drained.bytes;
    active = true;
    count_sent(direction, drained.bytes);
    if (direction.in_pipe > 0) break;  // the receiver is full
    if (!filled_full) break;           // the sender had no more than that
    filled_full = false;
  }
  return true;
}

void TcpSession::count_sent(const Direction& direction, std::size_t bytes) {
  if (direction.side == kToUpstream) {
    counters_->bytes_to_endpoint.fetch_add(bytes, std::memory_order_relaxed);
    metrics_.bytes_from_clients.fetch_add(bytes, std::memory_order_relaxed);
  } else {
    counters_->bytes_from_endpoint.fetch_add(bytes, std::memory_order_relaxed);
    metrics_.bytes_to_clients.fetch_add(bytes, std::memory_order_relaxed);
  }
}

void TcpSession::pump(std::uint32_t client_events, std::uint32_t upstream_events) {
  if (closed() || phase_ != Phase::kForwarding) return;
  while (!header_.empty()) {
    const live::IoResult written = live::write_some(upstream_.fd(), header_.data(), header_.size());
    if (written.outcome == live::IoOutcome::kWouldBlock) break;
    if (written.outcome != live::IoOutcome::kDone) {
      cut();
      return;
    }
    header_.erase(0, written.bytes);
  }
  const std::uint32_t readable = live::kReadable | live::kHangup;
  if (header_.empty() &&
      !move(to_upstream_, {.may_read = (client_events & readable) != 0,
                           .may_write = (upstream_events & live::kWritable) != 0})) {
    return;
  }
  if (!move(to_client_, {.may_read = (upstream_events & readable) != 0,
                         .may_write = (client_events & live::kWritable) != 0})) {
    return;
  }
  if (to_upstream_.end == Direction::End::kFinPassed &&
      to_client_.end == Direction::End::kFinPassed) {
    close();
    return;
  }
  update_interest();
}

bool TcpSession::may_fill(const Direction& direction) const {
  return !direction.fin_read() && direction.in_pipe < live::kSplicePipeCapacity &&
         (direction.unsent.empty() || queued_for_flush());
}

void TcpSession::add_sends(live::SendBatch& batch, std::uint64_t tag_base) {
  if (closed()) return;
  if (!to_upstream_.unsent.empty()) {
    batch.add(upstream_.fd(), to_upstream_.unsent.data(), to_upstream_.unsent.size(),
              tag_base | kToUpstream);
  }
  if (!to_client_.unsent.empty()) {
    batch.add(client_.fd(), to_client_.unsent.data(), to_client_.unsent.size(),
              tag_base | kToClient);
  }
}

void TcpSession::on_sent(SendSide side, long result) {
  // A failed send changes nothing here: carrying on, the session sends again at once and meets
  // the same error (or EAGAIN) where it handles it for a direct send.
  if (closed() || result <= 0) return;
  const auto bytes = static_cast<std::size_t>(result);
  Direction& direction = side == kToUpstream ? to_upstream_ : to_client_;
  direction.unsent.erase(0, bytes);
  count_sent(direction, bytes);
}

void TcpSession::after_flush() {
  // Writes only: what is left after a partial send, and the FIN of a direction that has ended.
  pump(live::kWritable, live::kWritable);
}

void TcpSession::update_interest() {
  std::uint32_t client = 0;
  std::uint32_t upstream = 0;
  // Bytes left to the next flush need no writability event: they go out before the loop waits.
  const auto must_wait_to_write = [&](const Direction& direction) {
    return direction.in_pipe > 0 || (!direction.unsent.empty() && !queued_for_flush());
  };
  if (may_fill(to_upstream_) && header_.empty()) client |= live::kReadable;
  if (must_wait_to_write(to_upstream_) || !header_.empty()) upstream |= live::kWritable;
  if (may_fill(to_client_)) upstream |= live::kReadable;
  if (must_wait_to_write(to_client_)) client |= live::kWritable;
  set_client_interest(client);
  set_upstream_interest(upstream);
}

void TcpSession::set_upstream_interest(std::uint32_t interest) {
  upstream_watch_.set(loop_, upstream_.fd(), interest,
                      [this](std::uint32_t events) { on_upstream_events(events); });
}

void TcpSession::on_deadline() {
  switch (phase_) {
    case Phase::kHolding:
      return;  // the hold queue's own timer ends the wait
    case Phase::kDropped:
      close();
      return;
    case Phase::kConnecting:
      counters_->connect_failures.fetch_add(1, std::memory_order_relaxed);
      metrics_.count_error(ProxyError::kGatewayTimeout);
      close();
      return;
    case Phase::kForwarding:
      close();  // idle
      return;
  }
}

const Ipv4Endpoint* TcpSession::tied_endpoint() const {
  return phase_ == Phase::kForwarding ? &upstream_address_ : nullptr;
}

void TcpSession::on_drain() {
  // An L4 connection has no request boundary to stop at: it runs until it closes or the worker's
  // drain deadline passes.
}

void TcpSession::reset_upstream() {
  upstream_watch_.remove_before_close(loop_);
  live::close_with_reset(upstream_);
}

void TcpSession::release() {
  upstream_watch_.remove_before_close(loop_);
  upstream_.reset();
  // Bytes left in a pipe belong to this connection: only empty pipes are reused.
  for (Direction* direction : {&to_upstream_, &to_client_}) {
    if (direction->pipe.is_open() && direction->in_pipe == 0) {
      host_.give_back_pipe(std::move(direction->pipe));
    }
  }
}

}  // namespace nodrop::proxy
