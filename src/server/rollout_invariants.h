// A checker of a rollout's bounds that reads only the store's watch, never the controllers
// (STYLE.md §10: invariants checked apart from the code under test). Used by the tests, in
// virtual time and against real processes.
//
// Over the ReplicaSets and pods the selector selects, after every write:
//
//   Σ spec.replicas of the ReplicaSets   ≤ replicas + maxSurge
//   pods not being deleted               ≤ replicas + maxSurge
//   available pods not being deleted     ≥ replicas − maxUnavailable, once that many were
//
// A pod is available once it has been Ready for longer than its ReplicaSet's minReadySeconds
// (IsPodAvailable), judged at the clock's time when the write is checked; with minReadySeconds 0
// available means Ready. The floor holds only once reached, so a checker made before a
// Deployment's first pods does not report their start.
//
// Two ways to run it:
//   - check(), from any thread (the store's watch is thread-safe), reads the writes queued so far
//     and judges them at the time of the call;
//   - given a `post`, the checker posts a check onto the loop after every batch of writes. In
//     virtual time a posted task runs at the time of the writes that posted it, so each write is
//     judged at its own time. check() and the accessors then belong to the loop's thread.
//
// violations() lists each bound crossed, with the resourceVersion where it happened.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/workload.h"
#include "runtime/clock.h"
#include "store/informer.h"
#include "store/store.h"

namespace nodrop::server {

// The bounds a rollout keeps, as numbers of pods.
struct RolloutBounds {
  std::int32_t replicas = 0;
  std::int32_t max_surge = 0;
  std::int32_t max_unavailable = 0;

  // From a defaulted Deployment's spec, as ResolveFenceposts and MaxUnavailable read it:
  //
  //   strategy        maxSurge  maxUnavailable  replicas  →  max_surge  max_unavailable
  //   RollingUpdate   25%       25%             10           3 (up)     2 (down)
  //   RollingUpdate   25%       25%             3            1          0
  //   RollingUpdate   0         0%              3            0          1 (both 0: one)
  //   Recreate        -         -               4            0          4 (every pod goes first)
  static RolloutBounds of(const api::Deployment& deployment);
};

class RolloutInvariants {
 public:
  RolloutInvariants(store::Store& store, const runtime::Clock& clock,
                    const api::LabelSelector& selector, RolloutBounds bounds,
                    store::Post post = nullptr);
  ~RolloutInvariants();
  RolloutInvariants(const RolloutInvariants&) = delete;
  RolloutInvariants& operator=(const RolloutInvariants&) = delete;

  void check();
  const std::vector<std::string>& violations() const { return violations_; }
  // The most pods (not being deleted) seen at once, and the largest Σ spec.replicas.
  int max_pods() const { return max_pods_; }
  int max_replica_set_total() const { return max_replica_set_total_; }
  // The fewest ready pods once all replicas were ready, and the fewest available once all were
  // available (replicas while that has not happened).
  int min_ready() const { return min_ready_; }
  int min_available() const { return min_available_; }

 private:
  struct Shared;
  void apply(const store::WatchEvent& event);
  void judge(store::ResourceVersion version);
  bool is_available(const api::Pod& pod) const;

  const runtime::Clock& clock_;
  api::LabelSelector selector_;
  RolloutBounds bounds_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<store::Watch> watch_;
  std::map<std::string, api::Pod> pods_;                 // by namespace/name
  std::map<std::string, api::ReplicaSet> replica_sets_;  // by namespace/name
  bool floor_reached_ = false;
  bool all_ready_ = false;
  bool all_available_ = false;
  int max_pods_ = 0;
  int max_replica_set_total_ = 0;
  int min_ready_ = 0;
  int min_available_ = 0;
  std::vector<std::string> violations_;
};

}  // namespace nodrop::server
