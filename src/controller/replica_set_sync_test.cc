#include "controller/replica_set_sync.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodrop::controller {
namespace {

using std::chrono::seconds;

const WallTime kNow = WallTime{} + std::chrono::hours(24 * 365 * 50);

api::ReplicaSet replica_set(std::int32_t replicas, std::int32_t min_ready_seconds = 0) {
  api::ReplicaSet rs;
  rs.metadata.name = "web-abc";
  rs.metadata.uid = "rs-uid";
  rs.spec.replicas = replicas;
  rs.spec.min_ready_seconds = min_ready_seconds;
  rs.spec.template_spec.metadata.labels["app"] = "web";
  return rs;
}

api::Pod pod(const std::string& name, api::PodPhase phase, bool ready,
             runtime::Duration ready_for = seconds(3600), const std::string& node = "node-1") {
  api::Pod p;
  p.metadata.name = name;
  p.metadata.uid = name;
  p.metadata.labels["app"] = "web";
  p.metadata.creation_timestamp = kNow - seconds(7200);
  p.spec.node_name = node;
  p.status.phase = phase;
  if (ready) {
    api::Condition condition;
    condition.type = api::kPodReady;
    condition.status = api::ConditionStatus::kTrue;
    condition.last_transition_time = kNow - ready_for;
    p.status.conditions.push_back(condition);
  }
  return p;
}

std::vector<const api::Pod*> pointers_to(const std::vector<api::Pod>& pods) {
  std::vector<const api::Pod*> pointers;
  for (const api::Pod& p : pods) pointers.push_back(&p);
  return pointers;
}

std::vector<std::string> names_to_delete(const std::vector<api::Pod>& pods, std::size_t count) {
  const std::vector<const api::Pod*> pointers = pointers_to(pods);
  std::vector<std::string> names;
  for (const api::Pod* p : pods_to_delete(pointers, pointers, count, kNow)) {
    names.push_back(p->metadata.name);
  }
  return names;
}

TEST(PodsToDelete, UnscheduledBeforePendingBeforeNotReadyBeforeReady) {
  std::vector<api::Pod> pods = {
      pod("ready", api::PodPhase::kRunning, true),
      pod("not-ready", api::PodPhase::kRunning, false),
      pod("pending", api::PodPhase::kPending, false),
      pod("unknown", api::PodPhase::kUnknown, false),
      pod("unscheduled", api::PodPhase::kPending, false, seconds(0), ""),
  };
  EXPECT_EQ(names_to_delete(pods, 4),
            (std::vector<std::string>{"unscheduled", "pending", "unknown", "not-ready"}));
}

TEST(PodsToDelete, LowerDeletionCostFirstThenMoreColocatedPods) {
  std::vector<api::Pod> pods = {
      pod("a", api::PodPhase::kRunning, true, seconds(3600), "node-1"),
      pod("b", api::PodPhase::kRunning, true, seconds(3600), "node-2"),
      pod("c", api::PodPhase::kRunning, true, seconds(3600), "node-2"),
  };
  // b and c share node-2: one of them goes first.
  EXPECT_NE(names_to_delete(pods, 1).front(), "a");
  pods[0].metadata.annotations["controller.kubernetes.io/pod-deletion-cost"] = "-5";
  EXPECT_EQ(names_to_delete(pods, 1).front(), "a");
}

TEST(PodsToDelete, ReadyMoreRecentlyFirstByLogarithmicBuckets) {
  std::vector<api::Pod> pods = {
      pod("old", api::PodPhase::kRunning, true, seconds(10000)),
      pod("young", api::PodPhase::kRunning, true, seconds(10)),
  };
  EXPECT_EQ(names_to_delete(pods, 1).front(), "young");
}

TEST(PodsToDelete, MoreRestartsFirstWhenOtherwiseEqual) {
  std::vector<api::Pod> pods = {
      pod("calm", api::PodPhase::kRunning, false),
      pod("crashy", api::PodPhase::kRunning, false),
  };
  pods[1].status.container_statuses.push_back(api::ContainerStatus{});
  pods[1].status.container_statuses[0].restart_count = 4;
  EXPECT_EQ(names_to_delete(pods, 1).front(), "crashy");
}

TEST(PlanReplicaSetSync, CreatesMissingPodsUpToTheBurstLimit) {
  const ReplicaSetPlan plan = plan_replica_set_sync(replica_set(600), {}, {}, kNow);
  EXPECT_EQ(plan.pods_to_create, kBurstReplicas);
  EXPECT_TRUE(plan.pods_to_delete.empty());
}

TEST(PlanReplicaSetSync, AReplicaSetBeingDeletedNeitherCreatesNorDeletesPods) {
  api::ReplicaSet rs = replica_set(3);
  rs.metadata.deletion_timestamp = kNow;
  EXPECT_EQ(plan_replica_set_sync(rs, {}, {}, kNow).pods_to_create, 0);
  rs.spec.replicas = 0;
  std::vector<api::Pod> pods = {pod_from_template(rs, "web-abc-x1", kNow)};
  EXPECT_TRUE(plan_replica_set_sync(rs, pointers_to(pods), {}, kNow).pods_to_delete.empty());
}

TEST(PlanReplicaSetSync, TerminatingAndFinishedPodsAreNotCounted) {
  std::vector<api::Pod> pods = {pod("a", api::PodPhase::kRunning, true),
                                pod("b", api::PodPhase::kRunning, true),
                                pod("done", api::PodPhase::kSucceeded, false)};
  pods[1].metadata.deletion_timestamp = kNow;
  const ReplicaSetPlan plan = plan_replica_set_sync(replica_set(2), pointers_to(pods), {}, kNow);
  EXPECT_EQ(plan.pods_to_create, 1);
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ(plan.status->replicas, 1);
  EXPECT_EQ(plan.status->ready_replicas, 1);
  EXPECT_EQ(plan.status->available_replicas, 1);
}

TEST(PlanReplicaSetSync, DeletesNotReadyPodsFirst) {
  std::vector<api::Pod> pods = {pod("a", api::PodPhase::kRunning, true),
                                pod("b", api::PodPhase::kRunning, false),
                                pod("c", api::PodPhase::kRunning, true)};
  const ReplicaSetPlan plan = plan_replica_set_sync(replica_set(2), pointers_to(pods), {}, kNow);
  EXPECT_EQ(plan.pods_to_delete, (std::vector<std::string>{"b"}));
}

TEST(PlanReplicaSetSync, MinReadySecondsIsAStrictBoundAndRequeues) {
  // Ready for exactly 10s with minReadySeconds 10: not available yet (strict '<').
  std::vector<api::Pod> pods = {pod("a", api::PodPhase::kRunning, true, seconds(10)),
                                pod("b", api::PodPhase::kRunning, true, seconds(11))};
  const ReplicaSetPlan plan =
      plan_replica_set_sync(replica_set(2, 10), pointers_to(pods), {}, kNow);
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ(plan.status->ready_replicas, 2);
  EXPECT_EQ(plan.status->available_replicas, 1);
  ASSERT_TRUE(plan.requeue_after.has_value());
  EXPECT_EQ(*plan.requeue_after, seconds(10));
}

TEST(PlanReplicaSetSync, UnchangedStatusIsNotWritten) {
  std::vector<api::Pod> pods = {pod("a", api::PodPhase::kRunning, true)};
  api::ReplicaSet rs = replica_set(1);
  rs.status.replicas = 1;
  rs.status.fully_labeled_replicas = 1;
  rs.status.ready_replicas = 1;
  rs.status.available_replicas = 1;
  const ReplicaSetPlan plan = plan_replica_set_sync(rs, pointers_to(pods), {}, kNow);
  EXPECT_FALSE(plan.status.has_value());
  EXPECT_EQ(plan.pods_to_create, 0);
}

TEST(PodFromTemplate, CarriesTemplateAndControllerReference) {
  const api::Pod p = pod_from_template(replica_set(1), "web-abc-x1", kNow);
  EXPECT_EQ(p.metadata.labels.at("app"), "web");
  ASSERT_NE(p.metadata.controller_ref(), nullptr);
  EXPECT_EQ(p.metadata.controller_ref()->uid, "rs-uid");
  EXPECT_EQ(p.metadata.controller_ref()->kind, "ReplicaSet");
}

}  // namespace
}  // namespace nodrop::controller
