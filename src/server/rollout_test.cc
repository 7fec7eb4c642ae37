// Rollouts on the whole cluster in virtual time: the composition root (server::Cluster) over the
// sim loop, fake processes and fake probes, with every controller, the scheduler and the kubelets
// in the loop. Pods behave as their scripts say:
//   - ready at once: a container without a readiness probe is ready as soon as it runs;
//   - ready after a delay, or never: a readiness probe that the fake prober answers per pod (found
//     by the probe's host, its podIP) from how long its container has been running;
//   - crash-looping: a command the fake process runtime ends a few seconds after each start, which
//     the kubelet restarts with CrashLoopBackOff.
// The scaling steps are read from the ScalingReplicaSet events the Deployment controller records
// in the store, and RolloutInvariants, which reads only the store's watch, holds every write to
// the rollout's bounds.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "api/defaults.h"
#include "controller/deployment_util.h"
#include "controller/test_deployment.h"
#include "server/rollout_invariants.h"
#include "server/simulated_cluster.h"

namespace nodrop::server {
namespace {

using controller::deployment_condition;
using std::chrono::seconds;

constexpr const char* kCommand = "app";
constexpr const char* kCrashingCommand = "crashing-app";

// The steps of a rollout as the Deployment controller reports them: every ScalingReplicaSet event
// ("Scaled up replica set web-x to 3", "Scaled down replica set web-y to 8 from 10") in the order
// the store wrote it, as "<label>→<replicas>", the ReplicaSets labelled by creation order.
//
// The Deployment controller's shell records a sync's events before it writes the sync's plan, and
// every scaling event has its write (the ReplicaSet created or scaled), so the events of one sync
// stand together in the store's order and a write of anything but an Event separates two syncs.
class ScalingTrace {
 public:
  ScalingTrace(store::Store& store, std::vector<std::string> labels) : labels_(std::move(labels)) {
    const store::ListResult existing = store.list({.kind = "ReplicaSet"}).value();
    std::vector<const api::ReplicaSet*> sorted;
    for (const store::ObjectPtr& object : existing.items) {
      sorted.push_back(&std::get<api::ReplicaSet>(*object));
    }
    std::sort(sorted.begin(), sorted.end(), [](const api::ReplicaSet* a, const api::ReplicaSet* b) {
      return controller::created_before(*a, *b);
    });
    for (const api::ReplicaSet* replica_set : sorted) name(replica_set->metadata.name);
    watch_ = store.watch({.from = existing.resource_version, .max_queued = 1'000'000}).value();
  }

  std::vector<std::string> steps() {
    read();
    std::vector<std::string> all;
    for (const std::vector<std::string>& sync : syncs_)
      all.insert(all.end(), sync.begin(), sync.end());
    return all;
  }
  // The steps, grouped by the sync that made them.
  const std::vector<std::vector<std::string>>& syncs() {
    read();
    return syncs_;
  }

 private:
  void read() {
    EXPECT_FALSE(watch_->expired());
    for (const store::WatchEvent& event : watch_->take()) {
      if (const auto* replica_set = std::get_if<api::ReplicaSet>(event.object.get())) {
        if (event.type == store::WatchEventType::kAdded) name(replica_set->metadata.name);
      }
      const auto* written = std::get_if<api::Event>(event.object.get());
      if (written == nullptr) {
        in_sync_ = false;  // a write between two syncs' events
        continue;
      }
      if (written->reason != "ScalingReplicaSet" || event.type == store::WatchEventType::kDeleted) {
        continue;
      }
      // "Scaled <up|down> replica set <name> to <replicas>[ from <before>]"
      std::istringstream words(written->message);
      std::string scaled, direction, replica, set, replica_set, to, replicas;
      words >> scaled >> direction >> replica >> set >> replica_set >> to >> replicas;
      if (!in_sync_) syncs_.emplace_back();
      in_sync_ = true;
      name(replica_set);  // the event of a creation comes before the ReplicaSet
      syncs_.back().push_back(labels_by_name_.at(replica_set) + "→" + replicas);
    }
  }

  void name(const std::string& replica_set) {
    if (labels_by_name_.contains(replica_set)) return;
    const std::size_t index = labels_by_name_.size();
    labels_by_name_.emplace(
        replica_set, index < labels_.size() ? labels_[index] : "rs" + std::to_string(index + 1));
  }

  std::vector<std::string> labels_;
  std::map<std::string, std::string> labels_by_name_;
  std::shared_ptr<store::Watch> watch_;
  std::vector<std::vector<std::string>> syncs_;
  bool in_sync_ = false;
};

// How long after its container started a pod is ready; nullopt: never.
using ReadyAfter = std::function<std::optional<runtime::Duration>(const api::Pod& pod)>;

class RolloutTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(sim_.start().is_ok()); }

  // The Deployment "web" with `replicas` pods of image `v1`, ready as soon as they run.
  static api::Deployment web(std::int32_t replicas) {
    return controller::test_deployment_to_apply(replicas, "v1", kCommand);
  }
  // The template's container probed for readiness every second (what the prober script says).
  static void probe_readiness(api::Deployment& deployment) {
    api::Probe probe;
    api::HttpGetAction ready;
    ready.path = "/ready";
    ready.port = api::IntOrString::from_int(8080);
    probe.handler.http_get = ready;
    probe.period_seconds = 1;
    deployment.spec.template_spec.spec.containers[0].readiness_probe = probe;
  }
  static api::Deployment with_image(api::Deployment deployment, const std::string& image) {
    deployment.spec.template_spec.spec.containers[0].image = image;
    return deployment;
  }

  // Applies `deployment` as `kubectl apply` does, then runs what that sets off for `then_run`
  // (zero: what is due at once).
  void apply(api::Deployment deployment, runtime::Duration then_run = {}) {
    api::set_defaults(deployment);
    ASSERT_TRUE(sim_.cluster().apply(deployment).is_ok());
    run_for(then_run);
  }

  // Applies `deployment` and runs until its pods are available; the trace and the checker start
  // from there.
  void start(const api::Deployment& deployment) {
    apply(deployment, seconds(10));
    const std::vector<api::ReplicaSet> all = replica_sets();
    ASSERT_EQ(all.size(), 1U);
    ASSERT_EQ(all[0].status.available_replicas, deployment.spec.replicas.value());
    old_name_ = all[0].metadata.name;
    trace_.emplace(sim_.store(), std::vector<std::string>{"old", "new"});
    check_bounds_of(deployment);
  }

  // Holds every write from now on to the bounds of `deployment`'s rollout.
  void check_bounds_of(const api::Deployment& deployment) {
    checker_.reset();
    checker_.emplace(sim_.store(), sim_.loop(), deployment.spec.selector,
                     RolloutBounds::of(deployment), sim_.post());
  }

  void run_for(runtime::Duration duration) { sim_.loop().advance(duration); }

  // Readiness answers: Success once the pod's container has run for ready_after(pod).
  void script_readiness(ReadyAfter ready_after) {
    sim_.prober().set_script(
        [this, ready_after = std::move(ready_after)](const runtime::ProbeSpec& spec) {
          sim::FakeProber::Answer answer{{runtime::ProbeResult::kFailure, "not ready"}, {}};
          const auto* http = std::get_if<runtime::HttpGetAction>(&spec.action);
          const std::optional<api::Pod> pod = http == nullptr ? std::nullopt : pod_at(http->host);
          if (!pod || pod->status.container_statuses.empty()) return answer;
          const std::optional<api::ContainerStateRunning>& running =
              pod->status.container_statuses[0].state.running;
          const std::optional<runtime::Duration> after = ready_after(*pod);
          if (running && running->started_at && after &&
              sim_.loop().wall_now() - *running->started_at >= *after) {
            answer.outcome = {runtime::ProbeResult::kSuccess, ""};
          }
          return answer;
        });
  }

  std::optional<api::Pod> pod_at(const std::string& address) {
    const store::ListResult pods = sim_.store().list({.kind = "Pod"}).value();
    for (const store::ObjectPtr& object : pods.items) {
      const api::Pod& pod = std::get<api::Pod>(*object);
      if (pod.status.pod_ip == address) return pod;
    }
    return std::nullopt;
  }

  api::Deployment deployment() {
    return std::get<api::Deployment>(*sim_.store().get({"Deployment", "default", "web"}).value());
  }
  const api::Condition* progressing() {
    deployment_ = deployment();
    return deployment_condition(deployment_.status, controller::kDeploymentProgressing);
  }
  std::vector<api::ReplicaSet> replica_sets() {
    std::vector<api::ReplicaSet> all;
    const store::ListResult listed = sim_.store().list({.kind = "ReplicaSet"}).value();
    for (const store::ObjectPtr& object : listed.items) {
      all.push_back(std::get<api::ReplicaSet>(*object));
    }
    return all;
  }
  std::optional<api::ReplicaSet> replica_set_named(const std::string& name) {
    Result<store::ObjectPtr> found = sim_.store().get({"ReplicaSet", "default", name});
    if (!found) return std::nullopt;
    return std::get<api::ReplicaSet>(**found);
  }
  // The ReplicaSet whose template is the Deployment's (its image suffices here).
  std::optional<api::ReplicaSet> new_replica_set() {
    const std::string image = deployment().spec.template_spec.spec.containers[0].image;
    for (const api::ReplicaSet& replica_set : replica_sets()) {
      if (replica_set.spec.template_spec.spec.containers[0].image == image) return replica_set;
    }
    return std::nullopt;
  }
  const std::vector<std::string>& violations() { return checker_->violations(); }

  SimulatedCluster sim_;
  std::string old_name_;
  std::optional<ScalingTrace> trace_;
  std::optional<RolloutInvariants> checker_;
  api::Deployment deployment_;  // what progressing() points into
};

TEST_F(RolloutTest, InstantReadinessMakesOneScalingStepPerSync) {
  start(web(10));
  api::Deployment v2 = with_image(web(10), "v2");
  apply(v2, seconds(10));
  // Replicas 10, 25%/25% (surge 3, unavailable 2). The sync that creates the new RS (3, none
  // available yet) goes on to reconcileOldReplicaSets and scales the old RS to 8
  // (maxScaledDown = 13 - 8 - 3 = 2). Each later sync makes one step from the availability the
  // ReplicaSets report at that moment: the RS controller reports a scaled-up RS's new pods before
  // they run, so the Deployment controller scales the old RS down by what is available then.
  EXPECT_EQ(trace_->steps(), (std::vector<std::string>{"new→3", "old→8", "new→5", "old→5", "new→8",
                                                       "old→3", "new→10", "old→0"}));
  const auto& syncs = trace_->syncs();
  ASSERT_EQ(syncs.size(), 7U);
  EXPECT_EQ(syncs[0].size(), 2U);  // create new (3), old 10->8
  for (std::size_t i = 1; i < syncs.size(); ++i) {
    EXPECT_EQ(syncs[i].size(), 1U) << i;  // one scaling step per sync
  }
  EXPECT_TRUE(violations().empty()) << violations().front();
  EXPECT_EQ(checker_->max_replica_set_total(), 13);
  EXPECT_EQ(checker_->max_pods(), 13);
  EXPECT_EQ(checker_->min_available(), 8);
  ASSERT_NE(progressing(), nullptr);
  EXPECT_EQ(progressing()->reason, controller::kNewReplicaSetAvailableReason);
  const api::Deployment done = deployment();
  EXPECT_EQ(done.status.updated_replicas, 10);
  EXPECT_EQ(done.status.available_replicas, 10);
  EXPECT_EQ(done.metadata.annotations.at(api::kRevisionAnnotation), "2");
}

TEST_F(RolloutTest, ThreeReplicasQuarterSurgeTrace) {
  start(web(3));
  api::Deployment v2 = with_image(web(3), "v2");
  apply(v2, seconds(10));
  // Surge 1, unavailable 0: the new RS is created with 1, and no old pod may go before it is
  // available (maxScaledDown = 4 - 3 - 1 = 0).
  EXPECT_EQ(trace_->steps(),
            (std::vector<std::string>{"new→1", "old→2", "new→2", "old→1", "new→3", "old→0"}));
  EXPECT_TRUE(violations().empty()) << violations().front();
  EXPECT_EQ(checker_->max_replica_set_total(), 4);
}

TEST_F(RolloutTest, ZeroSurgeOneUnavailableTrace) {
  start(web(3));
  api::Deployment v2 = with_image(web(3), "v2");
  v2.spec.strategy.rolling_update =
      api::RollingUpdateDeployment{api::IntOrString::from_int(1), api::IntOrString::from_int(0)};
  check_bounds_of(v2);
  apply(v2, seconds(10));
  // The new RS is created empty (no scaling step, no event) and the old one gives way first.
  EXPECT_EQ(trace_->steps(),
            (std::vector<std::string>{"old→2", "new→1", "old→1", "new→2", "old→0", "new→3"}));
  EXPECT_TRUE(violations().empty()) << violations().front();
  EXPECT_EQ(checker_->max_replica_set_total(), 3);
  EXPECT_EQ(checker_->max_pods(), 3);
}

TEST_F(RolloutTest, PodsReadyAfterVariousDelaysKeepBothBounds) {
  // Each new pod is ready 1..9 s after its container starts, by the order of its first probe.
  std::map<std::string, int> order;
  script_readiness([&](const api::Pod& pod) -> std::optional<runtime::Duration> {
    const int number =
        order.emplace(pod.metadata.uid, static_cast<int>(order.size()) + 1).first->second;
    return seconds(1 + (number * 7) % 9);
  });
  start(web(10));
  api::Deployment v2 = with_image(web(10), "v2");
  probe_readiness(v2);
  apply(v2);
  // While no new pod can be ready: new 0->3 and old 10->8 (maxScaledDown = 13 - 8 - 3 = 2) in the
  // sync that creates the new RS, then new 3->5 up to 13 pods.
  EXPECT_EQ(trace_->steps(), (std::vector<std::string>{"new→3", "old→8", "new→5"}));
  run_for(seconds(120));
  EXPECT_TRUE(violations().empty()) << violations().front();
  EXPECT_LE(checker_->max_pods(), 13);
  EXPECT_EQ(checker_->max_replica_set_total(), 13);
  EXPECT_GE(checker_->min_available(), 8);
  const std::optional<api::ReplicaSet> new_rs = new_replica_set();
  ASSERT_TRUE(new_rs.has_value());
  EXPECT_EQ(new_rs->status.available_replicas, 10);
  EXPECT_EQ(replica_set_named(old_name_)->spec.replicas, 0);
  EXPECT_EQ(progressing()->reason, controller::kNewReplicaSetAvailableReason);
  const api::Deployment done = deployment();
  EXPECT_GE(done.status.observed_generation, done.metadata.generation);
  EXPECT_EQ(order.size(), 10U);  // every new pod was probed, each with its own delay
}

TEST_F(RolloutTest, NeverReadyPodsStallTheRolloutAndReportTheDeadline) {
  script_readiness([](const api::Pod&) { return std::nullopt; });
  start(web(10));
  api::Deployment v2 = with_image(web(10), "v2");
  v2.spec.progress_deadline_seconds = 60;
  probe_readiness(v2);
  apply(v2, seconds(30));
  // new 0->3, old 10->8 (maxScaledDown 13 - 8 - 3 = 2), new 3->5 (back to 13 pods), then
  // nothing: maxScaledDown = 13 - 8 - 5 = 0. The docs' stuck state, old 8 and new 5.
  EXPECT_EQ(trace_->steps(), (std::vector<std::string>{"new→3", "old→8", "new→5"}));
  ASSERT_NE(progressing(), nullptr);
  EXPECT_EQ(progressing()->status, api::ConditionStatus::kTrue);
  run_for(seconds(40));  // past lastUpdateTime + 60s: the requeue timer fires
  ASSERT_NE(progressing(), nullptr);
  EXPECT_EQ(progressing()->status, api::ConditionStatus::kFalse);
  EXPECT_EQ(progressing()->reason, controller::kTimedOutReason);
  // Timing out only reports: no rollback, nothing else scaled.
  EXPECT_EQ(trace_->steps(), (std::vector<std::string>{"new→3", "old→8", "new→5"}));
  EXPECT_TRUE(violations().empty()) << violations().front();
  const api::Deployment stalled = deployment();
  EXPECT_EQ(stalled.status.available_replicas, 8);
  const api::Condition* available =
      deployment_condition(stalled.status, controller::kDeploymentAvailable);
  ASSERT_NE(available, nullptr);
  EXPECT_EQ(available->status, api::ConditionStatus::kTrue);
}

TEST_F(RolloutTest, CrashLoopingPodsWithMinReadySecondsNeverCountAsAvailable) {
  // Each run is ready 1 s after it starts and crashes 3 s later; the kubelet restarts it after
  // 10 s, 20 s, ... (CrashLoopBackOff). Ready for 3 s, never the 5 s minReadySeconds asks.
  sim::FakeProcessRuntime::Behavior crashing;
  crashing.runs_for = seconds(4);
  sim_.processes().set_behavior(kCrashingCommand, crashing);
  script_readiness([](const api::Pod&) { return seconds(1); });
  start(web(10));
  api::Deployment v2 = with_image(web(10), "v2");
  v2.spec.min_ready_seconds = 5;
  v2.spec.template_spec.spec.containers[0].command = {kCrashingCommand};
  probe_readiness(v2);
  apply(v2, seconds(600));
  EXPECT_TRUE(violations().empty()) << violations().front();
  const std::optional<api::ReplicaSet> new_rs = new_replica_set();
  ASSERT_TRUE(new_rs.has_value());
  EXPECT_EQ(new_rs->status.available_replicas, 0);
  EXPECT_LE(new_rs->spec.replicas.value_or(0), 5);
  EXPECT_GE(checker_->min_available(), 8);
  EXPECT_NE(progressing()->reason, controller::kNewReplicaSetAvailableReason);
  // Every new pod crashed, and was restarted, again and again.
  const store::ListResult pods = sim_.store().list({.kind = "Pod"}).value();
  int crash_looping = 0;
  for (const store::ObjectPtr& object : pods.items) {
    const api::Pod& pod = std::get<api::Pod>(*object);
    if (pod.spec.containers[0].image == "v2") {
      EXPECT_GE(pod.status.container_statuses.at(0).restart_count, 4) << pod.metadata.name;
      ++crash_looping;
    }
  }
  EXPECT_EQ(crash_looping, new_rs->spec.replicas.value_or(0));
}

TEST_F(RolloutTest, RecreateWaitsUntilOldPodsAreGone) {
  // The old pods ignore SIGTERM: each goes at the end of its 30 s grace period (SIGKILL).
  sim::FakeProcessRuntime::Behavior stubborn;
  stubborn.exit_delay_after_sigterm = std::nullopt;
  sim_.processes().set_behavior(kCommand, stubborn);
  start(web(4));
  api::Deployment v2 = with_image(web(4), "v2");
  v2.spec.strategy = api::DeploymentStrategy{api::DeploymentStrategyType::kRecreate, {}};
  check_bounds_of(v2);
  apply(v2);
  EXPECT_EQ(trace_->steps(), (std::vector<std::string>{"old→0"}));
  run_for(seconds(29));  // old pods still terminating
  EXPECT_EQ(replica_sets().size(), 1U);
  run_for(seconds(2));
  EXPECT_EQ(trace_->steps(), (std::vector<std::string>{"old→0", "new→4"}));
  EXPECT_EQ(new_replica_set()->status.available_replicas, 4);
  EXPECT_TRUE(violations().empty()) << violations().front();
  EXPECT_EQ(checker_->max_pods(), 4);
}

TEST_F(RolloutTest, ScalingAStuckRolloutIsProportional) {
  script_readiness([](const api::Pod&) { return std::nullopt; });
  api::Deployment v1 = web(10);
  v1.spec.strategy.rolling_update =
      api::RollingUpdateDeployment{api::IntOrString::from_int(2), api::IntOrString::from_int(3)};
  start(v1);
  api::Deployment v2 = with_image(v1, "v2");
  probe_readiness(v2);
  apply(v2, seconds(5));
  // deployment.md: old 8, new 5 stuck; then replicas 10 -> 15 gives old 11, new 7.
  EXPECT_EQ(replica_set_named(old_name_)->spec.replicas, 8);
  EXPECT_EQ(new_replica_set()->spec.replicas, 5);
  EXPECT_TRUE(violations().empty()) << violations().front();
  v2.spec.replicas = 15;
  check_bounds_of(v2);
  apply(v2, seconds(5));
  EXPECT_EQ(replica_set_named(old_name_)->spec.replicas, 11);
  EXPECT_EQ(new_replica_set()->spec.replicas, 7);
  EXPECT_EQ(trace_->syncs().back(), (std::vector<std::string>{"old→11", "new→7"}));
  EXPECT_TRUE(violations().empty()) << violations().front();
}

TEST_F(RolloutTest, RollbackAnnotationReusesTheOldReplicaSetWithANewRevision) {
  start(web(4));
  api::Deployment v2 = with_image(web(4), "v2");
  apply(v2, seconds(10));
  ASSERT_EQ(deployment().metadata.annotations.at(api::kRevisionAnnotation), "2");
  v2.metadata.annotations[api::kRollbackToAnnotation] = "0";
  apply(v2, seconds(10));
  const api::Deployment rolled_back = deployment();
  EXPECT_EQ(rolled_back.metadata.annotations.count(api::kRollbackToAnnotation), 0U);
  EXPECT_EQ(rolled_back.spec.template_spec.spec.containers[0].image, "v1");
  const std::optional<api::ReplicaSet> v1 = replica_set_named(old_name_);
  ASSERT_TRUE(v1.has_value());
  EXPECT_EQ(new_replica_set()->metadata.name, old_name_);
  EXPECT_EQ(v1->metadata.annotations.at(api::kRevisionAnnotation), "3");
  EXPECT_EQ(v1->metadata.annotations.at(api::kRevisionHistoryAnnotation), "1");
  EXPECT_EQ(v1->status.available_replicas, 4);
  EXPECT_EQ(rolled_back.metadata.annotations.at(api::kRevisionAnnotation), "3");
  EXPECT_TRUE(violations().empty()) << violations().front();
}

TEST_F(RolloutTest, RevisionHistoryLimitDeletesTheOldestEmptyReplicaSets) {
  api::Deployment manifest = web(2);
  manifest.spec.revision_history_limit = 1;
  start(manifest);
  for (const char* image : {"v2", "v3", "v4"}) {
    manifest = with_image(manifest, image);
    apply(manifest, seconds(10));
  }
  // v4 (new) plus one old RS kept.
  EXPECT_EQ(replica_sets().size(), 2U);
  EXPECT_EQ(new_replica_set()->spec.template_spec.spec.containers[0].image, "v4");
  EXPECT_TRUE(violations().empty()) << violations().front();
}

TEST_F(RolloutTest, PausedDeploymentDoesNotRollOutUntilResumed) {
  start(web(4));
  api::Deployment v2 = with_image(web(4), "v2");
  v2.spec.paused = true;
  apply(v2, seconds(10));
  EXPECT_EQ(replica_sets().size(), 1U);
  EXPECT_EQ(progressing()->reason, controller::kPausedReason);
  v2.spec.paused = false;
  apply(v2, seconds(10));
  EXPECT_EQ(replica_sets().size(), 2U);
  EXPECT_EQ(new_replica_set()->status.available_replicas, 4);
  EXPECT_TRUE(violations().empty()) << violations().front();
}

}  // namespace
}  // namespace nodrop::server
