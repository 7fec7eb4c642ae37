// The seed's losses, reproduced and fixed with real processes and real traffic (examples/losses/,
// whose README lists them): each test starts a cluster with the kubernetes profile (time scale
// 0.25), applies a Deployment and a LoadBalancer Service from the examples, sends 200 requests/s
// through the front load balancer, rolls demo-app:v1 to demo-app:v2, and asserts the failure
// class its scenario is about. Every test prints its figures:
//
//   scenario | requests | failed by class | rollout duration | client addresses the app saw
//
// Each test has a /24 of its own (127.0.110.0 upward) for nodes, pods and the load balancer, so
// ctest may run them side by side; clients connect from 127.0.130.1-127.0.130.8.
#include "scenario_support.h"

namespace nodrop::scenarios {
namespace {

using server::RolloutOutcome;
using server::RolloutScenario;
using traffic::Outcome;

constexpr const char* kClients = "127.0.130.1-127.0.130.8";

class LossScenario : public ScenarioTest {
 protected:
  RolloutScenario scenario(int block, const std::string& deployment_file,
                           const std::string& service_file) {
    RolloutScenario scenario = ScenarioTest::scenario(block, server::Profile::kKubernetes,
                                                      deployment_file, service_file, kClients);
    scenario.config.kubernetes.time_scale = 0.25;
    return scenario;
  }
};

TEST_F(LossScenario, NoReadinessProbeAndAStartupDelayLosesTheNewPodsFirstConnections) {
  const RolloutOutcome outcome =
      run("1 no readiness probe", scenario(110, "1-no-readiness.yaml", "service-cluster.yaml"));
  // The refusal at the pod reaches the client as a reset through the L4 hops.
  EXPECT_GT(count(outcome, Outcome::kReset), 0U);
}

TEST_F(LossScenario, AReadinessProbeKeepsTheNewPodOutUntilItListens) {
  const RolloutOutcome outcome =
      run("1 fixed", scenario(111, "1-readiness.yaml", "service-cluster.yaml"));
  EXPECT_EQ(outcome.report.recorder.failures(), 0U);
}

TEST_F(LossScenario, AnAppThatExitsOnSigtermWithoutPreStopLosesRequests) {
  const RolloutOutcome outcome =
      run("2 exit on SIGTERM", scenario(112, "2-exit-on-sigterm.yaml", "service-cluster.yaml"));
  EXPECT_GT(outcome.report.recorder.failures(), 0U);
}

TEST_F(LossScenario, APreStopLongerThanThePropagationAndAGracePeriodLoseNothing) {
  const RolloutOutcome outcome =
      run("2 fixed", scenario(113, "2-prestop.yaml", "service-cluster.yaml"));
  EXPECT_EQ(outcome.report.recorder.failures(), 0U);
}

// Scenario 3's load balancer checks nodes at the real-time default (every 2 s, 3 in a row): scaled
// like the other delays, its checks would be quicker than the manifests' whole seconds, which are
// not scaled, and no node would stay in the balancer long after losing its pod.
RolloutScenario with_real_time_health_checks(RolloutScenario scenario) {
  scenario.config.kubernetes.health_check_interval = std::chrono::milliseconds(
      static_cast<std::int64_t>(2000 / scenario.config.kubernetes.time_scale));
  return scenario;
}

TEST_F(LossScenario, LocalWithOnePodPerNodeTimesOutAtTheNodeThatLostItsPod) {
  const RolloutOutcome outcome = run("3 Local, one pod per node",
                                     with_real_time_health_checks(scenario(
                                         114, "3-local-one-per-node.yaml", "service-local.yaml")));
  EXPECT_GT(count(outcome, Outcome::kTimeout), 0U);
  EXPECT_TRUE(all_in(outcome.client_addresses, kClients));  // Local keeps the client's address
}

TEST_F(LossScenario, TheSameDeploymentBehindAClusterServiceLosesNothing) {
  const RolloutOutcome outcome =
      run("3 Cluster", scenario(115, "3-local-one-per-node.yaml", "service-cluster.yaml"));
  EXPECT_EQ(outcome.report.recorder.failures(), 0U);
  EXPECT_TRUE(all_in(outcome.client_addresses, "127.0.115.1-127.0.115.9"));  // the nodes' (SNAT)
}

TEST_F(LossScenario, LocalWithTheInPlaceSurgeLosesNothing) {
  const RolloutOutcome outcome = run(
      "3 fixed: in-place surge", with_real_time_health_checks(scenario(
                                     116, "3-local-in-place-surge.yaml", "service-local.yaml")));
  EXPECT_EQ(outcome.report.recorder.failures(), 0U);
  EXPECT_TRUE(all_in(outcome.client_addresses, kClients));
}

TEST_F(LossScenario, EniWithoutConnectionDrainingCutsLongConnections) {
  RolloutScenario cut = scenario(117, "4-eni.yaml", "service-eni.yaml");
  cut.load.mode = traffic::ConnectionMode::kKeepAlive;
  cut.load.connections = 16;
  const RolloutOutcome outcome = run("4 ENI, keep-alive, no draining", cut);
  EXPECT_GT(count(outcome, Outcome::kReset), 0U);
}

TEST_F(LossScenario, EniWithConnectionDrainingAndAGracefulAppLosesNothing) {
  RolloutScenario drained = scenario(118, "4-eni.yaml", "service-eni-drain.yaml");
  drained.load.mode = traffic::ConnectionMode::kKeepAlive;
  drained.load.connections = 16;
  const RolloutOutcome outcome = run("4 fixed: connection draining", drained);
  EXPECT_EQ(outcome.report.recorder.failures(), 0U);
}

// With ENI the balancer sends to the pods themselves; without draining it cuts whatever is in
// flight when it drops one (scenario 4), so the fixed ENI setup drains.
TEST_F(LossScenario, EniWithReadinessAndPreStopLosesNothingAndSkipsTheNodes) {
  const RolloutOutcome outcome = run("5 ENI, readiness, preStop and draining",
                                     scenario(119, "4-eni.yaml", "service-eni-drain.yaml"));
  EXPECT_EQ(outcome.report.recorder.failures(), 0U);
  // No node hop: the app saw the clients themselves, never a node's address.
  EXPECT_TRUE(all_in(outcome.client_addresses, kClients));
}

}  // namespace
}  // namespace nodrop::scenarios
