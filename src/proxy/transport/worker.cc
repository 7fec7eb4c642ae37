#include "proxy/transport/worker.h"

#include <algorithm>

#include "live/free_memory.h"
#include "live/sockets/tcp.h"
#include "proxy/transport/http_session.h"
#include "proxy/transport/tcp_session.h"

namespace nodrop::proxy {
namespace {

// Accepting is bounded per turn so that a connection storm cannot starve established sessions.
constexpr int kMaxAcceptsPerTurn = 64;
// Sends per io_uring submission; a flush with more submits in several.
constexpr unsigned kSendBatchEntries = 256;
// Queued sends go out after this many events and at the end of each turn. Measured with wrk on
// two shared cores: 16 keeps the keep-alive gain of batching whole turns, and with a new
// connection per request (turns of costly accepts) takes requests/s from below HAProxy's to above.
constexpr int kFlushEveryEvents = 16;
// How many sessions must have closed since the worker's peak before it returns freed memory to the
// system (an idle HTTP session is about 1 KiB, so this is about 1 MiB).
constexpr std::size_t kSessionsDropBeforeTrim = 1024;
// How long accepting pauses when the process is out of file descriptors, or at the connection
// limit before another worker's session ends.
constexpr std::chrono::milliseconds kAcceptPause{100};

}  // namespace

Worker::Worker(WorkerId id, const ProxyOptions& options, live::FileDescriptor listener,
               TablePublisher& publisher, ProxyMetrics& metrics, runtime::Random& random)
    : id_(id),
      options_(options),
      buffers_(options.limits.buffer_bytes, kMaxSpareBuffers),
      listener_(std::move(listener)),
      publisher_(publisher),
      metrics_(metrics),
      table_(publisher.current()),
      picker_(options.picker, random),
      hold_(loop_, options.hold),
      pool_(loop_, options.limits.max_idle_upstream_per_endpoint,
            options.limits.pool_idle_timeout) {
  if (options.batch_sends) batch_ = live::SendBatch::create(kSendBatchEntries);
  if (batch_ != nullptr) loop_.set_flush([this] { send_queued(); }, kFlushEveryEvents);
  publisher_.acknowledge(id_, table_->generation());
  watch_listener();
  sweep_timer_ = loop_.run_after(options_.limits.sweep_interval, [this] { sweep(); });
}

Worker::~Worker() {
  sessions_.clear();
  retired_.clear();
  pool_.close_all();
  close_listener();
  loop_.cancel(sweep_timer_);
  loop_.cancel(drain_deadline_timer_);
  loop_.cancel(accept_resume_timer_);
}

void Worker::run() {
  if (!stopped_) loop_.run();
}

void Worker::post_table(std::shared_ptr<const EndpointTable> table) {
  loop_.post_from_any_thread(
      [this, table = std::move(table)]() mutable { apply_table(std::move(table)); });
}

void Worker::post_drain() {
  loop_.post_from_any_thread([this] { start_drain(); });
}

void Worker::post_stop() {
  loop_.post_from_any_thread([this] { stop_now(); });
}

void Worker::send_queued() {
  // A session carrying on after its sends writes directly, but it may wake another (a held
  // request resumed, say) that queues: that one goes out in the next round, before the loop waits.
  while (!send_queue_.empty()) {
    sending_.swap(send_queue_);
    for (std::size_t i = 0; i < sending_.size(); ++i) sending_[i]->add_sends(*batch_, i << 1);
    for (const live::SendBatch::Result& result : batch_->finish()) {
      sending_[result.tag >> 1]->on_sent(static_cast<Session::SendSide>(result.tag & 1),
                                         result.value);
    }
    for (Session* session : sending_) session->finish_flush();
    sending_.clear();
  }
}

void Worker::retire(Session& session) {
  const auto found = sessions_.find(&session);
  if (found == sessions_.end()) return;
  if (retired_.empty()) {
    loop_.post([this] {
      retired_.clear();
      stop_if_drained();
    });
  }
  retired_.push_back(std::move(found->second));
  sessions_.erase(found);
  metrics_.connections_open.fetch_sub(1, std::memory_order_relaxed);
  // A place is free: accept again now rather than when the pause's timer looks.
  if (accept_resume_timer_ != 0 && listener_.is_open() && !at_connection_limit()) {
    loop_.cancel(accept_resume_timer_);
    accept_resume_timer_ = 0;
    watch_listener();
  }
}

bool Worker::at_connection_limit() const {
  return metrics_.connections_open.load(std::memory_order_relaxed) >=
         static_cast<std::int64_t>(options_.limits.max_connections);
}

void Worker::on_listener_ready() {
  for (int i = 0; i < kMaxAcceptsPerTurn && listener_.is_open(); ++i) {
    if (at_connection_limit()) {
      // Overflow path: stop accepting, as HAProxy's maxconn does. Clients wait in the listen
      // backlog (and beyond it, the kernel's SYN retries) until a session ends here, or another
      // worker's does (the pause's timer looks again), instead of being accepted and closed.
      metrics_.count_error(ProxyError::kOverConnectionLimit);
      pause_accepting();
      return;
    }
    live::Accepted accepted = live::accept_connection(listener_.fd());
    switch (accepted.outcome) {
      case live::IoOutcome::kDone:
        break;
      case live::IoOutcome::kWouldBlock:
      case live::IoOutcome::kClosed:
      case live::IoOutcome::kRefused:
      case live::IoOutcome::kReset:
      case live::IoOutcome::kError:
        return;
      case live::IoOutcome::kOutOfResources:
        // Overflow path: pending clients wait in the backlog. The listener stays readable, so
        // stop watching it for a moment instead of spinning on it until a descriptor frees up.
        metrics_.count_error(ProxyError::kOverConnectionLimit);
        pause_accepting();
        return;
    }
    metrics_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    // The limit holds over all workers (they share one socket, so any of them may take the next
    // connection): take a place first, so two workers accepting at once cannot both get the last.
    if (metrics_.connections_open.fetch_add(1, std::memory_order_relaxed) >=
        static_cast<std::int64_t>(options_.limits.max_connections)) {
      metrics_.connections_open.fetch_sub(1, std::memory_order_relaxed);
      metrics_.count_error(ProxyError::kOverConnectionLimit);
      // Only when two workers raced for the last place: this one's client is closed at once.
      continue;
    }
    SessionHost& host = *this;
    std::unique_ptr<Session> session;
    switch (options_.mode) {
      case ProxyMode::kHttp:
        session = std::make_unique<HttpSession>(host, std::move(accepted.socket), accepted.peer);
        break;
      case ProxyMode::kTcp:
        session = std::make_unique<TcpSession>(host, std::move(accepted.socket), accepted.peer);
        break;
    }
    Session* started = session.get();
    sessions_.emplace(started, std::move(session));
    started->start();  // may retire the session at once: it is registered first
    // A new session is as much work as an event: a burst of accepts flushes as often.
    if (batch_ != nullptr && (i + 1) % kFlushEveryEvents == 0) send_queued();
  }
}

Result<live::SplicePipe> Worker::take_pipe() {
  if (spare_pipes_.empty()) return live::SplicePipe::create();
  live::SplicePipe pipe = std::move(spare_pipes_.back());
  spare_pipes_.pop_back();
  return pipe;
}

void Worker::give_back_pipe(live::SplicePipe pipe) {
  if (spare_pipes_.size() < kMaxSparePipes) spare_pipes_.push_back(std::move(pipe));
}

void Worker::watch_listener() {
  // A listener shared with other workers wakes one waiting worker per connection, not all.
  const bool shared = options_.workers > 1 && !options_.reuse_port;
  listener_watch_ = loop_.watch(listener_.fd(), live::kReadable | (shared ? live::kExclusive : 0U),
                                [this](std::uint32_t) { on_listener_ready(); });
}

void Worker::pause_accepting() {
  if (listener_watch_ == 0 || accept_resume_timer_ != 0) return;
  loop_.unwatch(listener_watch_);
  listener_watch_ = 0;
  accept_resume_timer_ = loop_.run_after(kAcceptPause, [this] {
    accept_resume_timer_ = 0;
    if (!listener_.is_open()) return;
    watch_listener();
  });
}

void Worker::apply_table(std::shared_ptr<const EndpointTable> table) {
  if (table->generation() <= table_->generation()) return;  // an older table arrived late
  table_ = std::move(table);
  pool_.close_unpickable(*table_);
  // Copy the keys: a session may retire itself while reacting.
  std::vector<Session*> sessions;
  sessions.reserve(sessions_.size());
  for (const auto& entry : sessions_) sessions.push_back(entry.first);
  for (Session* session : sessions) {
    if (sessions_.contains(session)) session->on_table_changed(*table_);
  }
  if (!table_->pickable().empty()) hold_.release();
  publisher_.acknowledge(id_, table_->generation());
}

void Worker::close_listener() {
  // unwatch(), not unwatch_before_close(): a shared listener is dup()ed, so closing this
  // descriptor alone would leave it in this loop's epoll set.
  if (listener_watch_ != 0) loop_.unwatch(listener_watch_);
  listener_watch_ = 0;
  listener_.reset();
}

void Worker::start_drain() {
  if (draining_ || stopped_) return;
  draining_ = true;
  // Take what is already in the backlog before closing, so no client that connected is reset.
  on_listener_ready();
  close_listener();
  pool_.close_all();
  drain_deadline_timer_ = loop_.run_after(options_.limits.drain_timeout, [this] {
    drain_deadline_timer_ = 0;
    stop_now();
  });
  std::vector<Session*> sessions;
  for (const auto& entry : sessions_) sessions.push_back(entry.first);
  for (Session* session : sessions) {
    if (sessions_.contains(session)) session->on_drain();
  }
  stop_if_drained();
}

void Worker::stop_if_drained() {
  if (draining_ && !stopped_ && sessions_.empty()) stop_now();
}

void Worker::stop_now() {
  if (stopped_) return;
  stopped_ = true;
  close_listener();
  std::vector<Session*> sessions;
  for (const auto& entry : sessions_) sessions.push_back(entry.first);
  for (Session* session : sessions) {
    if (sessions_.contains(session)) session->close_now();
  }
  pool_.close_all();
  loop_.stop();
}

void Worker::sweep() {
  sweep_timer_ = loop_.run_after(options_.limits.sweep_interval, [this] { sweep(); });
  // After many connections have closed, the allocator keeps their memory unless told to give it
  // back; once per large drop, not per connection.
  sessions_peak_ = std::max(sessions_peak_, sessions_.size());
  if (sessions_peak_ >= sessions_.size() + kSessionsDropBeforeTrim) {
    live::return_free_memory();
    sessions_peak_ = sessions_.size();
  }
  const runtime::Time now = loop_.clock().now();
  std::vector<Session*> sessions;
  sessions.reserve(sessions_.size());
  for (const auto& entry : sessions_) sessions.push_back(entry.first);
  for (Session* session : sessions) {
    if (sessions_.contains(session)) session->on_sweep(now);
  }
  pool_.sweep(now);
}

}  // namespace nodrop::proxy
