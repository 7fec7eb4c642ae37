#include "proxy/transport/session.h"

#include <utility>

#include "live/sockets/tcp.h"

namespace nodrop::proxy {

Session::Session(SessionHost& host, live::FileDescriptor client, Ipv4Endpoint peer)
    : host_(host),
      loop_(host.loop()),
      options_(host.options()),
      metrics_(host.metrics()),
      client_(std::move(client)),
      peer_(peer),
      batches_sends_(host.batches_sends()) {}

Session::~Session() {
  if (send_state_ == SendState::kQueued) host_.forget_queued(*this);
  if (hold_ticket_) host_.hold().cancel(*hold_ticket_);
  client_watch_.remove_before_close(loop_);  // client_ closes next
}

void Session::on_sweep(runtime::Time now) {
  if (closed_) return;
  if (now >= drain_deadline_) {
    cut();
    return;
  }
  release_when_idle();
  if (now >= deadline_) on_deadline();
}

void Session::on_table_changed(const EndpointTable& table) {
  if (closed_ || drain_deadline_ != runtime::Time::max()) return;
  const Ipv4Endpoint* endpoint = tied_endpoint();
  if (endpoint == nullptr || table.is_pickable(*endpoint)) return;
  if (options_.limits.endpoint_drain_timeout.count() == 0) {
    cut();
    return;
  }
  drain_deadline_ = now() + options_.limits.endpoint_drain_timeout;
}

std::optional<Ipv4Address> Session::upstream_source() const {
  switch (options_.upstream_source.kind) {
    case UpstreamSource::Kind::kAny:
      return std::nullopt;
    case UpstreamSource::Kind::kAddress:
      return options_.upstream_source.address;
    case UpstreamSource::Kind::kClient:
      return peer_.address;
  }
  return std::nullopt;
}

void Session::finish_flush() {
  send_state_ = SendState::kAfterFlush;
  after_flush();
  send_state_ = SendState::kDirect;
}

bool Session::leave_to_flush() {
  if (!batches_sends_ || send_state_ == SendState::kAfterFlush) return false;
  if (send_state_ == SendState::kDirect) {
    send_state_ = SendState::kQueued;
    host_.queue_for_flush(*this);
  }
  return true;
}

bool Session::hold_for_endpoint(std::function<void(HoldOutcome)> resume) {
  hold_ticket_ = host_.hold().hold([this, resume = std::move(resume)](HoldOutcome outcome) {
    hold_ticket_.reset();
    resume(outcome);
  });
  return hold_ticket_.has_value();
}

void Session::stop_holding() {
  if (!hold_ticket_) return;
  host_.hold().cancel(*hold_ticket_);
  hold_ticket_.reset();
}

void Session::set_client_interest(std::uint32_t interest) {
  client_watch_.set(loop_, client_.fd(), interest,
                    [this](std::uint32_t events) { on_client_events(events); });
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  stop_holding();
  release();
  client_watch_.remove_before_close(loop_);
  client_.reset();
  host_.retire(*this);
}

void Session::cut() {
  if (closed_) return;
  reset_upstream();
  client_watch_.remove_before_close(loop_);
  live::close_with_reset(client_);
  close();
}

}  // namespace nodrop::proxy
