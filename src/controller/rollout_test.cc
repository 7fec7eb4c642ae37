// Rollouts in virtual time: the Deployment and ReplicaSet planners drive a simulated cluster
// (sim::SimLoop) whose pods become ready after a delay, crash-loop, or never become ready. The
// tests assert on the sequence of scaling plans, and an InvariantChecker that only reads the
// cluster (never the controllers) checks, after every write:
//   - Σ spec.replicas of the ReplicaSets and the active pods never exceed replicas + maxSurge;
//   - available pods never drop below replicas - maxUnavailable once that level was reached;
// and the tests check that a stuck rollout reports ProgressDeadlineExceeded.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "controller/deployment_sync.h"
#include "controller/deployment_util.h"
#include "controller/replica_set_sync.h"
#include "controller/test_deployment.h"
#include "sim/sim_loop.h"

namespace nodrop::controller {
namespace {

using std::chrono::seconds;

enum class PodBehavior {
  kReadyAfterDelay,  // Running, then Ready after `delay`
  kNeverReady,       // Running, never Ready (a readiness probe that never passes)
  kCrashLoop,        // Ready 1s after each start, crashes 3s later, restarts after 10s, 20s, ...
};

struct PodScript {
  PodBehavior behavior = PodBehavior::kReadyAfterDelay;
  runtime::Duration delay{0};
};

// A one-host cluster: the objects, the two controllers, and pods that follow a script chosen by
// their image. Every sync's plan is applied at once (the API server accepts every write).
class SimCluster {
 public:
  using ScriptFor = std::function<PodScript(const api::Pod&, int pod_number)>;

  SimCluster(sim::SimLoop& loop, ScriptFor script_for)
      : loop_(loop), script_for_(std::move(script_for)) {}

  api::Deployment deployment;
  std::vector<api::ReplicaSet> replica_sets;
  std::vector<api::Pod> pods;
  // The scaling part of each Deployment plan that changed something, in order.
  std::vector<std::vector<std::string>> scaling_log;
  std::function<void(const SimCluster&)> observer;
  runtime::Duration grace_period = seconds(2);

  void apply_spec_change(const std::function<void(api::Deployment&)>& change) {
    change(deployment);
    ++deployment.metadata.generation;
    reconcile();
  }

  // Runs both controllers until neither writes anything (bounded). The ReplicaSets settle (pods
  // created, statuses written) before each Deployment sync, so a pod that is ready at once is
  // available to the next Deployment sync: the "instant availability" of §1.5.
  void reconcile() {
    for (int round = 0; round < 200; ++round) {
      bool changed = false;
      for (int settle = 0; settle < 20 && sync_replica_sets(); ++settle) changed = true;
      changed = sync_deployment() || changed;
      if (!changed) return;
    }
    FAIL() << "controllers did not settle";
  }

  const api::ReplicaSet* replica_set_named(const std::string& name) const {
    for (const api::ReplicaSet& rs : replica_sets) {
      if (rs.metadata.name == name) return &rs;
    }
    return nullptr;
  }

  const api::ReplicaSet* new_replica_set() const {
    const api::ReplicaSet* found = nullptr;
    for (const api::ReplicaSet& rs : replica_sets) {
      if (equal_ignore_hash(rs.spec.template_spec, deployment.spec.template_spec) &&
          (found == nullptr || created_before(rs, *found))) {
        found = &rs;
      }
    }
    return found;
  }

  std::vector<const api::Pod*> pods_of(const api::ReplicaSet& rs) const {
    std::vector<const api::Pod*> owned;
    for (const api::Pod& pod : pods) {
      const api::OwnerReference* owner = pod.metadata.controller_ref();
      if (owner != nullptr && owner->uid == rs.metadata.uid) owned.push_back(&pod);
    }
    return owned;
  }

  WallTime now() const { return loop_.wall_now(); }

 private:
  bool sync_replica_sets() {
    bool changed = false;
    std::vector<const api::Pod*> related;
    for (const api::Pod& pod : pods) related.push_back(&pod);
    for (std::size_t i = 0; i < replica_sets.size(); ++i) {
      const api::ReplicaSet rs = replica_sets[i];
      std::vector<api::Pod> owned;
      for (const api::Pod* pod : pods_of(rs)) owned.push_back(*pod);
      const ReplicaSetPlan plan = plan_replica_set_sync(rs, owned, related, now());
      for (std::int32_t n = 0; n < plan.pods_to_create; ++n) create_pod(rs);
      for (const std::string& name : plan.pods_to_delete) delete_pod(name);
      if (plan.status) replica_sets[i].status = *plan.status;
      if (plan.requeue_after) loop_.run_after(*plan.requeue_after, [this] { reconcile(); });
      changed = changed || plan.pods_to_create > 0 || !plan.pods_to_delete.empty() ||
                plan.status.has_value();
      if (plan.pods_to_create > 0 || !plan.pods_to_delete.empty()) observe();
    }
    return changed;
  }

  bool sync_deployment() {
    const DeploymentPlan plan = plan_deployment_sync(deployment, replica_sets, pods, now());
    for (const DeploymentAction& action : plan.actions) apply(action);
    switch (plan.requeue.kind) {
      case RequeueKind::kNone:
        break;
      case RequeueKind::kRateLimited:
        loop_.run_after(seconds(1), [this] { reconcile(); });
        break;
      case RequeueKind::kAfter:
        loop_.run_after(plan.requeue.after, [this] { reconcile(); });
        break;
    }
    const std::vector<std::string> summary = plan.scaling_summary();
    if (!summary.empty()) scaling_log.push_back(summary);
    if (!plan.actions.empty()) observe();
    return !plan.actions.empty();
  }

  void apply(const DeploymentAction& action) {
    switch (action.type) {
      case DeploymentActionType::kCreateReplicaSet: {
        api::ReplicaSet rs = action.replica_set;
        rs.metadata.uid = rs.metadata.name + "-uid";
        rs.metadata.creation_timestamp = now();
        rs.metadata.generation = 1;
        replica_sets.push_back(rs);
        break;
      }
      case DeploymentActionType::kUpdateReplicaSet:
        for (api::ReplicaSet& rs : replica_sets) {
          if (rs.metadata.name != action.replica_set.metadata.name) continue;
          const api::ReplicaSetStatus status = rs.status;
          if (!(rs.spec == action.replica_set.spec)) ++rs.metadata.generation;
          const std::int64_t generation = rs.metadata.generation;
          rs = action.replica_set;
          rs.status = status;  // the status subresource is the RS controller's
          rs.metadata.generation = generation;
        }
        break;
      case DeploymentActionType::kDeleteReplicaSet:
        std::erase_if(replica_sets, [&](const api::ReplicaSet& rs) {
          return rs.metadata.name == action.replica_set.metadata.name;
        });
        break;
      case DeploymentActionType::kUpdateDeployment: {
        const api::DeploymentStatus status = deployment.status;
        if (!(deployment.spec == action.deployment.spec)) {
          deployment.spec = action.deployment.spec;
          ++deployment.metadata.generation;
        }
        deployment.metadata.annotations = action.deployment.metadata.annotations;
        deployment.status = status;
        break;
      }
      case DeploymentActionType::kUpdateDeploymentStatus:
        deployment.status = action.deployment.status;
        deployment.metadata.annotations = action.deployment.metadata.annotations;
        break;
    }
  }

  void create_pod(const api::ReplicaSet& rs) {
    const int number = ++pod_counter_;
    api::Pod pod = pod_from_template(rs, rs.metadata.name + "-" + std::to_string(number), now());
    pod.spec.node_name = "node-1";
    pod.status.phase = api::PodPhase::kRunning;
    pod.status.container_statuses.push_back(api::ContainerStatus{});
    const PodScript script = script_for_(pod, number);
    const std::string name = pod.metadata.name;
    pods.push_back(pod);
    switch (script.behavior) {
      case PodBehavior::kReadyAfterDelay:
        if (script.delay == runtime::Duration{0}) {
          set_ready(name, true);
        } else {
          loop_.run_after(script.delay, [this, name] {
            set_ready(name, true);
            reconcile();
          });
        }
        break;
      case PodBehavior::kNeverReady:
        break;
      case PodBehavior::kCrashLoop:
        schedule_crash_loop(name, seconds(10));
        break;
    }
  }

  void schedule_crash_loop(const std::string& name, runtime::Duration backoff) {
    loop_.run_after(seconds(1), [this, name, backoff] {
      if (!set_ready(name, true)) return;
      reconcile();
      loop_.run_after(seconds(3), [this, name, backoff] {
        api::Pod* pod = find_pod(name);
        if (pod == nullptr || pod->metadata.deletion_timestamp) return;
        set_ready(name, false);
        ++pod->status.container_statuses[0].restart_count;
        reconcile();
        loop_.run_after(backoff, [this, name, backoff] {
          schedule_crash_loop(name, std::min<runtime::Duration>(backoff * 2, seconds(300)));
        });
      });
    });
  }

  api::Pod* find_pod(const std::string& name) {
    for (api::Pod& pod : pods) {
      if (pod.metadata.name == name) return &pod;
    }
    return nullptr;
  }

  bool set_ready(const std::string& name, bool ready) {
    api::Pod* pod = find_pod(name);
    if (pod == nullptr || pod->metadata.deletion_timestamp) return false;
    std::erase_if(pod->status.conditions,
                  [](const api::Condition& c) { return c.type == api::kPodReady; });
    api::Condition condition;
    condition.type = api::kPodReady;
    condition.status = ready ? api::ConditionStatus::kTrue : api::ConditionStatus::kFalse;
    condition.last_transition_time = now();
    pod->status.conditions.push_back(condition);
    return true;
  }

  void delete_pod(const std::string& name) {
    api::Pod* pod = find_pod(name);
    if (pod == nullptr) return;
    pod->metadata.deletion_timestamp = now();
    set_ready(name, false);
    pod->metadata.deletion_timestamp = now();
    loop_.run_after(grace_period, [this, name] {
      std::erase_if(pods, [&](const api::Pod& p) { return p.metadata.name == name; });
      reconcile();
    });
  }

  void observe() {
    if (observer) observer(*this);
  }

  sim::SimLoop& loop_;
  ScriptFor script_for_;
  int pod_counter_ = 0;
};

// Reads only the cluster's objects; knows the rules from the Deployment's spec, not from the
// controller's code.
class InvariantChecker {
 public:
  void observe(const SimCluster& cluster) {
    const api::Deployment& d = cluster.deployment;
    const std::int32_t replicas = d.spec.replicas.value_or(1);
    const auto& rolling = d.spec.strategy.rolling_update;
    std::int32_t surge = 0;
    std::int32_t unavailable = 0;
    if (d.spec.strategy.type == api::DeploymentStrategyType::kRollingUpdate && rolling) {
      surge = *api::scaled_value_from_int_or_percent(*rolling->max_surge, replicas, true);
      unavailable =
          *api::scaled_value_from_int_or_percent(*rolling->max_unavailable, replicas, false);
      if (surge == 0 && unavailable == 0) unavailable = 1;
    }
    std::int32_t spec_total = 0;
    for (const api::ReplicaSet& rs : cluster.replica_sets)
      spec_total += rs.spec.replicas.value_or(1);
    std::int32_t active = 0;
    std::int32_t available = 0;
    for (const api::Pod& pod : cluster.pods) {
      if (pod.metadata.deletion_timestamp) continue;
      ++active;
      const api::ReplicaSet* rs = nullptr;
      for (const api::ReplicaSet& candidate : cluster.replica_sets) {
        if (candidate.metadata.uid == pod.metadata.controller_ref()->uid) rs = &candidate;
      }
      if (rs != nullptr && api::is_pod_available(pod, rs->spec.min_ready_seconds, cluster.now())) {
        ++available;
      }
    }
    ++observations;
    max_spec_total = std::max(max_spec_total, spec_total);
    max_active = std::max(max_active, active);
    if (spec_total > replicas + surge) {
      violations.push_back("Σ spec " + std::to_string(spec_total) + " > " +
                           std::to_string(replicas + surge));
    }
    if (active > replicas + surge) {
      violations.push_back("active pods " + std::to_string(active) + " > " +
                           std::to_string(replicas + surge));
    }
    const std::int32_t floor = replicas - std::min(unavailable, replicas);
    if (available >= floor) floor_reached_ = true;
    if (floor_reached_ && available < floor) {
      violations.push_back("available " + std::to_string(available) + " < " +
                           std::to_string(floor) + " at " + format_rfc3339(cluster.now()));
    }
    min_available_after_floor =
        floor_reached_ ? std::min(min_available_after_floor, available) : min_available_after_floor;
  }

  int observations = 0;
  std::int32_t max_spec_total = 0;
  std::int32_t max_active = 0;
  std::int32_t min_available_after_floor = 1 << 30;
  std::vector<std::string> violations;

 private:
  bool floor_reached_ = false;
};

api::Deployment web_deployment(std::int32_t replicas, const std::string& image) {
  return test_deployment(replicas, image);
}

std::string image_of(const api::Pod& pod) { return pod.spec.containers.at(0).image; }

const api::Condition* progressing(const SimCluster& cluster) {
  return deployment_condition(cluster.deployment.status, kDeploymentProgressing);
}

class RolloutTest : public ::testing::Test {
 protected:
  // Brings up `replicas` v1 pods (ready at once) and settles.
  void start(SimCluster& cluster, std::int32_t replicas, const std::string& image = "v1") {
    cluster.deployment = web_deployment(replicas, image);
    cluster.observer = [this](const SimCluster& c) { checker.observe(c); };
    cluster.reconcile();
    loop.advance(seconds(5));
    ASSERT_EQ(cluster.replica_sets.size(), 1u);
    ASSERT_EQ(cluster.replica_sets[0].status.available_replicas, replicas);
    cluster.scaling_log.clear();
  }

  void set_image(SimCluster& cluster, const std::string& image) {
    cluster.apply_spec_change(
        [&](api::Deployment& d) { d.spec.template_spec.spec.containers[0].image = image; });
  }

  // The scaling steps, without the RS names: "new 0->3" style from "create <name> 3" etc.
  std::vector<std::string> steps(const SimCluster& cluster, const std::string& old_name) {
    std::vector<std::string> result;
    for (const std::vector<std::string>& plan : cluster.scaling_log) {
      for (const std::string& entry : plan) {
        std::string text = entry;
        const bool is_old = text.find(old_name) != std::string::npos;
        if (text.rfind("create ", 0) == 0) {
          if (text.ends_with(" 0")) continue;  // created empty (maxSurge 0): no scaling step
          result.push_back("new→" + text.substr(text.rfind(' ') + 1));
        } else {
          result.push_back(std::string(is_old ? "old→" : "new→") +
                           text.substr(text.find("->") + 2));
        }
      }
    }
    return result;
  }

  sim::SimLoop loop;
  InvariantChecker checker;
};

TEST_F(RolloutTest, InstantReadinessMakesOneScalingStepPerSync) {
  SimCluster cluster(loop, [](const api::Pod&, int) { return PodScript{}; });
  start(cluster, 10);
  const std::string old_name = cluster.replica_sets[0].metadata.name;
  set_image(cluster, "v2");
  loop.advance(seconds(10));
  // Replicas 10, 25%/25% (surge 3, unavailable 2). §1.5 abbreviates this trace as
  // new→3, old→5, new→8, old→0, new→10; Kubernetes' rolloutRolling does not count creating the
  // new RS as its scaling step, so the sync that creates it (3 replicas, none available yet) goes
  // on to reconcileOldReplicaSets and scales the old RS to 8 (maxScaledDown = 13 - 8 - 3 = 2).
  // The syncs after that each make one step as the new pods become available.
  EXPECT_EQ(steps(cluster, old_name),
            (std::vector<std::string>{"new→3", "old→8", "new→5", "old→3", "new→10", "old→0"}));
  ASSERT_EQ(cluster.scaling_log.size(), 5u);
  EXPECT_EQ(cluster.scaling_log[0].size(), 2u);  // create new (3), old 10->8
  for (std::size_t i = 1; i < cluster.scaling_log.size(); ++i) {
    EXPECT_EQ(cluster.scaling_log[i].size(), 1u);  // one scaling step per sync
  }
  EXPECT_TRUE(checker.violations.empty()) << checker.violations.front();
  EXPECT_EQ(checker.max_spec_total, 13);
  ASSERT_NE(progressing(cluster), nullptr);
  EXPECT_EQ(progressing(cluster)->reason, kNewReplicaSetAvailableReason);
  EXPECT_EQ(cluster.deployment.status.updated_replicas, 10);
  EXPECT_EQ(cluster.deployment.status.available_replicas, 10);
  EXPECT_EQ(cluster.deployment.metadata.annotations.at(api::kRevisionAnnotation), "2");
}

TEST_F(RolloutTest, ThreeReplicasQuarterSurgeTrace) {
  SimCluster cluster(loop, [](const api::Pod&, int) { return PodScript{}; });
  start(cluster, 3);
  const std::string old_name = cluster.replica_sets[0].metadata.name;
  set_image(cluster, "v2");
  loop.advance(seconds(10));
  EXPECT_EQ(steps(cluster, old_name),
            (std::vector<std::string>{"new→1", "old→2", "new→2", "old→1", "new→3", "old→0"}));
  EXPECT_TRUE(checker.violations.empty());
}

TEST_F(RolloutTest, ZeroSurgeOneUnavailableTrace) {
  SimCluster cluster(loop, [](const api::Pod&, int) { return PodScript{}; });
  start(cluster, 3);
  cluster.deployment.spec.strategy.rolling_update =
      api::RollingUpdateDeployment{api::IntOrString::from_int(1), api::IntOrString::from_int(0)};
  const std::string old_name = cluster.replica_sets[0].metadata.name;
  set_image(cluster, "v2");
  loop.advance(seconds(10));
  // The first step re-annotates the old RS (max-replicas 3) without scaling: not in the trace.
  EXPECT_EQ(steps(cluster, old_name),
            (std::vector<std::string>{"old→2", "new→1", "old→1", "new→2", "old→0", "new→3"}));
  EXPECT_TRUE(checker.violations.empty());
  EXPECT_EQ(checker.max_spec_total, 3);
}

TEST_F(RolloutTest, PodsReadyAfterVariousDelaysKeepBothBounds) {
  // Delays of 1..9 s, different for each pod.
  SimCluster cluster(loop, [](const api::Pod& pod, int number) {
    if (image_of(pod) == "v1") return PodScript{};
    return PodScript{PodBehavior::kReadyAfterDelay, seconds(1 + (number * 7) % 9)};
  });
  start(cluster, 10);
  const std::string old_name = cluster.replica_sets[0].metadata.name;
  set_image(cluster, "v2");
  // The first two steps while no new pod is ready: new 0->3, then old 10->8 (limited by
  // maxScaledDown = 13 - 8 - 3 = 2).
  const std::vector<std::string> first = steps(cluster, old_name);
  ASSERT_GE(first.size(), 2u);
  EXPECT_EQ(first[0], "new→3");
  EXPECT_EQ(first[1], "old→8");
  loop.advance(seconds(120));
  EXPECT_TRUE(checker.violations.empty()) << checker.violations.front();
  EXPECT_LE(checker.max_active, 13);
  EXPECT_GE(checker.min_available_after_floor, 8);
  const api::ReplicaSet* new_rs = cluster.new_replica_set();
  ASSERT_NE(new_rs, nullptr);
  EXPECT_EQ(new_rs->status.available_replicas, 10);
  EXPECT_EQ(cluster.replica_set_named(old_name)->spec.replicas, 0);
  EXPECT_EQ(progressing(cluster)->reason, kNewReplicaSetAvailableReason);
  EXPECT_TRUE(cluster.deployment.status.observed_generation >=
              cluster.deployment.metadata.generation);
}

TEST_F(RolloutTest, NeverReadyPodsStallTheRolloutAndReportTheDeadline) {
  SimCluster cluster(loop, [](const api::Pod& pod, int) {
    return image_of(pod) == "v1" ? PodScript{} : PodScript{PodBehavior::kNeverReady, {}};
  });
  start(cluster, 10);
  cluster.deployment.spec.progress_deadline_seconds = 60;
  const std::string old_name = cluster.replica_sets[0].metadata.name;
  set_image(cluster, "v2");
  loop.advance(seconds(30));
  // new 0->3, old 10->8 (maxScaledDown 13 - 8 - 3 = 2), new 3->5 (back to 13 pods), then
  // nothing: maxScaledDown = 13 - 8 - 5 = 0. The docs' stuck state, old 8 and new 5.
  EXPECT_EQ(steps(cluster, old_name), (std::vector<std::string>{"new→3", "old→8", "new→5"}));
  ASSERT_NE(progressing(cluster), nullptr);
  EXPECT_EQ(progressing(cluster)->status, api::ConditionStatus::kTrue);
  loop.advance(seconds(40));  // past lastUpdateTime + 60s: the requeue timer fires
  ASSERT_NE(progressing(cluster), nullptr);
  EXPECT_EQ(progressing(cluster)->status, api::ConditionStatus::kFalse);
  EXPECT_EQ(progressing(cluster)->reason, kTimedOutReason);
  // Timing out only reports: no rollback, nothing else scaled.
  EXPECT_EQ(steps(cluster, old_name), (std::vector<std::string>{"new→3", "old→8", "new→5"}));
  EXPECT_TRUE(checker.violations.empty());
  EXPECT_EQ(cluster.deployment.status.available_replicas, 8);
  const api::Condition* available =
      deployment_condition(cluster.deployment.status, kDeploymentAvailable);
  ASSERT_NE(available, nullptr);
  EXPECT_EQ(available->status, api::ConditionStatus::kTrue);
}

TEST_F(RolloutTest, CrashLoopingPodsWithMinReadySecondsNeverCountAsAvailable) {
  SimCluster cluster(loop, [](const api::Pod& pod, int) {
    return image_of(pod) == "v1" ? PodScript{} : PodScript{PodBehavior::kCrashLoop, {}};
  });
  start(cluster, 10);
  cluster.apply_spec_change([](api::Deployment& d) {
    d.spec.min_ready_seconds = 5;
    d.spec.template_spec.spec.containers[0].image = "v2";
  });
  loop.advance(seconds(600));
  EXPECT_TRUE(checker.violations.empty()) << checker.violations.front();
  const api::ReplicaSet* new_rs = cluster.new_replica_set();
  ASSERT_NE(new_rs, nullptr);
  EXPECT_EQ(new_rs->status.available_replicas, 0);
  EXPECT_LE(new_rs->spec.replicas.value_or(0), 5);
  EXPECT_GE(checker.min_available_after_floor, 8);
  EXPECT_NE(progressing(cluster)->reason, kNewReplicaSetAvailableReason);
}

TEST_F(RolloutTest, RecreateWaitsUntilOldPodsAreGone) {
  SimCluster cluster(loop, [](const api::Pod&, int) { return PodScript{}; });
  start(cluster, 4);
  cluster.deployment.spec.strategy =
      api::DeploymentStrategy{api::DeploymentStrategyType::kRecreate, {}};
  cluster.grace_period = seconds(30);
  const std::string old_name = cluster.replica_sets[0].metadata.name;
  set_image(cluster, "v2");
  EXPECT_EQ(steps(cluster, old_name), (std::vector<std::string>{"old→0"}));
  loop.advance(seconds(29));  // old pods still terminating
  EXPECT_EQ(cluster.replica_sets.size(), 1u);
  loop.advance(seconds(2));
  EXPECT_EQ(steps(cluster, old_name), (std::vector<std::string>{"old→0", "new→4"}));
  EXPECT_EQ(cluster.new_replica_set()->status.available_replicas, 4);
}

TEST_F(RolloutTest, ScalingAStuckRolloutIsProportional) {
  SimCluster cluster(loop, [](const api::Pod& pod, int) {
    return image_of(pod) == "v1" ? PodScript{} : PodScript{PodBehavior::kNeverReady, {}};
  });
  start(cluster, 10);
  cluster.deployment.spec.strategy.rolling_update =
      api::RollingUpdateDeployment{api::IntOrString::from_int(2), api::IntOrString::from_int(3)};
  const std::string old_name = cluster.replica_sets[0].metadata.name;
  set_image(cluster, "v2");
  loop.advance(seconds(5));
  // deployment.md: old 8, new 5 stuck; then replicas 10 -> 15 gives old 11, new 7.
  EXPECT_EQ(cluster.replica_set_named(old_name)->spec.replicas, 8);
  EXPECT_EQ(cluster.new_replica_set()->spec.replicas, 5);
  cluster.observer = nullptr;  // the bounds change with replicas
  cluster.apply_spec_change([](api::Deployment& d) { d.spec.replicas = 15; });
  EXPECT_EQ(cluster.replica_set_named(old_name)->spec.replicas, 11);
  EXPECT_EQ(cluster.new_replica_set()->spec.replicas, 7);
}

TEST_F(RolloutTest, RollbackAnnotationReusesTheOldReplicaSetWithANewRevision) {
  SimCluster cluster(loop, [](const api::Pod&, int) { return PodScript{}; });
  start(cluster, 4);
  const std::string v1_name = cluster.replica_sets[0].metadata.name;
  set_image(cluster, "v2");
  loop.advance(seconds(10));
  ASSERT_EQ(cluster.deployment.metadata.annotations.at(api::kRevisionAnnotation), "2");
  cluster.deployment.metadata.annotations[api::kRollbackToAnnotation] = "0";
  cluster.reconcile();
  loop.advance(seconds(10));
  EXPECT_EQ(cluster.deployment.metadata.annotations.count(api::kRollbackToAnnotation), 0u);
  EXPECT_EQ(cluster.deployment.spec.template_spec.spec.containers[0].image, "v1");
  const api::ReplicaSet* v1 = cluster.replica_set_named(v1_name);
  ASSERT_NE(v1, nullptr);
  EXPECT_EQ(cluster.new_replica_set(), v1);
  EXPECT_EQ(v1->metadata.annotations.at(api::kRevisionAnnotation), "3");
  EXPECT_EQ(v1->metadata.annotations.at(api::kRevisionHistoryAnnotation), "1");
  EXPECT_EQ(v1->status.available_replicas, 4);
  EXPECT_EQ(cluster.deployment.metadata.annotations.at(api::kRevisionAnnotation), "3");
  EXPECT_TRUE(checker.violations.empty());
}

TEST_F(RolloutTest, RevisionHistoryLimitDeletesTheOldestEmptyReplicaSets) {
  SimCluster cluster(loop, [](const api::Pod&, int) { return PodScript{}; });
  start(cluster, 2);
  cluster.deployment.spec.revision_history_limit = 1;
  for (const char* image : {"v2", "v3", "v4"}) {
    set_image(cluster, image);
    loop.advance(seconds(10));
  }
  // v4 (new) plus one old RS kept.
  EXPECT_EQ(cluster.replica_sets.size(), 2u);
  EXPECT_EQ(cluster.new_replica_set()->spec.template_spec.spec.containers[0].image, "v4");
}

TEST_F(RolloutTest, PausedDeploymentDoesNotRollOutUntilResumed) {
  SimCluster cluster(loop, [](const api::Pod&, int) { return PodScript{}; });
  start(cluster, 4);
  cluster.apply_spec_change([](api::Deployment& d) {
    d.spec.paused = true;
    d.spec.template_spec.spec.containers[0].image = "v2";
  });
  loop.advance(seconds(10));
  EXPECT_EQ(cluster.replica_sets.size(), 1u);
  EXPECT_EQ(progressing(cluster)->reason, kPausedReason);
  cluster.apply_spec_change([](api::Deployment& d) { d.spec.paused = false; });
  loop.advance(seconds(10));
  EXPECT_EQ(cluster.replica_sets.size(), 2u);
  EXPECT_EQ(cluster.new_replica_set()->status.available_replicas, 4);
}

}  // namespace
}  // namespace nodrop::controller
