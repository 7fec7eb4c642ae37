#include "proxy/transport/tcp_session.h"

#include <array>

#include "live/sockets/tcp.h"
#include "proxy/transport/worker.h"

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

TcpSession::TcpSession(Worker& worker, live::FileDescriptor client, Ipv4Endpoint peer)
    : worker_(worker), client_(std::move(client)), peer_(peer) {}

TcpSession::~TcpSession() {
  worker_.forget_send(this);
  if (hold_ticket_) worker_.hold().cancel(*hold_ticket_);
  if (client_watch_ != 0) worker_.loop().unwatch_before_close(client_watch_);
  if (upstream_watch_ != 0) worker_.loop().unwatch_before_close(upstream_watch_);
  if (counters_) counters_->open_connections.fetch_sub(1, std::memory_order_relaxed);
}

void TcpSession::start() {
  auto to_upstream = worker_.take_pipe();
  auto to_client = worker_.take_pipe();
  if (!to_upstream.is_ok() || !to_client.is_ok()) {
    worker_.metrics().count_error(ProxyError::kOverConnectionLimit);
    close();
    return;
  }
  to_upstream_.pipe = std::move(to_upstream.value());
  to_client_.pipe = std::move(to_client.value());
  pick_and_connect();
}

void TcpSession::pick_and_connect() {
  phase_ = Phase::kConnecting;
  const RoutedEndpoint* endpoint = worker_.picker().pick(worker_.table(), tried_);
  if (endpoint == nullptr) {
    if (tried_.empty()) {
      hold_ticket_ = worker_.hold().hold([this](HoldOutcome outcome) {
        hold_ticket_.reset();
        switch (outcome) {
          case HoldOutcome::kEndpointAvailable:
            pick_and_connect();
            break;
          case HoldOutcome::kTimedOut:
            worker_.metrics().count_error(ProxyError::kNoEndpoint);
            close();
            break;
        }
      });
      if (hold_ticket_) {
        phase_ = Phase::kHolding;
        return;
      }
      worker_.metrics().count_error(ProxyError::kNoEndpoint);
    } else {
      worker_.metrics().count_error(ProxyError::kBadGateway);
    }
    close();  // L4 has no status to send: the client sees its connection closed
    return;
  }
  ++attempts_;
  upstream_address_ = endpoint->endpoint.address;
  live::Connecting connecting = live::start_connect(upstream_address_);
  if (!connecting.socket.is_open()) {
    endpoint->counters->connect_failures.fetch_add(1, std::memory_order_relaxed);
    retry_or_fail(connecting.outcome);
    return;
  }
  upstream_ = std::move(connecting.socket);
  counters_ = endpoint->counters;
  counters_->open_connections.fetch_add(1, std::memory_order_relaxed);
  if (connecting.outcome == live::IoOutcome::kWouldBlock) {
    deadline_ = worker_.loop().clock().now() + worker_.options().limits.connect_timeout;
    set_interest(upstream_.fd(), upstream_watch_, upstream_interest_, live::kWritable, true);
    return;
  }
  on_connected();
}

void TcpSession::retry_or_fail(live::IoOutcome connect_outcome) {
  tried_.push_back(upstream_address_);
  const UpstreamFailure failure = connect_outcome == live::IoOutcome::kRefused
                                      ? UpstreamFailure::kConnectRefused
                                      : UpstreamFailure::kConnectReset;
  if (worker_.options().retry.decide(failure, false, attempts_, false) ==
      RetryDecision::kRetryOnAnotherEndpoint) {
    worker_.metrics().retries.fetch_add(1, std::memory_order_relaxed);
    pick_and_connect();
  } else {
    worker_.metrics().count_error(ProxyError::kBadGateway);
    close();
  }
}

void TcpSession::on_connected() {
  phase_ = Phase::kForwarding;
  counters_->requests.fetch_add(1, std::memory_order_relaxed);
  worker_.metrics().requests.fetch_add(1, std::memory_order_relaxed);
  if (worker_.options().proxy_protocol_v2) {
    const auto local = live::local_endpoint(client_.fd());
    header_ = proxy_protocol_v2_header(peer_, local.is_ok() ? local.value() : Ipv4Endpoint{});
  }
  deadline_ = worker_.loop().clock().now() + worker_.options().limits.idle_timeout;
  if (!worker_.table().is_pickable(upstream_address_)) on_table_changed(worker_.table());
  // The client's first bytes are usually here already and both sockets can take bytes, so try
  // those once; events drive the rest. The endpoint has not been sent anything yet, so reading
  // from it now would nearly always find nothing (EAGAIN): that read is left to its first event.
  const std::uint32_t all = live::kReadable | live::kWritable;
  pump(all, live::kWritable);
}

void TcpSession::on_client_events(std::uint32_t events) { pump(events, 0); }

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
    worker_.loop().unwatch_before_close(upstream_watch_);
    upstream_watch_ = 0;
    upstream_interest_ = 0;
    upstream_.reset();
    retry_or_fail(connected);
    return;
  }
  pump(0, events);
}

bool TcpSession::move(Direction& direction, int from, int to, bool count_to_endpoint, bool may_read,
                      bool may_write) {
  // Only the calls the readiness events allow are made: a read or write that would find nothing
  // costs a syscall per event, and L4 throughput is mostly syscalls.
  bool active = false;
  if (!direction.unsent.empty() && may_write) {
    if (!send_unsent(direction, to, count_to_endpoint, active)) return false;
  }
  if (direction.unsent.empty()) {
    if (!direction.bulk && may_read && !direction.eof) {
      if (!copy(direction, from, to, count_to_endpoint, active)) return false;
      // copy() reads once more only if it switched to bulk; splice() then takes over.
      may_read = direction.bulk && direction.unsent.empty();
      may_write = may_read;
    }
    if (direction.bulk && direction.unsent.empty() &&
        !splice(direction, from, to, count_to_endpoint, may_read, may_write, active)) {
      return false;
    }
  }
  if (direction.eof && !direction.holds_bytes() && !direction.shut) {
    // When the other direction is already shut, both sockets close right after this (pump()),
    // and close() sends the FIN: a shutdown() first would be a syscall for nothing.
    const Direction& other = &direction == &to_upstream_ ? to_client_ : to_upstream_;
    if (!other.shut) live::shutdown_write(to);
    direction.shut = true;
  }
  if (active) deadline_ = worker_.loop().clock().now() + worker_.options().limits.idle_timeout;
  return true;
}

bool TcpSession::copy(Direction& direction, int from, int to, bool count_to_endpoint,
                      bool& active) {
  // One buffer for all sessions of this thread: bytes live in it only until send() below, and
  // what send() does not take moves to direction.unsent.
  thread_local std::array<char, kCopyChunkBytes> chunk;
  const live::IoResult got = live::read_some(from, chunk.data(), chunk.size());
  switch (got.outcome) {
    case live::IoOutcome::kDone:
      break;
    case live::IoOutcome::kClosed:
      direction.eof = true;
      return true;
    case live::IoOutcome::kWouldBlock:
      return true;
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      close();
      return false;
  }
  active = true;
  direction.bulk = got.bytes == chunk.size();
  if (worker_.leave_to_flush(this)) {
    direction.unsent.assign(chunk.data(), got.bytes);
    return true;
  }
  const live::IoResult sent = live::write_some(to, chunk.data(), got.bytes);
  switch (sent.outcome) {
    case live::IoOutcome::kDone:
      count_sent(sent.bytes, count_to_endpoint);
      break;
    case live::IoOutcome::kWouldBlock:
    case live::IoOutcome::kClosed:
      break;
    case live::IoOutcome::kRefused:
    case live::IoOutcome::kReset:
    case live::IoOutcome::kOutOfResources:
    case live::IoOutcome::kError:
      close();
      return false;
  }
  const std::size_t taken = sent.outcome == live::IoOutcome::kDone ? sent.bytes : 0;
  direction.unsent.assign(chunk.data() + taken, got.bytes - taken);
  return true;
}

bool TcpSession::send_unsent(Direction& direction, int to, bool count_to_endpoint, bool& active) {
  const live::IoResult sent =
      live::write_some(to, direction.unsent.data(), direction.unsent.size());
  switch (sent.outcome) {
    case live::IoOutcome::kDone:
      count_sent(sent.bytes, count_to_endpoint);
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
      close();
      return false;
  }
  return true;
}

bool TcpSession::splice(Direction& direction, int from, int to, bool count_to_endpoint,
                        bool may_read, bool may_write, bool& active) {
  bool filled_full = false;
  while (true) {
    if (may_read && !direction.eof && direction.in_pipe < live::kSplicePipeCapacity) {
      const std::size_t room = live::kSplicePipeCapacity - direction.in_pipe;
      const live::IoResult filled = direction.pipe.fill_from(from, room);
      switch (filled.outcome) {
        case live::IoOutcome::kDone:
          direction.in_pipe += filled.bytes;
          filled_full = filled.bytes == room;
          may_write = true;
          active = true;
          break;
        case live::IoOutcome::kClosed:
          direction.eof = true;
          break;
        case live::IoOutcome::kWouldBlock:
          break;
        case live::IoOutcome::kRefused:
        case live::IoOutcome::kReset:
        case live::IoOutcome::kOutOfResources:
        case live::IoOutcome::kError:
          close();
          return false;
      }
    }
    if (direction.in_pipe == 0 || !may_write) break;
    const live::IoResult drained = direction.pipe.drain_to(to, direction.in_pipe);
    if (drained.outcome == live::IoOutcome::kWouldBlock) break;
    if (drained.outcome != live::IoOutcome::kDone) {
      close();
      return false;
    }
    direction.in_pipe -= drained.bytes;
    active = true;
    count_sent(drained.bytes, count_to_endpoint);
    if (direction.in_pipe > 0) break;  // the receiver is full
    if (!filled_full) break;           // the sender had no more than that
    filled_full = false;
  }
  return true;
}

void TcpSession::count_sent(std::size_t bytes, bool count_to_endpoint) {
  if (count_to_endpoint) {
    counters_->bytes_to_endpoint.fetch_add(bytes, std::memory_order_relaxed);
    worker_.metrics().bytes_from_clients.fetch_add(bytes, std::memory_order_relaxed);
  } else {
    counters_->bytes_from_endpoint.fetch_add(bytes, std::memory_order_relaxed);
    worker_.metrics().bytes_to_clients.fetch_add(bytes, std::memory_order_relaxed);
  }
}

void TcpSession::pump(std::uint32_t client_events, std::uint32_t upstream_events) {
  if (closed_ || phase_ != Phase::kForwarding) return;
  while (!header_.empty()) {
    const live::IoResult written = live::write_some(upstream_.fd(), header_.data(), header_.size());
    if (written.outcome == live::IoOutcome::kWouldBlock) break;
    if (written.outcome != live::IoOutcome::kDone) {
      close();
      return;
    }
    header_.erase(0, written.bytes);
  }
  const std::uint32_t readable = live::kReadable | live::kHangup;
  if (header_.empty() && !move(to_upstream_, client_.fd(), upstream_.fd(), true,
                               client_events & readable, upstream_events & live::kWritable)) {
    return;
  }
  if (!move(to_client_, upstream_.fd(), client_.fd(), false, upstream_events & readable,
            client_events & live::kWritable)) {
    return;
  }
  if (to_upstream_.shut && to_client_.shut) {
    close();
    return;
  }
  update_interest();
}

bool TcpSession::may_fill(const Direction& direction) const {
  return !direction.eof && direction.in_pipe < live::kSplicePipeCapacity &&
         (direction.unsent.empty() || queued_for_flush());
}

void TcpSession::add_sends(live::SendBatch& batch, std::uint64_t tag_base) {
  if (closed_) return;
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
  if (closed_ || result <= 0) return;
  const auto bytes = static_cast<std::size_t>(result);
  Direction& direction = side == kToUpstream ? to_upstream_ : to_client_;
  direction.unsent.erase(0, bytes);
  count_sent(bytes, side == kToUpstream);
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
  set_interest(client_.fd(), client_watch_, client_interest_, client, false);
  set_interest(upstream_.fd(), upstream_watch_, upstream_interest_, upstream, true);
}

void TcpSession::set_interest(int fd, live::WatchId& watch, std::uint32_t& current,
                              std::uint32_t interest, bool upstream) {
  if (interest == current) return;
  current = interest;
  live::EpollLoop& loop = worker_.loop();
  if (interest == 0) {
    loop.unwatch(watch);
    watch = 0;
  } else if (watch == 0) {
    watch = loop.watch(fd, interest, [this, upstream](std::uint32_t events) {
      if (upstream) {
        on_upstream_events(events);
      } else {
        on_client_events(events);
      }
    });
  } else {
    loop.modify(watch, interest);
  }
}

void TcpSession::on_sweep(runtime::Time now) {
  if (closed_) return;
  if (now >= drain_deadline_) {
    close();
    return;
  }
  if (now < deadline_) return;
  switch (phase_) {
    case Phase::kHolding:
      return;
    case Phase::kConnecting:
      counters_->connect_failures.fetch_add(1, std::memory_order_relaxed);
      worker_.metrics().count_error(ProxyError::kGatewayTimeout);
      close();
      return;
    case Phase::kForwarding:
      close();  // idle
      return;
  }
}

void TcpSession::on_table_changed(const EndpointTable& table) {
  if (phase_ != Phase::kForwarding || drain_deadline_ != runtime::Time::max()) return;
  if (table.is_pickable(upstream_address_)) return;
  drain_deadline_ = worker_.loop().clock().now() + worker_.options().limits.drain_timeout;
}

void TcpSession::on_drain() {
  // An L4 connection has no request boundary to stop at: it runs until it closes or the worker's
  // drain deadline passes.
}

void TcpSession::close_now() { close(); }

void TcpSession::close() {
  if (closed_) return;
  closed_ = true;
  if (hold_ticket_) {
    worker_.hold().cancel(*hold_ticket_);
    hold_ticket_.reset();
  }
  if (client_watch_ != 0) worker_.loop().unwatch_before_close(client_watch_);
  if (upstream_watch_ != 0) worker_.loop().unwatch_before_close(upstream_watch_);
  client_watch_ = upstream_watch_ = 0;
  client_.reset();
  upstream_.reset();
  // Bytes left in a pipe belong to this connection: only empty pipes are reused.
  for (Direction* direction : {&to_upstream_, &to_client_}) {
    if (direction->pipe.is_open() && direction->in_pipe == 0) {
      worker_.give_back_pipe(std::move(direction->pipe));
    }
  }
  worker_.retire(this);
}

}  // namespace nodrop::proxy
