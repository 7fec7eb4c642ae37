#include "server/rollout_invariants.h"

#include <fmt/format.h>

#include <algorithm>

namespace nodrop::server {
namespace {

bool is_ready(const api::Pod& pod) {
  const api::Condition* ready = api::find_condition(pod.status.conditions, "Ready");
  return ready != nullptr && ready->status == api::ConditionStatus::kTrue;
}

}  // namespace

RolloutInvariants::RolloutInvariants(store::Store& store, const api::LabelSelector& selector,
                                     std::int32_t replicas, std::int32_t max_surge,
                                     std::int32_t max_unavailable)
    : selector_(selector),
      replicas_(replicas),
      max_surge_(max_surge),
      max_unavailable_(max_unavailable),
      min_ready_(replicas) {
  watch_ = store.watch({.kind = "Pod", .max_queued = 1'000'000}).value();
}

void RolloutInvariants::check() {
  if (watch_->expired()) violations_.push_back("the checker's watch expired: events were lost");
  for (const store::WatchEvent& event : watch_->take()) {
    const api::Pod& pod = std::get<api::Pod>(*event.object);
    if (!selector_.matches(pod.metadata.labels)) continue;
    const std::string key = pod.metadata.namespace_name + "/" + pod.metadata.name;
    if (event.type == store::WatchEventType::kDeleted) {
      pods_.erase(key);
    } else {
      pods_[key] = pod;
    }
    int counted = 0;
    int ready = 0;
    for (const auto& [name, each] : pods_) {
      if (each.metadata.deletion_timestamp.has_value()) continue;
      ++counted;
      if (is_ready(each)) ++ready;
    }
    max_pods_ = std::max(max_pods_, counted);
    if (counted > replicas_ + max_surge_) {
      violations_.push_back(fmt::format("{} pods at resourceVersion {} (at most {} + {})", counted,
                                        event.resource_version, replicas_, max_surge_));
    }
    if (reached_) {
      min_ready_ = std::min(min_ready_, ready);
      if (ready < replicas_ - max_unavailable_) {
        violations_.push_back(fmt::format("{} ready at resourceVersion {} (at least {} - {})",
                                          ready, event.resource_version, replicas_,
                                          max_unavailable_));
      }
    }
    if (ready >= replicas_) reached_ = true;
  }
}

}  // namespace nodrop::server
