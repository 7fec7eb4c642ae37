// The nodrop profile's promise with real processes and real traffic: the naive manifests
// (examples/losses/naive*.yaml: no readiness probe, no preStop hook, the default grace period, an
// app that takes a second to listen and exits at once on SIGTERM) roll without a failed request,
// in each Service mode, for keep-alive and new-connection clients; a one-replica Deployment rolls
// ten times without one; a TCP (not HTTP) port loses no new connection; a pod killed with SIGKILL
// costs at most what was in flight on it.
//
// Load: 2,500 requests/s through the front load balancer; over the whole file well above 100,000
// requests. Each test has a /24 of its own (127.0.120.0 to 127.0.129.0); clients connect from
// 127.0.131.1-127.0.131.8.
#include <signal.h>

#include <regex>

#include "scenario_support.h"
#include "server/live_cluster.h"

namespace nodrop::scenarios {
namespace {

using server::RolloutOutcome;
using server::RolloutScenario;
using traffic::ConnectionMode;

constexpr const char* kClients = "127.0.131.1-127.0.131.8";
constexpr std::uint64_t kRate = 2500;

class DrainGate : public ScenarioTest {
 protected:
  RolloutScenario naive(int block, const std::string& deployment_file,
                        const std::string& service_file, ConnectionMode mode) {
    RolloutScenario scenario = ScenarioTest::scenario(block, server::Profile::kNodrop,
                                                      deployment_file, service_file, kClients);
    scenario.load.rate_per_second = kRate;
    scenario.load.mode = mode;
    scenario.load.connections = mode == ConnectionMode::kKeepAlive ? 64 : 128;
    scenario.load.timeout = std::chrono::seconds(5);  // above the hold limit: a held request waits
    return scenario;
  }
  void expect_none_failed(const RolloutOutcome& outcome) {
    EXPECT_EQ(outcome.report.recorder.failures(), 0U);
    EXPECT_GT(outcome.report.recorder.total(), 5000U);  // the load ran at its rate
  }
};

TEST_F(DrainGate, ClusterKeepAliveLosesNothing) {
  const RolloutOutcome outcome =
      run("naive, Cluster, keep-alive",
          naive(120, "naive.yaml", "service-cluster.yaml", ConnectionMode::kKeepAlive));
  expect_none_failed(outcome);
}

TEST_F(DrainGate, ClusterNewConnectionsLoseNothing) {
  const RolloutOutcome outcome =
      run("naive, Cluster, new connections",
          naive(121, "naive.yaml", "service-cluster.yaml", ConnectionMode::kNewConnection));
  expect_none_failed(outcome);
}

TEST_F(DrainGate, LocalKeepAliveLosesNothing) {
  const RolloutOutcome outcome =
      run("naive, Local, keep-alive",
          naive(122, "naive-local.yaml", "service-local.yaml", ConnectionMode::kKeepAlive));
  expect_none_failed(outcome);
  EXPECT_TRUE(all_in(outcome.client_addresses, kClients));  // Local keeps the client's address
}

TEST_F(DrainGate, LocalNewConnectionsLoseNothing) {
  const RolloutOutcome outcome =
      run("naive, Local, new connections",
          naive(123, "naive-local.yaml", "service-local.yaml", ConnectionMode::kNewConnection));
  expect_none_failed(outcome);
}

TEST_F(DrainGate, EniKeepAliveLosesNothing) {
  const RolloutOutcome outcome =
      run("naive, ENI, keep-alive",
          naive(124, "naive.yaml", "service-eni.yaml", ConnectionMode::kKeepAlive));
  expect_none_failed(outcome);
  EXPECT_TRUE(all_in(outcome.client_addresses, kClients));  // no node hop
}

TEST_F(DrainGate, EniNewConnectionsLoseNothing) {
  const RolloutOutcome outcome =
      run("naive, ENI, new connections",
          naive(125, "naive.yaml", "service-eni.yaml", ConnectionMode::kNewConnection));
  expect_none_failed(outcome);
}

// A Service port that is not HTTP (named tcp) is L4 at every hop: the gate waits for the pod's
// connections to close. An app that exits at once cannot keep the connections it has; clients
// that open one per request lose none.
TEST_F(DrainGate, ATcpPortLosesNoNewConnection) {
  RolloutScenario scenario =
      naive(128, "naive.yaml", "service-cluster.yaml", ConnectionMode::kNewConnection);
  std::get<api::Service>(scenario.objects[1]).spec.ports[0].name = "tcp";
  const RolloutOutcome outcome = run("naive, Cluster, a TCP port, new connections", scenario);
  expect_none_failed(outcome);
}

// Requests that take a while at the app and may not be retried (POST): with the app exiting at
// once on SIGTERM, only waiting for them to finish before the signal saves them. (The cases above
// pass without the gate too: with no propagation delay, nodrop's retries on another endpoint cover
// what reaches a pod that already exited; this one does not.)
TEST_F(DrainGate, SlowPostsInFlightFinishBeforeTheOldPodIsSignalled) {
  RolloutScenario scenario =
      naive(129, "naive.yaml", "service-cluster.yaml", ConnectionMode::kKeepAlive);
  for (api::Object* object : {&scenario.objects[0], &scenario.changes[0][0]}) {
    std::vector<std::string>& args =
        std::get<api::Deployment>(*object).spec.template_spec.spec.containers[0].args;
    args.insert(args.end(), {"--latency", "200ms"});
  }
  scenario.load.rate_per_second = 500;
  scenario.load.connections = 256;
  scenario.load.method = "POST";
  scenario.load.body = "order\n";
  const RolloutOutcome outcome = run("naive, Cluster, slow POSTs", scenario);
  EXPECT_EQ(outcome.report.recorder.failures(), 0U);
  EXPECT_GT(outcome.report.recorder.total(), 1500U);
}

TEST_F(DrainGate, OneReplicaRolledTenTimesLosesNothing) {
  RolloutScenario scenario =
      naive(126, "naive.yaml", "service-cluster.yaml", ConnectionMode::kKeepAlive);
  std::get<api::Deployment>(scenario.objects[0]).spec.replicas = 1;
  scenario.changes.clear();
  for (int round = 1; round <= 10; ++round) {
    api::Object next = with_image(scenario.objects[0], "demo-app:v" + std::to_string(round + 1));
    scenario.changes.push_back({next});
  }
  const RolloutOutcome outcome = run("naive, one replica, ten rollouts", scenario);
  EXPECT_EQ(outcome.rollouts.size(), 10U);
  expect_none_failed(outcome);
}

// The pid demo-app printed in its pod's log ("listening 127.0.127.33:8080 (pid 1234)"): one of
// the processes this test started (through the cluster it runs).
std::optional<int> a_demo_app_pid(const std::string& data_dir) {
  const std::regex listening(R"(listening \S+ \(pid ([0-9]+)\))");
  std::optional<int> pid;
  server::for_each_pod_log_line(data_dir, [&](const std::string& line) {
    std::smatch match;
    if (!pid && std::regex_search(line, match, listening)) pid = std::stoi(match[1].str());
  });
  return pid;
}

TEST_F(DrainGate, APodKilledWithSigkillCostsAtMostWhatWasInFlightOnIt) {
  RolloutScenario scenario =
      naive(127, "naive.yaml", "service-cluster.yaml", ConnectionMode::kKeepAlive);
  scenario.changes.clear();
  scenario.settle = std::chrono::seconds(4);  // the container restarts (1 s to listen) meanwhile
  scenario.disruption = [](server::LiveCluster& live) {
    const std::optional<int> pid = a_demo_app_pid(live.data_dir());
    if (!pid) return Status(StatusCode::kNotFound, "no demo-app pid in the pods' logs");
    if (kill(*pid, SIGKILL) != 0) return Status(StatusCode::kInternal, "kill failed");
    return Status::ok();
  };
  const RolloutOutcome outcome = run("naive, a pod killed with SIGKILL", scenario);
  const traffic::Recorder& recorder = outcome.report.recorder;
  // At most one request per connection can have been on the killed pod; nodrop's retries usually
  // save even those (a GET whose upstream closed before answering is tried once more).
  EXPECT_LE(recorder.failures(), scenario.load.connections);
  // And none after: every failure was sent within a second of the kill.
  ASSERT_FALSE(recorder.marks().empty());
  const auto killed = std::chrono::duration_cast<std::chrono::seconds>(recorder.marks()[0].at);
  for (const auto& [second, by_outcome] : recorder.failures_by_second()) {
    EXPECT_LE(second, static_cast<std::uint64_t>(killed.count()) + 1) << "failures later on";
  }
  EXPECT_GT(recorder.total(), 8000U);
}

}  // namespace
}  // namespace nodrop::scenarios
