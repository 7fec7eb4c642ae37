// The live runtime::Prober: httpGet and tcpSocket over non-blocking sockets on the event loop,
// exec as a child process (live/processes/pidfd.h) whose output is kept up to 10 KiB.
//
// Deviation from Kubernetes, on purpose: redirects are not followed. Every 3xx is a Success,
// which is what Kubernetes reports for a redirect to another host (a Warning that counts as
// Success) and for a same-host redirect to a page that answers 2xx; only a same-host redirect to
// a failing page differs.
// An exec probe whose command cannot be started (not found, not executable) is a Failure with the
// reason as its message, not an Unknown: a liveness probe that can never run must not pass.
//
// Threading: every method runs on the loop's thread. Bounds: a response head of 16 KiB plus
// 10 KiB of body; 10 KiB of exec output; one socket or one process per probe in flight.
// Destruction abandons probes in flight (their `done` never runs) and kills their processes.
#pragma once

#include <cstddef>
#include <map>
#include <memory>

#include "live/loop/epoll_loop.h"
#include "runtime/prober.h"

namespace nodrop::live {

class LiveProber final : public runtime::Prober {
 public:
  static constexpr std::size_t kResponseHeadBytesMax = 16 * 1024;

  explicit LiveProber(EpollLoop& loop);
  ~LiveProber() override;
  LiveProber(const LiveProber&) = delete;
  LiveProber& operator=(const LiveProber&) = delete;

  runtime::ProbeId probe(const runtime::ProbeSpec& spec, DoneCallback done) override;
  bool cancel(runtime::ProbeId probe) override;

  std::size_t in_flight() const { return attempts_.size(); }

 private:
  struct Attempt;

  void start_socket_probe(runtime::ProbeId id, Attempt& attempt, const std::string& host,
                          std::uint16_t port);
  void start_exec_probe(runtime::ProbeId id, Attempt& attempt, const runtime::ExecAction& action);
  void on_socket_event(runtime::ProbeId id, std::uint32_t events);
  void on_http_readable(runtime::ProbeId id, Attempt& attempt);
  void on_exec_exited(runtime::ProbeId id);
  // Finishes on the next loop turn (for outcomes known inside probe()).
  void finish_soon(runtime::ProbeId id, runtime::ProbeOutcome outcome);
  // Releases the attempt's resources, forgets it, then runs its `done`.
  void finish(runtime::ProbeId id, runtime::ProbeOutcome outcome);
  void release(Attempt& attempt);

  EpollLoop& loop_;
  runtime::ProbeId next_id_ = 1;
  std::map<runtime::ProbeId, std::unique_ptr<Attempt>> attempts_;
};

}  // namespace nodrop::live
