// kubectl's rollout messages, one per state of a Deployment.
#include "cli/rollout_status.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::cli {
namespace {

RolloutState state_of(const std::string& json) {
  return deployment_rollout_state(apiserver::parse_body(json).value());
}

TEST(DeploymentRolloutState, EachStageInKubectlsWords) {
  const auto deployment = [](const std::string& status) {
    return R"({"metadata": {"name": "web", "generation": 2}, "spec": {"replicas": 2},
               "status": )" +
           status + "}";
  };
  EXPECT_EQ(state_of(deployment(R"({"observedGeneration": 1})")).message,
            "Waiting for deployment spec update to be observed...");
  EXPECT_EQ(
      state_of(deployment(R"({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1})"))
          .message,
      "Waiting for deployment \"web\" rollout to finish: 1 out of 2 new replicas have been "
      "updated...");
  EXPECT_EQ(
      state_of(deployment(R"({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2})"))
          .message,
      "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending "
      "termination...");
  const RolloutState available = state_of(deployment(
      R"({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1})"));
  EXPECT_EQ(available.phase, RolloutState::Phase::kWaiting);
  EXPECT_EQ(available.message,
            "Waiting for deployment \"web\" rollout to finish: 1 of 2 updated replicas are "
            "available...");
  const RolloutState done = state_of(deployment(
      R"({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2})"));
  EXPECT_EQ(done.phase, RolloutState::Phase::kDone);
  EXPECT_EQ(done.message, "deployment \"web\" successfully rolled out");
}

TEST(DeploymentRolloutState, AProgressDeadlineExceededFails) {
  const RolloutState failed = state_of(R"({"metadata": {"name": "web", "generation": 1},
    "spec": {"replicas": 2}, "status": {"observedGeneration": 1, "updatedReplicas": 1,
    "conditions": [{"type": "Available", "status": "False"},
                   {"type": "Progressing", "status": "False",
                    "reason": "ProgressDeadlineExceeded"}]}})");
  EXPECT_EQ(failed.phase, RolloutState::Phase::kFailed);
  EXPECT_EQ(failed.message, "deployment \"web\" exceeded its progress deadline");
}

}  // namespace
}  // namespace nodrop::cli
