// The drain gate in virtual time, over the whole cluster: in profile nodrop no old pod of a
// rollout is signalled before every hop's table without it was applied (in Local mode: before
// the front load balancer dropped its node), nor while a hop counts work in flight to it; the
// same check fails under profile kubernetes, which is what makes it a check.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "api/defaults.h"
#include "controller/test_deployment.h"
#include "server/simulated_cluster.h"

namespace nodrop::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Ipv4Endpoint at(const std::string& text) { return parse_ipv4_endpoint(text).value(); }

ClusterConfig with_profile(Profile profile) {
  ClusterConfig config = ClusterConfig::defaults();
  config.profile = profile;
  return config;
}

class DrainGateTest : public ::testing::Test {
 protected:
  explicit DrainGateTest(Profile profile = Profile::kNodrop) : simulated_(with_profile(profile)) {}
  void SetUp() override { ASSERT_TRUE(cluster_.start().is_ok()); }

  // "web": replicas of one container with port 8080 named http, its address as its argument
  // (so a signalled process names its pod's address).
  static api::Deployment deployment(std::int32_t replicas, const std::string& image) {
    api::Deployment object = controller::test_deployment(replicas, image);
    object.metadata.uid.clear();
    object.metadata.generation = 0;
    api::Container& container = object.spec.template_spec.spec.containers[0];
    container.command = {"demo-app"};
    container.args = {"$(POD_IP)"};
    api::EnvVar pod_ip;
    pod_ip.name = "POD_IP";
    pod_ip.field_ref = api::ObjectFieldSelector{"v1", "status.podIP"};
    container.env = {pod_ip};
    api::ContainerPort port;
    port.name = "http";
    port.container_port = 8080;
    container.ports = {port};
    api::set_defaults(object);
    return object;
  }
  static api::Service service(const std::string& policy) {
    api::Service object;
    object.metadata.name = "web";
    object.metadata.namespace_name = "default";
    object.spec.type = api::kServiceTypeLoadBalancer;
    object.spec.external_traffic_policy = policy;
    object.spec.selector = {{"app", "web"}};
    api::ServicePort port;
    port.name = "http";
    port.port = 80;
    port.target_port = api::IntOrString::from_string("http");
    object.spec.ports = {port};
    api::set_defaults(object);
    return object;
  }
  std::string node_port_address(int node) {
    const auto& web =
        std::get<api::Service>(*cluster_.store().get({"Service", "default", "web"}).value());
    return "127.0.1." + std::to_string(node) + ":" + std::to_string(web.spec.ports[0].node_port);
  }
  std::map<std::string, api::Pod> pods_by_ip() {
    std::map<std::string, api::Pod> out;
    const store::ListResult listed = cluster_.store().list({.kind = "Pod"}).value();
    for (const store::ObjectPtr& object : listed.items) {
      const auto& pod = std::get<api::Pod>(*object);
      if (!pod.status.pod_ip.empty()) out[pod.status.pod_ip] = pod;
    }
    return out;
  }
  // When each process was first sent SIGTERM, by the address it was started with.
  std::map<std::string, runtime::Time> terminated() {
    std::map<std::string, runtime::Time> out;
    for (const auto& record : simulated_.processes().signals()) {
      if (record.signal != runtime::Signal::kTerminate) continue;
      const runtime::ProcessSpec* spec = simulated_.processes().spec(record.process);
      if (spec == nullptr || spec->argv.size() < 2) continue;
      out.emplace(spec->argv[1], record.at);
    }
    return out;
  }
  // Whether the table the listener on `listen` had applied at `when` could pick `backend`.
  bool routes_at(const std::string& listen, const std::string& backend, runtime::Time when) {
    bool pickable = false;
    for (const RecordedDataPlane::Record* record : data_plane_.records(at(listen))) {
      if (record->opened > when) break;
      if (record->closed && *record->closed <= when) continue;
      for (const RecordedDataPlane::Table& table : record->tables) {
        if (table.at > when) break;
        pickable = false;
        for (std::size_t i = 0; i < table.endpoints.size(); ++i) {
          pickable |= table.endpoints[i].address.to_string() == backend &&
                      table.states[i] != proxy::EndpointState::kDraining;
        }
      }
    }
    return pickable;
  }
  // Whether a table the listener on `listen` applied by `when` kept `backend` only as a serving,
  // terminating endpoint (no ready one where its traffic policy looks).
  bool kept_as_fallback(const std::string& listen, const std::string& backend, runtime::Time when) {
    for (const RecordedDataPlane::Record* record : data_plane_.records(at(listen))) {
      for (const RecordedDataPlane::Table& table : record->tables) {
        if (table.at > when) break;
        for (std::size_t i = 0; i < table.endpoints.size(); ++i) {
          if (table.endpoints[i].address.to_string() == backend &&
              table.states[i] == proxy::EndpointState::kServingTerminating) {
            return true;
          }
        }
      }
    }
    return false;
  }
  std::vector<api::Event> events(const std::string& reason) {
    std::vector<api::Event> out;
    const store::ListResult listed = cluster_.store().list({.kind = "Event"}).value();
    for (const store::ObjectPtr& object : listed.items) {
      const auto& event = std::get<api::Event>(*object);
      if (event.reason == reason) out.push_back(event);
    }
    return out;
  }
  void run_for(runtime::Duration duration) { simulated_.loop().advance(duration); }

  SimulatedCluster simulated_;
  Cluster& cluster_ = simulated_.cluster();
  RecordedDataPlane& data_plane_ = simulated_.data_plane();
};

class KubernetesProfileGateTest : public DrainGateTest {
 protected:
  KubernetesProfileGateTest() : DrainGateTest(Profile::kKubernetes) {}
};

TEST_F(DrainGateTest, ClusterModeNoOldPodIsSignalledBeforeEveryHopDroppedIt) {
  ASSERT_TRUE(cluster_.apply(deployment(3, "demo-app:v1")).is_ok());
  ASSERT_TRUE(cluster_.apply(service("Cluster")).is_ok());
  run_for(seconds(5));
  const std::map<std::string, api::Pod> old_pods = pods_by_ip();
  ASSERT_EQ(old_pods.size(), 3U);

  ASSERT_TRUE(cluster_.apply(deployment(3, "demo-app:v2")).is_ok());
  run_for(seconds(30));
  const std::map<std::string, runtime::Time> signalled = terminated();
  for (const auto& [ip, pod] : old_pods) {
    ASSERT_EQ(signalled.count(ip), 1U) << pod.metadata.name << " was not terminated";
    for (int node = 1; node <= 3; ++node) {
      EXPECT_FALSE(routes_at(node_port_address(node), ip + ":8080", signalled.at(ip)))
          << pod.metadata.name << " was signalled while node-" << node << " routed to it";
    }
  }
  EXPECT_EQ(events("RemovedFromRotation").size(), 3U);
  EXPECT_EQ(events("Drained").size(), 3U);
  EXPECT_TRUE(events("DrainTimeout").empty());
  EXPECT_EQ(simulated_.cluster().kubelets().size(), 3U);
}

TEST_F(KubernetesProfileGateTest, ClusterModeOldPodsAreSignalledWhileNodesStillRouteToThem) {
  ASSERT_TRUE(cluster_.apply(deployment(3, "demo-app:v1")).is_ok());
  ASSERT_TRUE(cluster_.apply(service("Cluster")).is_ok());
  run_for(seconds(10));
  const std::map<std::string, api::Pod> old_pods = pods_by_ip();
  ASSERT_TRUE(cluster_.apply(deployment(3, "demo-app:v2")).is_ok());
  run_for(seconds(30));
  const std::map<std::string, runtime::Time> signalled = terminated();
  int early = 0;
  for (const auto& [ip, pod] : old_pods) {
    ASSERT_EQ(signalled.count(ip), 1U);
    for (int node = 1; node <= 3; ++node) {
      if (routes_at(node_port_address(node), ip + ":8080", signalled.at(ip))) ++early;
    }
  }
  EXPECT_GT(early, 0);  // kube-proxy's sync period: the race the gate removes
  EXPECT_TRUE(events("RemovedFromRotation").empty());
}

TEST_F(DrainGateTest, LocalModeWaitsForTheBalancerToDropTheNodeOfItsLastPod) {
  // The seed's losing shape: one pod per node, replaced in place (maxSurge 0, maxUnavailable 1),
  // new pods ready 3 s after they start, so each old pod leaves its node with none ready.
  api::Deployment v1 = deployment(3, "demo-app:v1");
  v1.spec.strategy.rolling_update->max_surge = api::IntOrString::from_int(0);
  v1.spec.strategy.rolling_update->max_unavailable = api::IntOrString::from_int(1);
  ASSERT_TRUE(cluster_.apply(v1).is_ok());
  ASSERT_TRUE(cluster_.apply(service("Local")).is_ok());
  run_for(seconds(5));
  const std::map<std::string, api::Pod> old_pods = pods_by_ip();
  ASSERT_EQ(old_pods.size(), 3U);
  std::map<std::string, runtime::Time> first_probed;
  simulated_.prober().set_script([&](const runtime::ProbeSpec& spec) {
    sim::FakeProber::Answer answer;
    const auto* tcp = std::get_if<runtime::TcpSocketAction>(&spec.action);
    if (tcp == nullptr || old_pods.count(tcp->host) != 0) return answer;
    const runtime::Time now = simulated_.loop().clock().now();
    const runtime::Time first = first_probed.emplace(tcp->host, now).first->second;
    if (now - first < seconds(3)) answer.outcome = {runtime::ProbeResult::kFailure, "starting"};
    return answer;
  });

  api::Deployment v2 = v1;
  v2.spec.template_spec.spec.containers[0].image = "demo-app:v2";
  ASSERT_TRUE(cluster_.apply(v2).is_ok());
  run_for(seconds(60));
  const std::map<std::string, runtime::Time> signalled = terminated();
  int kept_by_its_node = 0;
  for (const auto& [ip, pod] : old_pods) {
    ASSERT_EQ(signalled.count(ip), 1U) << pod.metadata.name;
    const runtime::Time when = signalled.at(ip);
    const std::string node = node_port_address(pod.spec.node_name.back() - '0');
    // Every other node's proxy had dropped the pod (Local: they never had it pickable).
    for (int other = 1; other <= 3; ++other) {
      if (node_port_address(other) == node) continue;
      EXPECT_FALSE(routes_at(node_port_address(other), ip + ":8080", when)) << pod.metadata.name;
    }
    // Where its own node's proxy kept it as its last, terminating pod (kube-proxy's fallback),
    // the balancer had stopped sending to the node by the signal.
    if (kept_as_fallback(node, ip + ":8080", when)) {
      ++kept_by_its_node;
      EXPECT_FALSE(routes_at("127.0.4.1:80", node, when)) << pod.metadata.name;
    }
  }
  EXPECT_GT(kept_by_its_node, 0);  // the case this test is for did happen
  EXPECT_EQ(events("Drained").size(), 3U);
  EXPECT_TRUE(events("DrainTimeout").empty());
}

TEST_F(DrainGateTest, WorkInFlightHoldsThePodUntilItEnds) {
  ASSERT_TRUE(cluster_.apply(deployment(1, "demo-app:v1")).is_ok());
  ASSERT_TRUE(cluster_.apply(service("Cluster")).is_ok());
  run_for(seconds(5));
  const std::map<std::string, api::Pod> old_pods = pods_by_ip();
  ASSERT_EQ(old_pods.size(), 1U);
  const std::string ip = old_pods.begin()->first;
  // A long request through node-2 to the old pod.
  proxy::EndpointCounters& counters =
      data_plane_.counters(at(node_port_address(2)), at(ip + ":8080"));
  counters.in_flight_requests = 1;

  ASSERT_TRUE(cluster_.apply(deployment(1, "demo-app:v2")).is_ok());
  run_for(seconds(10));
  EXPECT_EQ(terminated().count(ip), 0U);
  EXPECT_EQ(events("RemovedFromRotation").size(), 1U);
  EXPECT_TRUE(events("Drained").empty());

  counters.in_flight_requests = 0;
  const runtime::Time ended = simulated_.loop().clock().now();
  run_for(milliseconds(50));
  ASSERT_EQ(terminated().count(ip), 1U);
  EXPECT_LE(terminated().at(ip) - ended, milliseconds(2));  // polled every millisecond
  ASSERT_EQ(events("Drained").size(), 1U);
  EXPECT_EQ(events("Drained")[0].involved_object.name, old_pods.begin()->second.metadata.name);
}

TEST_F(DrainGateTest, TheGracePeriodBoundsTheWaitWithAWarning) {
  ASSERT_TRUE(cluster_.apply(deployment(1, "demo-app:v1")).is_ok());
  ASSERT_TRUE(cluster_.apply(service("Cluster")).is_ok());
  run_for(seconds(5));
  const std::string ip = pods_by_ip().begin()->first;
  data_plane_.counters(at(node_port_address(1)), at(ip + ":8080")).open_connections = 2;
  data_plane_.counters(at(node_port_address(1)), at(ip + ":8080")).in_flight_requests = 1;

  const runtime::Time changed = simulated_.loop().clock().now();
  ASSERT_TRUE(cluster_.apply(deployment(1, "demo-app:v2")).is_ok());
  run_for(seconds(25));
  EXPECT_EQ(terminated().count(ip), 0U);
  run_for(seconds(10));
  ASSERT_EQ(terminated().count(ip), 1U);
  // The default grace period (30 s) from the pod's deletion, which follows the new pod's start.
  EXPECT_GE(terminated().at(ip) - changed, seconds(30));
  EXPECT_LE(terminated().at(ip) - changed, seconds(32));
  const std::vector<api::Event> warnings = events("DrainTimeout");
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0].type, api::EventType::kWarning);
  EXPECT_NE(warnings[0].message.find("1 request(s) in flight"), std::string::npos)
      << warnings[0].message;
}

}  // namespace
}  // namespace nodrop::server
