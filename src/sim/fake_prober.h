// A runtime::Prober for virtual-time tests of the kubelet's probe workers: a script decides
// every probe's outcome and how long it takes, and every probe is recorded with its time.
//
// An answer whose latency reaches the spec's timeout becomes a Failure at the timeout, as a probe
// that hangs. `done` runs on a later turn of the loop (latency 0: the next turn), never inside
// probe(), as the port's contract requires.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <vector>

#include "runtime/event_loop.h"
#include "runtime/prober.h"

namespace nodrop::sim {

class FakeProber final : public runtime::Prober {
 public:
  struct Answer {
    runtime::ProbeOutcome outcome{runtime::ProbeResult::kSuccess, ""};
    runtime::Duration latency{};
  };
  using Script = std::function<Answer(const runtime::ProbeSpec& spec)>;

  struct Record {
    runtime::Time at;
    runtime::ProbeSpec spec;
  };

  explicit FakeProber(runtime::EventLoop& loop) : loop_(loop) {}

  // The default script answers Success at once.
  void set_script(Script script) { script_ = std::move(script); }

  runtime::ProbeId probe(const runtime::ProbeSpec& spec, DoneCallback done) override;
  bool cancel(runtime::ProbeId probe) override;

  const std::vector<Record>& probes() const { return probes_; }
  std::size_t in_flight() const { return pending_.size(); }

 private:
  runtime::EventLoop& loop_;
  Script script_;
  runtime::ProbeId next_id_ = 1;
  std::map<runtime::ProbeId, runtime::TimerId> pending_;
  std::vector<Record> probes_;
};

}  // namespace nodrop::sim
