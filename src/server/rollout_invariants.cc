#include "server/rollout_invariants.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>

#include "api/int_or_string.h"
#include "api/pod.h"

namespace nodrop::server {
namespace {

std::string key_of(const api::ObjectMeta& metadata) {
  return metadata.namespace_name + "/" + metadata.name;
}

}  // namespace

RolloutBounds RolloutBounds::of(const api::Deployment& deployment) {
  const std::int32_t replicas = deployment.spec.replicas.value_or(1);
  switch (deployment.spec.strategy.type) {
    case api::DeploymentStrategyType::kRecreate:
      return {replicas, 0, replicas};
    case api::DeploymentStrategyType::kRollingUpdate:
      break;
  }
  const api::RollingUpdateDeployment rolling =
      deployment.spec.strategy.rolling_update.value_or(api::RollingUpdateDeployment{});
  const api::IntOrString kDefault = api::IntOrString::from_string("25%");
  const std::int32_t surge =
      api::scaled_value_from_int_or_percent(rolling.max_surge.value_or(kDefault), replicas, true)
          .value();
  std::int32_t unavailable = api::scaled_value_from_int_or_percent(
                                 rolling.max_unavailable.value_or(kDefault), replicas, false)
                                 .value();
  if (surge == 0 && unavailable == 0) unavailable = 1;
  return {replicas, surge, std::min(unavailable, replicas)};
}

// What the watch's on_ready shares with the checker: it may run on any thread, and after the
// checker is gone.
struct RolloutInvariants::Shared {
  RolloutInvariants* checker = nullptr;  // on the loop's thread only
  std::atomic<bool> check_posted{false};
};

RolloutInvariants::RolloutInvariants(store::Store& store, const runtime::Clock& clock,
                                     const api::LabelSelector& selector, RolloutBounds bounds,
                                     store::Post post)
    : clock_(clock),
      selector_(selector),
      bounds_(bounds),
      shared_(std::make_shared<Shared>()),
      min_ready_(bounds.replicas),
      min_available_(bounds.replicas) {
  shared_->checker = this;
  store::WatchOptions options{.filter =
                                  [selector](const api::Object& object) {
                                    return (std::holds_alternative<api::Pod>(object) ||
                                            std::holds_alternative<api::ReplicaSet>(object)) &&
                                           selector.matches(api::metadata_of(object).labels);
                                  },
                              .max_queued = 1'000'000};
  if (post) {
    options.on_ready = [weak = std::weak_ptr<Shared>(shared_), post] {
      const std::shared_ptr<Shared> shared = weak.lock();
      if (!shared || shared->check_posted.exchange(true)) return;
      post([shared] {
        shared->check_posted = false;
        if (shared->checker != nullptr) shared->checker->check();
      });
    };
  }
  watch_ = store.watch(std::move(options)).value();
}

RolloutInvariants::~RolloutInvariants() {
  shared_->checker = nullptr;
  watch_->stop();
}

void RolloutInvariants::check() {
  if (watch_->expired()) violations_.push_back("the checker's watch expired: events were lost");
  for (const store::WatchEvent& event : watch_->take()) {
    apply(event);
    judge(event.resource_version);
  }
}

void RolloutInvariants::apply(const store::WatchEvent& event) {
  const std::string key = key_of(api::metadata_of(*event.object));
  const bool deleted = event.type == store::WatchEventType::kDeleted;
  if (const auto* pod = std::get_if<api::Pod>(event.object.get())) {
    if (deleted) {
      pods_.erase(key);
    } else {
      pods_[key] = *pod;
    }
  } else if (const auto* replica_set = std::get_if<api::ReplicaSet>(event.object.get())) {
    if (deleted) {
      replica_sets_.erase(key);
    } else {
      replica_sets_[key] = *replica_set;
    }
  }
}

bool RolloutInvariants::is_available(const api::Pod& pod) const {
  std::int32_t min_ready_seconds = 0;
  if (const api::OwnerReference* owner = pod.metadata.controller_ref()) {
    for (const auto& [key, replica_set] : replica_sets_) {
      if (replica_set.metadata.uid == owner->uid)
        min_ready_seconds = replica_set.spec.min_ready_seconds;
    }
  }
  return api::is_pod_available(pod, min_ready_seconds, clock_.wall_now());
}

void RolloutInvariants::judge(store::ResourceVersion version) {
  const std::int32_t most = bounds_.replicas + bounds_.max_surge;
  const std::int32_t floor = bounds_.replicas - bounds_.max_unavailable;
  int total = 0;
  for (const auto& [key, replica_set] : replica_sets_)
    total += replica_set.spec.replicas.value_or(1);
  int counted = 0;
  int ready = 0;
  int available = 0;
  for (const auto& [key, pod] : pods_) {
    if (pod.metadata.deletion_timestamp.has_value()) continue;
    ++counted;
    if (api::is_pod_ready(pod)) ++ready;
    if (is_available(pod)) ++available;
  }
  max_replica_set_total_ = std::max(max_replica_set_total_, total);
  max_pods_ = std::max(max_pods_, counted);
  if (total > most) {
    violations_.push_back(fmt::format("Σ spec.replicas {} at resourceVersion {} (at most {} + {})",
                                      total, version, bounds_.replicas, bounds_.max_surge));
  }
  if (counted > most) {
    violations_.push_back(fmt::format("{} pods at resourceVersion {} (at most {} + {})", counted,
                                      version, bounds_.replicas, bounds_.max_surge));
  }
  if (available >= floor) floor_reached_ = true;
  if (floor_reached_ && available < floor) {
    violations_.push_back(fmt::format("{} available at resourceVersion {} (at least {} - {})",
                                      available, version, bounds_.replicas,
                                      bounds_.max_unavailable));
  }
  if (ready >= bounds_.replicas) all_ready_ = true;
  if (all_ready_) min_ready_ = std::min(min_ready_, ready);
  if (available >= bounds_.replicas) all_available_ = true;
  if (all_available_) min_available_ = std::min(min_available_, available);
}

}  // namespace nodrop::server
