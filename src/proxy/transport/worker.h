// One data-plane worker: an epoll loop on its own thread, its share of the listening socket (all
// workers accept from one socket by default, or each from its own SO_REUSEPORT socket), its
// sessions, its upstream pool, its picker and its hold queue. Workers share nothing but the
// endpoint tables (immutable), the per-endpoint counters and the listener metrics (atomics).
//
// Table changes arrive with post_table() from any thread; the worker applies them on its loop,
// closes idle upstream connections to endpoints that left, starts drain deadlines for tunnels and
// L4 connections to them, resumes held requests, and then acknowledges the generation.
//
// Sessions see the worker only as their SessionHost (session.h).
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "live/file_descriptor.h"
#include "live/loop/epoll_loop.h"
#include "live/sockets/splice.h"
#include "proxy/routing/endpoint_table.h"
#include "proxy/routing/hold_queue.h"
#include "proxy/routing/picker.h"
#include "proxy/transport/byte_buffer.h"
#include "proxy/transport/proxy_metrics.h"
#include "proxy/transport/proxy_options.h"
#include "proxy/transport/session.h"
#include "proxy/transport/upstream_pool.h"
#include "runtime/random.h"

namespace nodrop::proxy {

class Worker final : private SessionHost {
 public:
  Worker(WorkerId id, const ProxyOptions& options, live::FileDescriptor listener,
         TablePublisher& publisher, ProxyMetrics& metrics, runtime::Random& random);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs the loop on the calling thread until the worker has stopped.
  void run();
  // Thread-safe.
  void post_table(std::shared_ptr<const EndpointTable> table);
  // Thread-safe: stop accepting, let every session finish its exchange, close idle ones, and stop
  // when none is left or the drain deadline passes.
  void post_drain();
  // Thread-safe: close everything now and stop.
  void post_stop();

  // Whether sessions' writes go out in batches (io_uring is available and options().batch_sends).
  bool batches_sends() const override { return batch_ != nullptr; }
  static constexpr std::size_t kMaxSparePipes = 256;
  // Spare session buffers kept for reuse: enough for 64 busy HTTP sessions' churn (4 MiB at the
  // default 16 KiB); beyond it, buffers freed by quiet connections go back to the allocator.
  static constexpr std::size_t kMaxSpareBuffers = 256;

 private:
  // SessionHost, for the sessions on the loop thread.
  live::EpollLoop& loop() override { return loop_; }
  const ProxyOptions& options() const override { return options_; }
  ProxyMetrics& metrics() override { return metrics_; }
  BufferPool& buffers() override { return buffers_; }
  const EndpointTable& table() const override { return *table_; }
  Picker& picker() override { return picker_; }
  HoldQueue& hold() override { return hold_; }
  UpstreamPool& pool() override { return pool_; }
  bool draining() const override { return draining_; }
  void queue_for_flush(Session& session) override { send_queue_.push_back(&session); }
  void forget_queued(Session& session) override { std::erase(send_queue_, &session); }
  void retire(Session& session) override;
  // At most kMaxSparePipes are kept, the rest are closed.
  Result<live::SplicePipe> take_pipe() override;
  void give_back_pipe(live::SplicePipe pipe) override;

  void on_listener_ready();
  void send_queued();
  void watch_listener();
  void pause_accepting();
  bool at_connection_limit() const;
  void apply_table(std::shared_ptr<const EndpointTable> table);
  void start_drain();
  void stop_now();
  void sweep();
  void stop_if_drained();
  void close_listener();

  // Declared first, destroyed last: sessions destroyed with the worker still take themselves off.
  std::vector<Session*> send_queue_;
  std::vector<Session*> sending_;
  std::unique_ptr<live::SendBatch> batch_;
  const WorkerId id_;
  // Before the sessions, which give their buffers back as they are destroyed.
  const ProxyOptions& options_;
  BufferPool buffers_;
  live::EpollLoop loop_;
  live::FileDescriptor listener_;
  live::WatchId listener_watch_ = 0;
  TablePublisher& publisher_;
  ProxyMetrics& metrics_;
  std::shared_ptr<const EndpointTable> table_;
  Picker picker_;
  HoldQueue hold_;
  UpstreamPool pool_;
  std::unordered_map<Session*, std::unique_ptr<Session>> sessions_;
  std::vector<std::unique_ptr<Session>> retired_;
  std::vector<live::SplicePipe> spare_pipes_;
  std::size_t sessions_peak_ = 0;  // most sessions since memory was last returned
  bool draining_ = false;
  bool stopped_ = false;
  runtime::TimerId sweep_timer_ = 0;
  runtime::TimerId drain_deadline_timer_ = 0;
  runtime::TimerId accept_resume_timer_ = 0;
};

}  // namespace nodrop::proxy
