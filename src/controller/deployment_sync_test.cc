#include "controller/deployment_sync.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/deployment_util.h"
#include "controller/test_deployment.h"

namespace nodrop::controller {
namespace {

const WallTime kNow = WallTime{} + std::chrono::hours(24 * 365 * 50);

api::Deployment web(std::int32_t replicas, const std::string& image = "v1") {
  return test_deployment(replicas, image);
}

// The RS the controller would have created for d (annotated for d's replicas), scaled to
// `replicas`, all available.
api::ReplicaSet replica_set_for(const api::Deployment& d, std::int32_t replicas,
                                const std::string& revision) {
  SyncState state;
  state.deployment = d;
  state.now = kNow;
  const Result<ReplicaSetGroups> groups = get_all_replica_sets_and_sync_revision(state, true);
  EXPECT_TRUE(groups.is_ok());
  api::ReplicaSet rs = state.replica_sets.back();
  rs.spec.replicas = replicas;
  rs.metadata.uid = rs.metadata.name + "-uid";
  rs.metadata.annotations[api::kRevisionAnnotation] = revision;
  rs.status.replicas = rs.status.ready_replicas = rs.status.available_replicas = replicas;
  return rs;
}

std::vector<DeploymentActionType> types(const DeploymentPlan& plan) {
  std::vector<DeploymentActionType> result;
  for (const DeploymentAction& action : plan.actions) result.push_back(action.type);
  return result;
}

TEST(ComputeHash, IsDeterministicShortAndFromTheSafeAlphabet) {
  const api::Deployment d = web(1);
  const std::string hash = compute_hash(d.spec.template_spec, std::nullopt);
  EXPECT_EQ(hash, compute_hash(d.spec.template_spec, std::nullopt));
  EXPECT_LE(hash.size(), 10u);
  EXPECT_EQ(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos);
  EXPECT_NE(hash, compute_hash(d.spec.template_spec, 1));
  EXPECT_NE(hash, compute_hash(web(1, "v2").spec.template_spec, std::nullopt));
}

TEST(ComputeHash, InitContainersAndTheirRestartPolicyChangeTheHash) {
  api::PodTemplateSpec plain = web(1).spec.template_spec;
  const std::string hash = compute_hash(plain, std::nullopt);
  api::PodTemplateSpec with_init = plain;
  with_init.spec.init_containers = {plain.spec.containers[0]};
  with_init.spec.init_containers[0].name = "setup";
  const std::string init_hash = compute_hash(with_init, std::nullopt);
  EXPECT_NE(init_hash, hash);
  api::PodTemplateSpec with_sidecar = with_init;
  with_sidecar.spec.init_containers[0].restart_policy = "Always";
  EXPECT_NE(compute_hash(with_sidecar, std::nullopt), init_hash);
  with_sidecar.spec.init_containers[0].command = {"/bin/other"};
  EXPECT_NE(compute_hash(with_sidecar, std::nullopt), init_hash);
}

TEST(EqualIgnoreHash, IgnoresOnlyThePodTemplateHashLabel) {
  api::PodTemplateSpec a = web(1).spec.template_spec;
  api::PodTemplateSpec b = a;
  b.metadata.labels[api::kPodTemplateHashLabel] = "abc";
  EXPECT_TRUE(equal_ignore_hash(a, b));
  b.metadata.labels["tier"] = "front";
  EXPECT_FALSE(equal_ignore_hash(a, b));
}

TEST(PlanDeploymentSync, ANewDeploymentCreatesItsReplicaSetAtFullSize) {
  const DeploymentPlan plan = plan_deployment_sync(web(10), {}, {}, kNow);
  ASSERT_EQ(types(plan),
            (std::vector<DeploymentActionType>{DeploymentActionType::kCreateReplicaSet,
                                               DeploymentActionType::kUpdateDeploymentStatus,
                                               DeploymentActionType::kUpdateDeploymentStatus}));
  const api::ReplicaSet& rs = plan.actions[0].replica_set;
  const std::string hash = rs.spec.template_spec.metadata.labels.at(api::kPodTemplateHashLabel);
  EXPECT_EQ(rs.metadata.name, "web-" + hash);
  EXPECT_EQ(rs.spec.selector.match_labels.at(api::kPodTemplateHashLabel), hash);
  EXPECT_EQ(rs.spec.replicas, 10);  // min(maxTotal 13 - 0, 10 - 0)
  EXPECT_EQ(rs.metadata.annotations.at(api::kRevisionAnnotation), "1");
  EXPECT_EQ(rs.metadata.annotations.at(api::kDesiredReplicasAnnotation), "10");
  EXPECT_EQ(rs.metadata.annotations.at(api::kMaxReplicasAnnotation), "13");
  ASSERT_NE(rs.metadata.controller_ref(), nullptr);
  EXPECT_EQ(rs.metadata.controller_ref()->uid, "web-uid");
  const api::Deployment& updated = plan.actions[1].deployment;
  EXPECT_EQ(updated.metadata.annotations.at(api::kRevisionAnnotation), "1");
  const api::Condition* progressing = deployment_condition(updated.status, kDeploymentProgressing);
  ASSERT_NE(progressing, nullptr);
  EXPECT_EQ(progressing->reason, kNewReplicaSetReason);
  EXPECT_EQ(progressing->message, "Created new replica set \"" + rs.metadata.name + "\"");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].message, "Scaled up replica set " + rs.metadata.name + " to 10");
  const api::DeploymentStatus& status = plan.actions[2].deployment.status;
  EXPECT_EQ(status.observed_generation, 1);
  const api::Condition* available = deployment_condition(status, kDeploymentAvailable);
  ASSERT_NE(available, nullptr);
  EXPECT_EQ(available->reason, kMinimumReplicasUnavailable);
}

TEST(PlanDeploymentSync, AHashCollisionBumpsCollisionCountAndRequeues) {
  const api::Deployment d = web(3);
  api::ReplicaSet squatter;
  squatter.metadata.name = "web-" + compute_hash(d.spec.template_spec, std::nullopt);
  const api::ReplicaSet others[] = {squatter};
  const DeploymentPlan plan = plan_deployment_sync(d, others, {}, kNow);
  ASSERT_EQ(types(plan),
            (std::vector<DeploymentActionType>{DeploymentActionType::kUpdateDeploymentStatus}));
  EXPECT_EQ(plan.actions[0].deployment.status.collision_count, 1);
  EXPECT_EQ(plan.requeue.kind, RequeueKind::kRateLimited);
  // With collisionCount 1 the next name differs.
  api::Deployment retried = d;
  retried.status.collision_count = 1;
  const DeploymentPlan next = plan_deployment_sync(retried, others, {}, kNow);
  ASSERT_FALSE(next.actions.empty());
  ASSERT_EQ(next.actions[0].type, DeploymentActionType::kCreateReplicaSet);
  EXPECT_NE(next.actions[0].replica_set.metadata.name, squatter.metadata.name);
}

TEST(PlanDeploymentSync, AnEmptySelectorOnlyWarns) {
  api::Deployment d = web(3);
  d.spec.selector = {};
  d.status.observed_generation = 1;
  const DeploymentPlan plan = plan_deployment_sync(d, {}, {}, kNow);
  EXPECT_TRUE(plan.actions.empty());
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].type, EventType::kWarning);
  EXPECT_EQ(plan.events[0].reason, "SelectingAll");
}

TEST(PlanDeploymentSync, ASteadyDeploymentWritesNothing) {
  api::Deployment d = web(3);
  const api::ReplicaSet rs = replica_set_for(d, 3, "1");
  const api::ReplicaSet replica_sets[] = {rs};
  d.metadata.annotations[api::kRevisionAnnotation] = "1";
  // First sync: status and conditions catch up.
  DeploymentPlan plan = plan_deployment_sync(d, replica_sets, {}, kNow);
  ASSERT_FALSE(plan.actions.empty());
  d.status = plan.actions.back().deployment.status;
  const api::Condition* progressing = deployment_condition(d.status, kDeploymentProgressing);
  ASSERT_NE(progressing, nullptr);
  EXPECT_EQ(progressing->reason, kNewReplicaSetAvailableReason);
  EXPECT_EQ(d.status.available_replicas, 3);
  // Second sync: nothing to do, no requeue (complete).
  plan = plan_deployment_sync(d, replica_sets, {}, kNow + std::chrono::seconds(5));
  EXPECT_TRUE(plan.actions.empty());
  EXPECT_EQ(plan.requeue.kind, RequeueKind::kNone);
}

TEST(PlanDeploymentSync, AStuckRolloutRequeuesForItsDeadline) {
  api::Deployment d = web(3, "v2");
  d.spec.progress_deadline_seconds = 60;
  const api::ReplicaSet old_rs = replica_set_for(web(3, "v1"), 3, "1");
  api::ReplicaSet new_rs = replica_set_for(d, 1, "2");
  new_rs.status = {};
  const api::ReplicaSet replica_sets[] = {old_rs, new_rs};
  d.metadata.annotations[api::kRevisionAnnotation] = "2";
  d.status.replicas = 3;
  d.status.available_replicas = 3;
  d.status.ready_replicas = 3;
  d.status.observed_generation = 1;
  d.status.conditions.push_back(
      new_deployment_condition(kDeploymentProgressing, api::ConditionStatus::kTrue,
                               kReplicaSetUpdatedReason, "", kNow - std::chrono::seconds(20)));
  d.status.conditions.push_back(new_deployment_condition(
      kDeploymentAvailable, api::ConditionStatus::kTrue, kMinimumReplicasAvailable,
      "Deployment has minimum availability.", kNow - std::chrono::seconds(20)));
  d.status.unavailable_replicas = 1;
  // replicas 3 (surge 1, unavailable 0): new 1 unavailable, old 3: nothing can move.
  const DeploymentPlan plan = plan_deployment_sync(d, replica_sets, {}, kNow);
  EXPECT_TRUE(plan.scaling_summary().empty());
  EXPECT_TRUE(plan.actions.empty());
  ASSERT_EQ(plan.requeue.kind, RequeueKind::kAfter);
  EXPECT_EQ(plan.requeue.after, std::chrono::seconds(41));  // 60 - 20, plus 1s
}

TEST(PlanDeploymentSync, ADeletedDeploymentOnlyUpdatesItsStatus) {
  api::Deployment d = web(3, "v2");
  d.metadata.deletion_timestamp = kNow;
  const api::ReplicaSet replica_sets[] = {replica_set_for(web(3, "v1"), 3, "1")};
  const DeploymentPlan plan = plan_deployment_sync(d, replica_sets, {}, kNow);
  ASSERT_EQ(types(plan),
            (std::vector<DeploymentActionType>{DeploymentActionType::kUpdateDeploymentStatus}));
  EXPECT_EQ(plan.actions[0].deployment.status.replicas, 3);
  EXPECT_EQ(plan.actions[0].deployment.status.updated_replicas, 0);
}

TEST(PlanDeploymentSync, ReplicaSetsOwnedByOthersAreLeftAlone) {
  const api::Deployment d = web(2);
  api::ReplicaSet foreign = replica_set_for(web(2, "v0"), 2, "1");
  foreign.metadata.owner_references[0].uid = "someone-else";
  const api::ReplicaSet replica_sets[] = {foreign};
  const DeploymentPlan plan = plan_deployment_sync(d, replica_sets, {}, kNow);
  for (const DeploymentAction& action : plan.actions) {
    EXPECT_NE(action.replica_set.metadata.name, foreign.metadata.name);
  }
}

TEST(RollbackDeployment, RestoresThePreviousTemplateAndItsAnnotations) {
  api::Deployment d = web(2, "v2");
  d.metadata.annotations["kubernetes.io/change-cause"] = "v2";
  d.metadata.annotations[api::kRevisionAnnotation] = "2";
  api::ReplicaSet v1 = replica_set_for(web(2, "v1"), 0, "1");
  v1.metadata.annotations["kubernetes.io/change-cause"] = "v1";
  const api::ReplicaSet v2 = replica_set_for(d, 2, "2");
  const api::ReplicaSet owned[] = {v1, v2};
  const Result<api::Deployment> rolled = rollback_deployment(d, owned, 0);
  ASSERT_TRUE(rolled.is_ok()) << rolled.status().to_string();
  EXPECT_EQ(rolled->spec.template_spec.spec.containers[0].image, "v1");
  EXPECT_EQ(rolled->spec.template_spec.metadata.labels.count(api::kPodTemplateHashLabel), 0u);
  EXPECT_EQ(rolled->metadata.annotations.at("kubernetes.io/change-cause"), "v1");
  EXPECT_EQ(rolled->metadata.annotations.at(api::kRevisionAnnotation), "2");
}

TEST(RollbackDeployment, RefusesWhatKubectlRefuses) {
  api::Deployment d = web(2, "v2");
  const api::ReplicaSet only[] = {replica_set_for(d, 2, "1")};
  EXPECT_EQ(rollback_deployment(d, only, 0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(rollback_deployment(d, only, 7).status().message(),
            "unable to find specified revision 7 in history");
  EXPECT_EQ(rollback_deployment(d, only, 1).status().message(),
            "skipped rollback (current template already matches revision 1)");
  d.spec.paused = true;
  EXPECT_EQ(rollback_deployment(d, only, 1).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace nodrop::controller
