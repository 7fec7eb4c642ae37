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
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "manifest/load.h"
#include "node/image_map.h"
#include "server/rollout_scenario.h"
#include "traffic/outcome.h"

namespace nodrop {
namespace {

namespace fs = std::filesystem;
using server::RolloutOutcome;
using server::RolloutScenario;
using traffic::Outcome;

constexpr const char* kClients = "127.0.130.1-127.0.130.8";

std::vector<api::Object> load(const std::string& file) {
  const std::string path = std::string(EXAMPLES_DIR) + "/losses/" + file;
  const manifest::LoadResult loaded = manifest::load_manifest_file(path, {});
  std::vector<api::Object> objects;
  for (const manifest::LoadedObject& object : loaded.objects) objects.push_back(object.object);
  EXPECT_FALSE(objects.empty()) << path;
  return objects;
}

// The LoadBalancer Service on port 80 as in the examples when this process may bind it (root, or
// a lowered ip_unprivileged_port_start); else 8080.
std::vector<api::Object> service(const std::string& file) {
  std::vector<api::Object> objects = load(file);
  if (geteuid() != 0) {
    for (api::Object& object : objects) std::get<api::Service>(object).spec.ports[0].port = 8080;
  }
  return objects;
}

class LossScenario : public ::testing::Test {
 protected:
  // block: this test's /24, 127.0.<block>.0.
  RolloutScenario scenario(int block, const std::string& deployment_file,
                           const std::string& service_file) {
    const std::string prefix = "127.0." + std::to_string(block) + ".";
    data_dir_ = fs::temp_directory_path() /
                ("nodrop-loss-" + std::to_string(block) + "-" + std::to_string(getpid()));
    RolloutScenario scenario;
    scenario.config = server::ClusterConfig::defaults();
    scenario.config.data_dir = data_dir_.string();
    scenario.config.profile = server::Profile::kKubernetes;
    scenario.config.kubernetes.time_scale = 0.25;
    scenario.config.node_addresses = parse_address_range(prefix + "1-" + prefix + "9").value();
    scenario.config.load_balancer_addresses =
        parse_address_range(prefix + "10-" + prefix + "19").value();
    scenario.config.cluster_ip_addresses =
        parse_address_range(prefix + "20-" + prefix + "29").value();
    scenario.config.pod_addresses = parse_address_range(prefix + "32-" + prefix + "254").value();
    scenario.config.images = {node::demo_app_mapping(DEMO_APP_PATH)};
    deployment_file_ = deployment_file;
    service_file_ = service_file;
    scenario.objects = load(deployment_file);
    for (api::Object& object : service(service_file)) scenario.objects.push_back(object);
    scenario.deployment = "web";
    scenario.service = "web";
    api::Object changed = load(deployment_file).front();
    std::get<api::Deployment>(changed).spec.template_spec.spec.containers[0].image = "demo-app:v2";
    scenario.change = {changed};
    scenario.load.rate_per_second = 200;
    scenario.load.connections = 32;
    scenario.load.mode = traffic::ConnectionMode::kNewConnection;
    scenario.load.timeout = std::chrono::seconds(1);
    scenario.load.sources = parse_address_range(kClients).value();
    scenario.before = std::chrono::seconds(1);
    scenario.settle = std::chrono::seconds(1);
    scenario.deadline = std::chrono::seconds(60);
    return scenario;
  }
  void TearDown() override {
    std::error_code ignored;
    if (!data_dir_.empty()) fs::remove_all(data_dir_, ignored);
  }

  // Runs it and prints the scenario's row.
  RolloutOutcome run(const std::string& name, const RolloutScenario& scenario) {
    Result<RolloutOutcome> outcome = server::run_rollout_scenario(scenario);
    EXPECT_TRUE(outcome.is_ok()) << outcome.status().to_string();
    if (!outcome.is_ok()) std::abort();  // nothing else to check; the message says why
    const traffic::Recorder& recorder = outcome->report.recorder;
    std::string failures;
    for (const Outcome each : traffic::kAllOutcomes) {
      if (each == Outcome::kOk || recorder.count(each) == 0) continue;
      failures += " " + std::string(traffic::outcome_name(each)) + "=" +
                  std::to_string(recorder.count(each));
    }
    std::string clients;
    for (const std::string& address : outcome->client_addresses) clients += " " + address;
    std::cout << "scenario " << name << " | " << deployment_file_ << " + " << service_file_
              << " | requests " << recorder.total() << " | failed " << recorder.failures()
              << (failures.empty() ? "" : " (" + failures.substr(1) + ")") << " | rollout "
              << std::chrono::duration_cast<std::chrono::milliseconds>(outcome->rollout).count()
              << " ms | app saw" << clients << std::endl;
    return std::move(outcome).value();
  }

  static std::uint64_t count(const RolloutOutcome& outcome, Outcome each) {
    return outcome.report.recorder.count(each);
  }
  static bool all_in(const std::set<std::string>& addresses, const std::string& range_text) {
    const AddressRange range = parse_address_range(range_text).value();
    for (const std::string& text : addresses) {
      const std::uint32_t value = parse_ipv4_address(text).value().value;
      if (value < range.first || value > range.last) return false;
    }
    return !addresses.empty();
  }

  fs::path data_dir_;
  std::string deployment_file_;
  std::string service_file_;
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
}  // namespace nodrop
