// A checker of a rollout's bounds that reads only the store's watch, never the controllers
// (STYLE.md §10: invariants checked apart from the code under test). Used by the tests, in
// virtual time and against real processes.
//
//   pods not being deleted       ≤ replicas + maxSurge
//   ready pods not being deleted ≥ replicas − maxUnavailable, once that many were ready
//
// check() reads every event queued so far (thread-safe: the store's watch is); violations()
// lists each bound crossed, with the resourceVersion where it happened.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace nodrop::server {

class RolloutInvariants {
 public:
  RolloutInvariants(store::Store& store, const api::LabelSelector& selector, std::int32_t replicas,
                    std::int32_t max_surge, std::int32_t max_unavailable);

  void check();
  const std::vector<std::string>& violations() const { return violations_; }
  // The most pods (not being deleted) seen at once, and the fewest ready once all were.
  int max_pods() const { return max_pods_; }
  int min_ready() const { return min_ready_; }

 private:
  std::shared_ptr<store::Watch> watch_;
  api::LabelSelector selector_;
  std::map<std::string, api::Pod> pods_;  // by namespace/name
  std::int32_t replicas_;
  std::int32_t max_surge_;
  std::int32_t max_unavailable_;
  bool reached_ = false;
  int max_pods_ = 0;
  int min_ready_ = 0;
  std::vector<std::string> violations_;
};

}  // namespace nodrop::server
