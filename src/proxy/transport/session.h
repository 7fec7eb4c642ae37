// A client connection handled by a worker: the HTTP (L7) and TCP (L4) sessions implement this.
// Sessions live and die on their worker's loop thread.
#pragma once

#include <cstdint>

#include "live/sockets/send_batch.h"
#include "proxy/routing/endpoint_table.h"
#include "runtime/clock.h"

namespace nodrop::proxy {

class Session {
 public:
  virtual ~Session() = default;
  // Called once, right after the worker has registered the session.
  virtual void start() = 0;
  // Called by the worker's sweep: act on a passed deadline (timeouts, drain deadlines).
  virtual void on_sweep(runtime::Time now) = 0;
  // A new table was applied: connections to endpoints no longer pickable start draining.
  virtual void on_table_changed(const EndpointTable& table) = 0;
  // The whole proxy drains: finish the current exchange, take no new one.
  virtual void on_drain() = 0;
  // The drain deadline passed: close now.
  virtual void close_now() = 0;

  // Sending at the loop's next flush (every few events and at the end of a turn), for a session
  // that Worker::leave_to_flush() queued: first it adds its pending bytes to the batch (tagged with
  // tag_base | SendSide), then it hears the result of each send, then it carries on from there
  // (writing directly until that returns).
  enum SendSide : std::uint64_t { kToClient = 0, kToUpstream = 1 };
  virtual void add_sends(live::SendBatch& batch, std::uint64_t tag_base) = 0;
  virtual void on_sent(SendSide side, long result) = 0;  // bytes sent, or -errno
  virtual void after_flush() = 0;

  // Whether bytes wait for the next flush: they need no writability event, as they go out before
  // the loop waits.
  bool queued_for_flush() const { return queued_for_flush_; }

 private:
  friend class Worker;  // sets both
  bool queued_for_flush_ = false;
  bool in_after_flush_ = false;
};

}  // namespace nodrop::proxy
