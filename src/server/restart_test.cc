// nodrop stopped and started again on the same store, in virtual time: a clean stop is a node
// shutdown, after which every pod runs again at its address with one more restart; after a crash
// every pod whose process still runs is adopted as it was (same restart count, still Ready), and
// those whose process is gone run again; a rollout interrupted either way carries on to its end;
// no object is lost or made twice.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api/defaults.h"
#include "controller/test_deployment.h"
#include "server/simulated_cluster.h"
#include "store/memory_persistence.h"

namespace nodrop::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class RestartTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(sim_.start().is_ok()); }

  api::Deployment web(const std::string& image) {
    api::Deployment deployment = controller::test_deployment_to_apply(3, image, "demo-app");
    deployment.spec.strategy.rolling_update =
        api::RollingUpdateDeployment{api::IntOrString::from_int(1), api::IntOrString::from_int(0)};
    return deployment;
  }
  std::vector<api::Pod> pods() {
    std::vector<api::Pod> out;
    const store::ListResult listed = sim_.store().list({.kind = "Pod"}).value();
    for (const store::ObjectPtr& pod : listed.items) out.push_back(std::get<api::Pod>(*pod));
    return out;
  }
  std::vector<std::string> uids(const char* kind) {
    std::vector<std::string> out;
    const store::ListResult listed = sim_.store().list({.kind = kind}).value();
    for (const store::ObjectPtr& object : listed.items) {
      out.push_back(api::metadata_of(*object).uid);
    }
    return out;
  }
  bool all_ready(const std::string& image) {
    const std::vector<api::Pod> now = pods();
    if (now.size() != 3) return false;
    for (const api::Pod& pod : now) {
      if (!api::is_pod_ready(pod) || pod.spec.containers[0].image != image) return false;
    }
    return true;
  }
  // A clean stop: node shutdown on every node, then nodrop starts again on the same store.
  void stop_and_start() {
    bool stopped = false;
    sim_.cluster().shut_down([&] { stopped = true; });
    for (int i = 0; i < 600 && !stopped; ++i) sim_.loop().advance(milliseconds(100));
    ASSERT_TRUE(stopped);
    EXPECT_EQ(sim_.processes().running(), 0U);
    sim_.restart();
    ASSERT_TRUE(sim_.start().is_ok());
  }

  store::MemoryPersistence disk_;
  SimulatedCluster sim_{ClusterConfig::defaults(), SimulatedCluster::kDefaultSeed, &disk_};
};

TEST_F(RestartTest, AfterACleanStopEveryPodRunsAgainAtItsAddressWithOneMoreRestart) {
  ASSERT_TRUE(sim_.cluster().apply(web("demo-app:v1")).is_ok());
  sim_.loop().advance(seconds(5));
  ASSERT_TRUE(all_ready("demo-app:v1"));
  std::map<std::string, api::Pod> before;
  for (const api::Pod& pod : pods()) before[pod.metadata.name] = pod;
  const std::size_t started = sim_.processes().started();

  stop_and_start();
  sim_.loop().advance(seconds(5));
  ASSERT_TRUE(all_ready("demo-app:v1"));
  EXPECT_EQ(sim_.processes().running(), 3U);
  EXPECT_EQ(sim_.processes().started(), started + 3);
  for (const api::Pod& pod : pods()) {
    ASSERT_TRUE(before.contains(pod.metadata.name)) << pod.metadata.name << " is new";
    const api::Pod& earlier = before.at(pod.metadata.name);
    EXPECT_EQ(pod.metadata.uid, earlier.metadata.uid);
    EXPECT_EQ(pod.status.pod_ip, earlier.status.pod_ip);
    EXPECT_EQ(pod.spec.node_name, earlier.spec.node_name);
    EXPECT_EQ(pod.status.start_time, earlier.status.start_time);
    const api::ContainerStatus& container = pod.status.container_statuses.at(0);
    EXPECT_EQ(container.restart_count, earlier.status.container_statuses.at(0).restart_count + 1);
    ASSERT_TRUE(container.last_state.terminated.has_value());
    EXPECT_EQ(container.last_state.terminated->exit_code, 255);
    EXPECT_EQ(container.last_state.terminated->reason, "Unknown");
    EXPECT_NE(container.container_id, earlier.status.container_statuses.at(0).container_id);
  }
}

TEST_F(RestartTest, AfterACrashEveryRunningPodIsAdoptedAsItWasAndStaysReady) {
  // Its environment refers to a ConfigMap, which adoption reads again as the start did.
  api::ConfigMap config;
  config.metadata.name = "web-config";
  config.metadata.namespace_name = "default";
  config.data = {{"mode", "fast"}};
  ASSERT_TRUE(sim_.cluster().apply(api::Object(config)).is_ok());
  api::Deployment deployment = web("demo-app:v1");
  api::EnvVar mode;
  mode.name = "MODE";
  mode.config_map_key_ref = api::KeySelector{"web-config", "mode", std::nullopt};
  deployment.spec.template_spec.spec.containers[0].env.push_back(mode);
  ASSERT_TRUE(sim_.cluster().apply(deployment).is_ok());
  sim_.loop().advance(seconds(5));
  ASSERT_TRUE(all_ready("demo-app:v1"));
  std::map<std::string, api::Pod> before;
  for (const api::Pod& pod : pods()) before[pod.metadata.name] = pod;
  const std::size_t started = sim_.processes().started();

  sim_.restart();  // no shutdown: a crash
  EXPECT_EQ(sim_.processes().orphans(), 3U);
  ASSERT_TRUE(sim_.start().is_ok());
  EXPECT_EQ(sim_.processes().orphans(), 0U);
  EXPECT_EQ(sim_.processes().running(), 3U);
  // Through every write of the restart, no pod stopped being Ready.
  for (int i = 0; i < 50; ++i) {
    sim_.loop().advance(milliseconds(100));
    ASSERT_TRUE(all_ready("demo-app:v1")) << "at " << i * 100 << " ms";
  }
  EXPECT_EQ(sim_.processes().started(), started);  // nothing started again
  for (const api::Pod& pod : pods()) {
    const api::Pod& earlier = before.at(pod.metadata.name);
    EXPECT_EQ(pod.status.pod_ip, earlier.status.pod_ip);
    EXPECT_EQ(pod.status.container_statuses, earlier.status.container_statuses);
  }
}

TEST_F(RestartTest, AfterACrashThatTookThePodsProcessesEveryPodRunsAgain) {
  ASSERT_TRUE(sim_.cluster().apply(web("demo-app:v1")).is_ok());
  sim_.loop().advance(seconds(5));
  ASSERT_TRUE(all_ready("demo-app:v1"));
  std::map<std::string, api::Pod> before;
  for (const api::Pod& pod : pods()) before[pod.metadata.name] = pod;

  sim_.restart();
  sim_.processes().end_orphans();  // their supervisors stopped waiting
  ASSERT_TRUE(sim_.start().is_ok());
  sim_.loop().advance(seconds(5));
  ASSERT_TRUE(all_ready("demo-app:v1"));
  for (const api::Pod& pod : pods()) {
    const api::Pod& earlier = before.at(pod.metadata.name);
    EXPECT_EQ(pod.status.pod_ip, earlier.status.pod_ip);
    EXPECT_EQ(pod.status.container_statuses.at(0).restart_count,
              earlier.status.container_statuses.at(0).restart_count + 1);
  }
}

TEST_F(RestartTest, AServiceKeepsItsClusterIpAndNodePortsAndANewOneGetsOthers) {
  const auto service = [](const std::string& name) {
    api::Service object;
    object.metadata.name = name;
    object.spec.type = api::kServiceTypeLoadBalancer;
    object.spec.selector = {{"app", "web"}};
    api::ServicePort port;
    port.port = 80;
    port.target_port = api::IntOrString::from_int(8080);
    object.spec.ports = {port};
    api::set_defaults(object);
    return object;
  };
  const auto stored = [&](const std::string& name) {
    return std::get<api::Service>(*sim_.store().get({"Service", "default", name}).value());
  };
  ASSERT_TRUE(sim_.cluster().apply(web("demo-app:v1")).is_ok());
  ASSERT_TRUE(sim_.cluster().apply(service("first")).is_ok());
  sim_.loop().advance(seconds(5));
  const api::Service before = stored("first");
  ASSERT_NE(before.spec.ports.at(0).node_port, 0);
  ASSERT_FALSE(before.spec.cluster_ip.empty());

  stop_and_start();
  sim_.loop().advance(seconds(5));
  const api::Service after = stored("first");
  EXPECT_EQ(after.spec.cluster_ip, before.spec.cluster_ip);
  EXPECT_EQ(after.spec.ports, before.spec.ports);
  EXPECT_EQ(after.status.load_balancer_ingress, before.status.load_balancer_ingress);
  // The restarted registry knows what the stored Services hold.
  ASSERT_TRUE(sim_.cluster().apply(service("second")).is_ok());
  const api::Service second = stored("second");
  EXPECT_NE(second.spec.cluster_ip, before.spec.cluster_ip);
  EXPECT_NE(second.spec.ports.at(0).node_port, before.spec.ports.at(0).node_port);
}

enum class Stop { kClean, kCrash };
class InterruptedRolloutTest : public RestartTest, public ::testing::WithParamInterface<Stop> {};

TEST_P(InterruptedRolloutTest, ARolloutStoppedHalfwayCarriesOnToItsEndWithNothingLostOrDoubled) {
  // Each new pod counts as available 2 s after it is ready, so the rollout takes a few steps.
  api::Deployment v1 = web("demo-app:v1");
  v1.spec.min_ready_seconds = 2;
  api::Deployment v2 = web("demo-app:v2");
  v2.spec.min_ready_seconds = 2;
  ASSERT_TRUE(sim_.cluster().apply(v1).is_ok());
  sim_.loop().advance(seconds(5));
  ASSERT_TRUE(all_ready("demo-app:v1"));
  ASSERT_TRUE(sim_.cluster().apply(v2).is_ok());
  // Halfway: the new ReplicaSet has a pod, and the old one still has some.
  const auto halfway = [&] {
    const std::vector<api::Pod> now = pods();
    const auto updated = std::count_if(now.begin(), now.end(), [](const api::Pod& pod) {
      return pod.spec.containers[0].image == "demo-app:v2";
    });
    return updated >= 1 && updated < static_cast<std::ptrdiff_t>(now.size());
  };
  for (int i = 0; i < 100 && !halfway(); ++i) sim_.loop().advance(milliseconds(10));
  ASSERT_TRUE(halfway());
  ASSERT_EQ(uids("ReplicaSet").size(), 2U);
  const std::vector<std::string> replica_sets = uids("ReplicaSet");
  const std::vector<std::string> deployments = uids("Deployment");

  if (GetParam() == Stop::kClean) {
    stop_and_start();
  } else {
    sim_.restart();
    ASSERT_TRUE(sim_.start().is_ok());
  }
  sim_.loop().advance(seconds(30));
  EXPECT_TRUE(all_ready("demo-app:v2"));
  EXPECT_EQ(uids("ReplicaSet"), replica_sets);  // the same two: none lost, none made again
  EXPECT_EQ(uids("Deployment"), deployments);
  const api::Deployment deployment =
      std::get<api::Deployment>(*sim_.store().get({"Deployment", "default", "web"}).value());
  EXPECT_EQ(deployment.metadata.annotations.at(api::kRevisionAnnotation), "2");
  EXPECT_EQ(deployment.status.updated_replicas, 3);
  EXPECT_EQ(deployment.status.available_replicas, 3);
  std::set<std::string> revisions;
  const store::ListResult listed = sim_.store().list({.kind = "ReplicaSet"}).value();
  for (const store::ObjectPtr& object : listed.items) {
    revisions.insert(api::metadata_of(*object).annotations.at(api::kRevisionAnnotation));
  }
  EXPECT_EQ(revisions, (std::set<std::string>{"1", "2"}));
  EXPECT_EQ(sim_.processes().running(), 3U);
}

INSTANTIATE_TEST_SUITE_P(Restart, InterruptedRolloutTest,
                         ::testing::Values(Stop::kClean, Stop::kCrash),
                         [](const ::testing::TestParamInfo<Stop>& param_info) {
                           return param_info.param == Stop::kClean ? "CleanStop" : "Crash";
                         });

}  // namespace
}  // namespace nodrop::server
