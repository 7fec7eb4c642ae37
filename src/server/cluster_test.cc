// The whole cluster in virtual time: the same composition root `nodrop up` runs, over the sim
// loop, fake processes and fake probes. RolloutInvariants, which reads only the store's watch,
// holds the rollout to its bounds at every write.
#include "server/cluster.h"

#include <gtest/gtest.h>

#include "controller/test_deployment.h"
#include "server/rollout_invariants.h"
#include "server/simulated_cluster.h"

namespace nodrop::server {
namespace {

using std::chrono::seconds;

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.start().is_ok()); }

  api::Deployment deployment(std::int32_t replicas, const std::string& image) {
    return controller::test_deployment_to_apply(replicas, image, "demo-app");
  }

  std::vector<api::Pod> pods() {
    std::vector<api::Pod> out;
    const store::ListResult listed = cluster_.store().list({.kind = "Pod"}).value();
    for (const store::ObjectPtr& pod : listed.items) out.push_back(std::get<api::Pod>(*pod));
    return out;
  }
  std::size_t count(const char* kind) {
    return cluster_.store().list({.kind = kind}).value().items.size();
  }
  void run_for(runtime::Duration duration) { simulated_.loop().advance(duration); }

  SimulatedCluster simulated_;
  Cluster& cluster_ = simulated_.cluster();
  sim::FakeProcessRuntime& processes_ = simulated_.processes();
};

TEST_F(ClusterTest, NodesRegisterReady) {
  run_for(seconds(1));
  const auto nodes = cluster_.store().list({.kind = "Node"}).value().items;
  ASSERT_EQ(nodes.size(), 3U);
  const api::Node& first = std::get<api::Node>(*nodes[0]);
  EXPECT_EQ(first.metadata.name, "node-1");
  EXPECT_EQ(first.status.addresses[0].address, "127.0.1.1");
  EXPECT_EQ(std::get<api::Node>(*nodes[2]).status.addresses[0].address, "127.0.1.3");
}

TEST_F(ClusterTest, ADeploymentReachesItsReadyPodsSpreadOverTheNodes) {
  ASSERT_EQ(cluster_.apply(deployment(3, "demo-app:v1")).value(), ApplyOutcome::kCreated);
  run_for(seconds(5));
  const std::vector<api::Pod> running = pods();
  ASSERT_EQ(running.size(), 3U);
  std::set<std::string> nodes;
  std::set<std::string> addresses;
  for (const api::Pod& pod : running) {
    EXPECT_TRUE(api::is_pod_ready(pod)) << pod.metadata.name;
    EXPECT_EQ(pod.status.phase, api::PodPhase::kRunning);
    EXPECT_EQ(pod.metadata.name.rfind("web-", 0), 0U);
    nodes.insert(pod.spec.node_name);
    addresses.insert(pod.status.pod_ip);
  }
  EXPECT_EQ(nodes.size(), 3U);
  EXPECT_EQ(addresses.size(), 3U);
  EXPECT_EQ(processes_.running(), 3U);
  const api::Deployment& status =
      std::get<api::Deployment>(*cluster_.store().get({"Deployment", "default", "web"}).value());
  EXPECT_EQ(status.status.available_replicas, 3);
  EXPECT_EQ(status.status.observed_generation, 1);
  const ControllerSyncs syncs = cluster_.controller_syncs();
  EXPECT_GT(syncs.deployment, 0U);
  EXPECT_GT(syncs.replica_set, 0U);
  EXPECT_GE(syncs.scheduler, 3U);  // a pod is a key
  EXPECT_GT(syncs.garbage_collector, 0U);
  // Applying the same manifest again changes nothing.
  EXPECT_EQ(cluster_.apply(deployment(3, "demo-app:v1")).value(), ApplyOutcome::kUnchanged);
}

TEST_F(ClusterTest, AChangedTemplateRollsWithinMaxSurgeAndMaxUnavailable) {
  ASSERT_TRUE(cluster_.apply(deployment(4, "demo-app:v1")).is_ok());
  run_for(seconds(5));
  api::LabelSelector selector;
  selector.match_labels["app"] = "web";
  RolloutInvariants checker(cluster_.store(), simulated_.loop(), selector,
                            {.replicas = 4, .max_surge = 1, .max_unavailable = 1},  // 25% of 4
                            simulated_.post());
  ASSERT_EQ(cluster_.apply(deployment(4, "demo-app:v2")).value(), ApplyOutcome::kConfigured);
  run_for(seconds(60));
  const std::vector<api::Pod> running = pods();
  ASSERT_EQ(running.size(), 4U);
  std::map<std::string, int> per_node;
  for (const api::Pod& pod : running) {
    EXPECT_EQ(pod.spec.containers[0].image, "demo-app:v2");
    EXPECT_TRUE(api::is_pod_ready(pod));
    ++per_node[pod.spec.node_name];
  }
  // The new ReplicaSet's pods spread over the three nodes as the old one's did.
  EXPECT_EQ(per_node, (std::map<std::string, int>{{"node-1", 2}, {"node-2", 1}, {"node-3", 1}}));
  EXPECT_TRUE(checker.violations().empty()) << checker.violations().front();
  EXPECT_EQ(checker.max_pods(), 5);    // the surge was used
  EXPECT_EQ(checker.min_ready(), 3);   // and the unavailability
  EXPECT_EQ(count("ReplicaSet"), 2U);  // the old one kept at 0 for rollback
  const api::Deployment& done =
      std::get<api::Deployment>(*cluster_.store().get({"Deployment", "default", "web"}).value());
  EXPECT_EQ(done.status.updated_replicas, 4);
  EXPECT_EQ(done.metadata.annotations.at(api::kRevisionAnnotation), "2");
}

TEST_F(ClusterTest, PodsWithoutAControllerSpreadByTheirLabels) {
  // Pods of the Deployment's template, made by hand: no owner.
  const api::Deployment manifest = deployment(1, "demo-app:v1");
  for (const char* name : {"a", "b", "c", "d"}) {
    api::Pod pod;
    pod.metadata.name = name;
    pod.metadata.namespace_name = "default";
    pod.metadata.labels["app"] = std::string(name) == "d" ? "other" : "bare";
    pod.spec = manifest.spec.template_spec.spec;
    ASSERT_EQ(cluster_.apply(pod).value(), ApplyOutcome::kCreated);
    run_for(seconds(1));
  }
  std::map<std::string, std::string> node_of;
  for (const api::Pod& pod : pods()) node_of[pod.metadata.name] = pod.spec.node_name;
  // a, b and c (same labels) on three nodes; d (other labels) where nothing of its set is: the
  // first node by name.
  EXPECT_EQ(node_of, (std::map<std::string, std::string>{
                         {"a", "node-1"}, {"b", "node-2"}, {"c", "node-3"}, {"d", "node-1"}}));
}

TEST_F(ClusterTest, DeletingADeploymentRemovesItsReplicaSetsAndPods) {
  ASSERT_TRUE(cluster_.apply(deployment(3, "demo-app:v1")).is_ok());
  run_for(seconds(5));
  ASSERT_EQ(count("Pod"), 3U);
  ASSERT_TRUE(cluster_.store().remove({"Deployment", "default", "web"}).is_ok());
  run_for(seconds(10));
  EXPECT_EQ(count("Deployment"), 0U);
  EXPECT_EQ(count("ReplicaSet"), 0U);
  EXPECT_EQ(count("Pod"), 0U);
  EXPECT_EQ(processes_.running(), 0U);
}

TEST_F(ClusterTest, ForegroundDeletionKeepsTheOwnerUntilItsDependentsAreGone) {
  sim::FakeProcessRuntime::Behavior slow_to_stop;
  slow_to_stop.exit_delay_after_sigterm = seconds(3);
  processes_.set_behavior("demo-app", slow_to_stop);
  ASSERT_TRUE(cluster_.apply(deployment(2, "demo-app:v1")).is_ok());
  run_for(seconds(5));
  ASSERT_TRUE(cluster_.store()
                  .remove({"Deployment", "default", "web"},
                          {.propagation = store::Propagation::kForeground})
                  .is_ok());
  run_for(seconds(1));
  // Held by its finalizer while its pods stop.
  const api::Deployment& held =
      std::get<api::Deployment>(*cluster_.store().get({"Deployment", "default", "web"}).value());
  EXPECT_EQ(held.metadata.finalizers,
            std::vector<std::string>{store::kForegroundDeletionFinalizer});
  EXPECT_EQ(count("ReplicaSet"), 1U);
  run_for(seconds(10));
  EXPECT_EQ(count("Deployment"), 0U);
  EXPECT_EQ(count("ReplicaSet"), 0U);
  EXPECT_EQ(count("Pod"), 0U);
}

TEST_F(ClusterTest, OrphanDeletionKeepsTheDependentsWithoutTheirOwner) {
  ASSERT_TRUE(cluster_.apply(deployment(2, "demo-app:v1")).is_ok());
  run_for(seconds(5));
  ASSERT_TRUE(
      cluster_.store()
          .remove({"Deployment", "default", "web"}, {.propagation = store::Propagation::kOrphan})
          .is_ok());
  run_for(seconds(10));
  EXPECT_EQ(count("Deployment"), 0U);
  const auto replica_sets = cluster_.store().list({.kind = "ReplicaSet"}).value().items;
  ASSERT_EQ(replica_sets.size(), 1U);
  EXPECT_TRUE(api::metadata_of(*replica_sets[0]).owner_references.empty());
  EXPECT_EQ(count("Pod"), 2U);
}

TEST_F(ClusterTest, ACommandThatCannotStartCrashLoopsAndTheRolloutStallsPastItsDeadline) {
  ASSERT_TRUE(cluster_.apply(deployment(2, "demo-app:v1")).is_ok());
  run_for(seconds(5));
  processes_.set_missing("missing-app");
  api::Deployment broken = deployment(2, "demo-app:v2");
  broken.spec.template_spec.spec.containers[0].command = {"missing-app"};
  broken.spec.progress_deadline_seconds = 30;
  ASSERT_TRUE(cluster_.apply(broken).is_ok());
  run_for(seconds(60));
  const api::Deployment& stalled =
      std::get<api::Deployment>(*cluster_.store().get({"Deployment", "default", "web"}).value());
  const api::Condition* progressing = api::find_condition(stalled.status.conditions, "Progressing");
  ASSERT_NE(progressing, nullptr);
  EXPECT_EQ(progressing->status, api::ConditionStatus::kFalse);
  EXPECT_EQ(progressing->reason, "ProgressDeadlineExceeded");
  // The new pod crash-loops; the old ones keep serving (maxUnavailable 25% of 2 rounds down to 0).
  int waiting_in_backoff = 0;
  int ready_old = 0;
  for (const api::Pod& pod : pods()) {
    const api::ContainerStatus& container = pod.status.container_statuses.at(0);
    if (pod.spec.containers[0].image == "demo-app:v2") {
      if (container.state.waiting && container.state.waiting->reason == "CrashLoopBackOff") {
        ++waiting_in_backoff;
      }
      EXPECT_GE(container.restart_count, 2);
    } else if (api::is_pod_ready(pod)) {
      ++ready_old;
    }
  }
  EXPECT_EQ(waiting_in_backoff, 1);
  EXPECT_EQ(ready_old, 2);
}

TEST_F(ClusterTest, NodeShutdownTerminatesEveryPodAndKeepsTheObjects) {
  ASSERT_TRUE(cluster_.apply(deployment(3, "demo-app:v1")).is_ok());
  run_for(seconds(5));
  bool done = false;
  cluster_.shut_down([&] { done = true; });
  run_for(seconds(5));
  EXPECT_TRUE(done);
  EXPECT_EQ(processes_.running(), 0U);
  // Nothing replaced them, and the store holds them as they ran.
  EXPECT_EQ(count("Pod"), 3U);
  for (const api::Pod& pod : pods()) EXPECT_EQ(pod.status.phase, api::PodPhase::kRunning);
}

TEST_F(ClusterTest, AServicesEndpointSliceFollowsItsPodsAndGoesWithIt) {
  sim::FakeProcessRuntime::Behavior slow_to_stop;
  slow_to_stop.exit_delay_after_sigterm = seconds(5);
  processes_.set_behavior("demo-app", slow_to_stop);
  ASSERT_TRUE(cluster_.apply(deployment(3, "demo-app:v1")).is_ok());
  api::Service service;
  service.metadata.name = "web";
  service.spec.selector = {{"app", "web"}};
  api::ServicePort port;
  port.port = 80;
  port.target_port = api::IntOrString::from_int(8080);
  service.spec.ports = {port};
  api::set_defaults(service);
  ASSERT_TRUE(cluster_.apply(service).is_ok());
  run_for(seconds(5));
  const auto slices = [&] {
    return cluster_.store().list({.kind = "EndpointSlice"}).value().items;
  };
  ASSERT_EQ(slices().size(), 1U);
  const auto conditions = [&] {
    std::vector<api::EndpointConditions> out;
    for (const api::Endpoint& endpoint : std::get<api::EndpointSlice>(*slices()[0]).endpoints) {
      out.push_back(endpoint.conditions);
    }
    return out;
  };
  EXPECT_EQ(conditions(), std::vector<api::EndpointConditions>(3, {true, true, false}));
  // A pod being deleted stays, terminating and not ready, until it is gone.
  ASSERT_TRUE(cluster_.store().remove({"Pod", "default", pods()[0].metadata.name}).is_ok());
  run_for(seconds(1));
  int terminating = 0;
  for (const api::EndpointConditions& each : conditions()) {
    if (*each.terminating) {
      ++terminating;
      EXPECT_FALSE(*each.ready);
    }
  }
  EXPECT_EQ(terminating, 1);
  ASSERT_TRUE(cluster_.store().remove({"Service", "default", "web"}).is_ok());
  run_for(seconds(1));
  EXPECT_TRUE(slices().empty());
}

TEST_F(ClusterTest, EveryStepIsAnEventWithItsTime) {
  ASSERT_TRUE(cluster_.apply(deployment(1, "demo-app:v1")).is_ok());
  run_for(seconds(5));
  std::set<std::string> reasons;
  const store::ListResult events = cluster_.store().list({.kind = "Event"}).value();
  for (const store::ObjectPtr& object : events.items) {
    const api::Event& event = std::get<api::Event>(*object);
    reasons.insert(event.reason);
    EXPECT_TRUE(event.event_time.has_value());
  }
  for (const char* reason :
       {"ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Created", "Started", "NodeReady"}) {
    EXPECT_TRUE(reasons.contains(reason)) << reason;
  }
}

}  // namespace
}  // namespace nodrop::server
