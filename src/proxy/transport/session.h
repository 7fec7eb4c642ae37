// A client connection handled by a worker: HttpSession (L7) and TcpSession (L4). Sessions live and
// die on their worker's loop thread.
//
// What both kinds have in common is here, once: the client socket and its watch; the deadline of
// whatever the session waits for now (a head, a connect, a response, silence); the drain deadline
// of a connection tied to one endpoint for its whole life (an L4 connection, an HTTP tunnel),
// which starts when that endpoint leaves the table; a place in the hold queue; the order in which
// the worker's sweep looks at them; teardown; and the sending protocol of the worker's flushes.
//
// A session reaches its worker only through SessionHost.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "base/ipv4.h"
#include "base/status.h"
#include "live/file_descriptor.h"
#include "live/loop/epoll_loop.h"
#include "live/sockets/send_batch.h"
#include "live/sockets/splice.h"
#include "proxy/routing/endpoint_table.h"
#include "proxy/routing/hold_queue.h"
#include "proxy/routing/picker.h"
#include "proxy/transport/byte_buffer.h"
#include "proxy/transport/proxy_metrics.h"
#include "proxy/transport/proxy_options.h"
#include "proxy/transport/upstream_pool.h"
#include "runtime/clock.h"

namespace nodrop::proxy {

class Session;

// What a session may ask of the worker that runs it (the worker implements it). Everything is
// used on the worker's loop thread.
class SessionHost {
 public:
  virtual live::EpollLoop& loop() = 0;
  virtual const ProxyOptions& options() const = 0;
  virtual ProxyMetrics& metrics() = 0;
  virtual BufferPool& buffers() = 0;
  // The table new work is routed by, and the state of this worker's routing.
  virtual const EndpointTable& table() const = 0;
  virtual Picker& picker() = 0;
  virtual HoldQueue& hold() = 0;
  virtual UpstreamPool& pool() = 0;
  // The whole proxy drains: exchanges finish, no new ones start.
  virtual bool draining() const = 0;
  // Whether sessions' writes go out in batches (io_uring is available and options().batch_sends).
  virtual bool batches_sends() const = 0;
  // Sends the session's pending bytes at the loop's next flush (Session::add_sends()); forgets
  // a session destroyed before then.
  virtual void queue_for_flush(Session& session) = 0;
  virtual void forget_queued(Session& session) = 0;
  // The session has closed its sockets; the worker destroys it after the current callback.
  virtual void retire(Session& session) = 0;
  // Splice pipes are reused across L4 connections (two per connection), as creating and closing
  // them would cost six syscalls per connection. Only empty pipes may be given back.
  virtual Result<live::SplicePipe> take_pipe() = 0;
  virtual void give_back_pipe(live::SplicePipe pipe) = 0;

 protected:
  ~SessionHost() = default;
};

class Session {
 public:
  virtual ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Called once, right after the worker has registered the session.
  virtual void start() = 0;
  // Called by the worker's sweep: closes a connection whose drain deadline has passed, lets the
  // session give back what an idle connection does not need, then acts on its deadline if that
  // has passed (timeouts).
  void on_sweep(runtime::Time now);
  // A new table was applied: a connection tied to an endpoint no longer pickable gets its drain
  // deadline (limits.endpoint_drain_timeout from now; with 0 it is cut at once).
  void on_table_changed(const EndpointTable& table);
  // The whole proxy drains: finish the current exchange, take no new one.
  virtual void on_drain() = 0;
  // The drain deadline of the whole proxy passed: close now.
  void close_now() { close(); }

  // Sending at the loop's next flush (every few events and at the end of a turn), for a session
  // that leave_to_flush() queued: first it adds its pending bytes to the batch (tagged with
  // tag_base | SendSide), then it hears the result of each send, then it carries on from there
  // (finish_flush(): writing directly until that returns).
  enum SendSide : std::uint64_t { kToClient = 0, kToUpstream = 1 };
  virtual void add_sends(live::SendBatch& batch, std::uint64_t tag_base) = 0;
  virtual void on_sent(SendSide side, long result) = 0;  // bytes sent, or -errno
  void finish_flush();

 protected:
  Session(SessionHost& host, live::FileDescriptor client, Ipv4Endpoint peer);

  // What the sweep and a table change ask of each kind of session.
  // Gives back what an idle connection need not hold (called by every sweep).
  virtual void release_when_idle() {}
  // deadline() has passed.
  virtual void on_deadline() = 0;
  // The endpoint this connection is tied to for the rest of its life, if it is (an L4
  // connection, a tunnel); nullptr while it is not.
  virtual const Ipv4Endpoint* tied_endpoint() const = 0;
  // Releases what the session holds besides its client socket, as it closes.
  virtual void release() = 0;
  // A cut (cut()): resets the upstream connection, if the session holds one for itself alone.
  virtual void reset_upstream() {}
  // Carrying on after a flush (finish_flush()).
  virtual void after_flush() = 0;

  // Closes the session: its place in the hold queue, release(), the client socket; the worker
  // destroys it after the current callback. Idempotent.
  void close();
  // Closes with a reset (RST) to the client, and to the upstream through reset_upstream(): a
  // connection cut, not ended.
  void cut();
  bool closed() const { return closed_; }
  // The address an onward connection comes from (options().upstream_source); nullopt: any.
  std::optional<Ipv4Address> upstream_source() const;

  // For a session about to write: true when its bytes are left to the next flush (queued once
  // until then); false when it must write now (no batching, or it is carrying on after a flush).
  bool leave_to_flush();
  // Whether bytes wait for the next flush: they need no writability event, as they go out before
  // the loop waits.
  bool queued_for_flush() const { return send_state_ == SendState::kQueued; }

  // Waits for an endpoint in the hold queue: resume runs once, unless the session closes first.
  // False when hold is off or full (the caller answers at once).
  bool hold_for_endpoint(std::function<void(HoldOutcome)> resume);
  // Leaves the hold queue, if the session waits there; resume will not run.
  void stop_holding();

  // Watches the client socket for interest (0: nothing); events go to on_client_events().
  void set_client_interest(std::uint32_t interest);
  virtual void on_client_events(std::uint32_t events) = 0;

  runtime::Time now() const { return loop_.clock().now(); }
  runtime::Time deadline() const { return deadline_; }
  void set_deadline(runtime::Time deadline) { deadline_ = deadline; }
  // The deadline `timeout` from now.
  void set_deadline_after(std::chrono::milliseconds timeout) { deadline_ = now() + timeout; }

  SessionHost& host_;
  live::EpollLoop& loop_;
  const ProxyOptions& options_;
  ProxyMetrics& metrics_;
  live::FileDescriptor client_;
  const Ipv4Endpoint peer_;

 private:
  enum class SendState {
    kDirect,      // writes go out at once (or wait for the next flush, through leave_to_flush())
    kQueued,      // bytes wait for the loop's next flush
    kAfterFlush,  // carrying on after a flush: writes go out at once, so nothing waits a turn
  };

  const bool batches_sends_;
  SendState send_state_ = SendState::kDirect;
  bool closed_ = false;
  live::FdWatch client_watch_;
  std::optional<HoldTicket> hold_ticket_;
  runtime::Time deadline_ = runtime::Time::max();
  runtime::Time drain_deadline_ = runtime::Time::max();
};

}  // namespace nodrop::proxy
