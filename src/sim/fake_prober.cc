#include "sim/fake_prober.h"

#include "base/check.h"

namespace nodrop::sim {

runtime::ProbeId FakeProber::probe(const runtime::ProbeSpec& spec, DoneCallback done) {
  NODROP_CHECK(done != nullptr);
  const runtime::ProbeId id = next_id_++;
  probes_.push_back({loop_.clock().now(), spec});
  Answer answer = script_ ? script_(spec) : Answer{};
  if (answer.latency >= spec.timeout) {
    answer.latency = spec.timeout;
    answer.outcome = {runtime::ProbeResult::kFailure, "timeout"};
  }
  const runtime::TimerId timer =
      loop_.run_after(answer.latency, [this, id, outcome = answer.outcome, done = std::move(done)] {
        pending_.erase(id);
        done(outcome);
      });
  pending_.emplace(id, timer);
  return id;
}

bool FakeProber::cancel(runtime::ProbeId probe) {
  const auto found = pending_.find(probe);
  if (found == pending_.end()) return false;
  loop_.cancel(found->second);
  pending_.erase(found);
  return true;
}

}  // namespace nodrop::sim
