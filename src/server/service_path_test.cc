// The Service path in virtual time: node proxies and front load balancers of the whole cluster
// over the recorded data plane, so when each hop applies each change is checked to the
// millisecond against the kubernetes profile's delays.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "api/defaults.h"
#include "controller/test_deployment.h"
#include "server/simulated_cluster.h"

namespace nodrop::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Ipv4Endpoint at(const char* text) { return parse_ipv4_endpoint(text).value(); }

class ServicePathTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.start().is_ok()); }

  // "web": replicas of one container with port 8080 named http; ready as soon as it started.
  api::Deployment deployment(std::int32_t replicas) {
    api::Deployment object = controller::test_deployment(replicas, "demo-app:v1");
    object.metadata.uid.clear();
    object.metadata.generation = 0;
    api::Container& container = object.spec.template_spec.spec.containers[0];
    container.command = {"demo-app"};
    api::ContainerPort port;
    port.name = "http";
    port.container_port = 8080;
    container.ports = {port};
    api::set_defaults(object);
    return object;
  }
  api::Service service(const std::string& name, const std::string& policy,
                       std::map<std::string, std::string> annotations = {}) {
    api::Service object;
    object.metadata.name = name;
    object.metadata.namespace_name = "default";
    object.metadata.annotations = std::move(annotations);
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
  api::Service stored_service(const std::string& name) {
    return std::get<api::Service>(*cluster_.store().get({"Service", "default", name}).value());
  }
  std::vector<api::Pod> pods() {
    std::vector<api::Pod> out;
    const store::ListResult listed = cluster_.store().list({.kind = "Pod"}).value();
    for (const store::ObjectPtr& pod : listed.items) out.push_back(std::get<api::Pod>(*pod));
    std::sort(out.begin(), out.end(), [](const api::Pod& a, const api::Pod& b) {
      return a.spec.node_name < b.spec.node_name;
    });
    return out;
  }
  std::vector<std::string> events(const std::string& reason) {
    std::vector<std::string> messages;
    const store::ListResult listed = cluster_.store().list({.kind = "Event"}).value();
    for (const store::ObjectPtr& object : listed.items) {
      const auto& event = std::get<api::Event>(*object);
      if (event.reason == reason) messages.push_back(event.message);
    }
    return messages;
  }
  // The pickable endpoints of the listener on address now (empty if none listens).
  std::vector<Ipv4Endpoint> routes(const char* address) {
    const RecordedDataPlane::Record* record = data_plane_.open(at(address));
    return record == nullptr ? std::vector<Ipv4Endpoint>{} : record->pickable();
  }
  std::set<std::string> route_addresses(const char* address) {
    std::set<std::string> out;
    for (const Ipv4Endpoint& endpoint : routes(address)) out.insert(endpoint.to_string());
    return out;
  }
  std::string node_port_address(int node, const api::Service& object) {
    return "127.0.1." + std::to_string(node) + ":" + std::to_string(object.spec.ports[0].node_port);
  }
  // Time of the first table on `address` after `since` whose pickable endpoints satisfy `match`.
  template <typename Match>
  std::optional<runtime::Time> applied_at(const std::string& address, runtime::Time since,
                                          Match match) {
    for (const RecordedDataPlane::Record* record : data_plane_.records(at(address.c_str()))) {
      for (const auto& table : record->tables) {
        if (table.at < since) continue;
        std::vector<Ipv4Endpoint> pickable;
        for (std::size_t i = 0; i < table.endpoints.size(); ++i) {
          if (table.states[i] != proxy::EndpointState::kDraining) {
            pickable.push_back(table.endpoints[i].address);
          }
        }
        if (match(pickable)) return table.at;
      }
    }
    return std::nullopt;
  }
  void run_for(runtime::Duration duration) { simulated_.loop().advance(duration); }

  static ClusterConfig kubernetes_profile() {
    ClusterConfig config = ClusterConfig::defaults();
    config.profile = Profile::kKubernetes;
    return config;
  }

  SimulatedCluster simulated_{kubernetes_profile()};
  sim::SimLoop& loop_ = simulated_.loop();
  Cluster& cluster_ = simulated_.cluster();
  RecordedDataPlane& data_plane_ = simulated_.data_plane();
};

TEST_F(ServicePathTest, ClusterPolicyEveryNodeRoutesToEveryPodAndTheBalancerToEveryNode) {
  ASSERT_TRUE(cluster_.apply(deployment(3)).is_ok());
  ASSERT_TRUE(cluster_.apply(service("web", "Cluster")).is_ok());
  run_for(seconds(10));
  const api::Service web = stored_service("web");
  ASSERT_GE(web.spec.ports[0].node_port, 30000);
  std::set<std::string> pod_addresses;
  for (const api::Pod& pod : pods()) pod_addresses.insert(pod.status.pod_ip + ":8080");
  ASSERT_EQ(pod_addresses.size(), 3U);
  for (int node = 1; node <= 3; ++node) {
    const std::string address = node_port_address(node, web);
    EXPECT_EQ(route_addresses(address.c_str()), pod_addresses) << address;
    const proxy::ProxyOptions& options = data_plane_.open(at(address.c_str()))->options;
    EXPECT_EQ(options.mode, proxy::ProxyMode::kTcp);
    EXPECT_EQ(options.upstream_source.kind, proxy::UpstreamSource::Kind::kAddress);
    EXPECT_EQ(options.upstream_source.address.to_string(), "127.0.1." + std::to_string(node));
    EXPECT_EQ(options.no_endpoint, proxy::NoEndpointAction::kReject);
  }
  // The balancer: its own address, written to the status, and every node as a backend.
  ASSERT_EQ(web.status.load_balancer_ingress.size(), 1U);
  EXPECT_EQ(web.status.load_balancer_ingress[0].ip, "127.0.4.1");
  EXPECT_EQ(route_addresses("127.0.4.1:80"),
            (std::set<std::string>{node_port_address(1, web), node_port_address(2, web),
                                   node_port_address(3, web)}));
  const proxy::ProxyOptions& front = data_plane_.open(at("127.0.4.1:80"))->options;
  EXPECT_EQ(front.upstream_source.kind, proxy::UpstreamSource::Kind::kClient);
  EXPECT_EQ(front.limits.endpoint_drain_timeout, milliseconds(0));  // draining off by default
  EXPECT_EQ(events("EnsuredLoadBalancer").size(), 1U);
  EXPECT_FALSE(events("EndpointsApplied").empty());
  EXPECT_FALSE(events("BackendsApplied").empty());
}

TEST_F(ServicePathTest, AClusterIpServiceIsServedOnceForTheClusterOnItsClusterIpAndPort) {
  ASSERT_TRUE(cluster_.apply(deployment(2)).is_ok());
  api::Service backend = service("backend", "");
  backend.spec.type = api::kServiceTypeClusterIp;
  backend.spec.external_traffic_policy.clear();
  api::set_defaults(backend);
  ASSERT_TRUE(cluster_.apply(backend).is_ok());
  run_for(seconds(10));
  const api::Service stored = stored_service("backend");
  ASSERT_EQ(stored.spec.cluster_ip, "127.0.5.1");
  EXPECT_EQ(stored.spec.ports[0].node_port, 0);
  std::set<std::string> pod_addresses;
  for (const api::Pod& pod : pods()) pod_addresses.insert(pod.status.pod_ip + ":8080");
  ASSERT_EQ(pod_addresses.size(), 2U);
  EXPECT_EQ(route_addresses("127.0.5.1:80"), pod_addresses);
  // One listener for the cluster, and nothing on the nodes' addresses.
  EXPECT_EQ(data_plane_.listening(), std::vector<Ipv4Endpoint>{at("127.0.5.1:80")});
  const proxy::ProxyOptions& options = data_plane_.open(at("127.0.5.1:80"))->options;
  EXPECT_EQ(options.mode, proxy::ProxyMode::kTcp);  // the kubernetes profile: L4
  EXPECT_TRUE(options.traffic.uses_cluster);
  EXPECT_FALSE(options.traffic.uses_local);
  EXPECT_EQ(options.upstream_source.kind, proxy::UpstreamSource::Kind::kClient);
  EXPECT_EQ(options.no_endpoint, proxy::NoEndpointAction::kReject);
  const std::vector<std::string> applied = events("EndpointsApplied");
  ASSERT_FALSE(applied.empty());
  EXPECT_NE(applied.back().find("node-1 127.0.5.1:80 routes to 127.0.16."), std::string::npos)
      << applied.back();

  // A deleted pod leaves the table after the delays of the profile; a deleted Service, the
  // listener.
  const api::Pod victim = pods()[0];
  ASSERT_TRUE(cluster_.store().remove({"Pod", "default", victim.metadata.name}).is_ok());
  run_for(seconds(3));
  EXPECT_EQ(route_addresses("127.0.5.1:80").count(victim.status.pod_ip + ":8080"), 0U);
  ASSERT_TRUE(cluster_.store().remove({"Service", "default", "backend"}).is_ok());
  run_for(seconds(3));
  EXPECT_EQ(data_plane_.open(at("127.0.5.1:80")), nullptr);
}

TEST(ServicePathNodropProfile, AClusterIpHttpPortIsProxiedAsHttpAndALoadBalancerAlsoGetsOne) {
  SimulatedCluster simulated{ClusterConfig::defaults()};
  ASSERT_TRUE(simulated.cluster().start().is_ok());
  api::Service web;
  web.metadata.name = "web";
  web.metadata.namespace_name = "default";
  web.spec.type = api::kServiceTypeLoadBalancer;
  web.spec.selector = {{"app", "web"}};
  api::ServicePort port;
  port.name = "http";
  port.port = 80;
  web.spec.ports = {port};
  api::set_defaults(web);
  ASSERT_TRUE(simulated.cluster().apply(web).is_ok());
  simulated.loop().advance(seconds(1));
  const RecordedDataPlane::Record* cluster_ip = simulated.data_plane().open(at("127.0.5.1:80"));
  ASSERT_NE(cluster_ip, nullptr);
  EXPECT_EQ(cluster_ip->options.mode, proxy::ProxyMode::kHttp);
  // The nodePorts stay one per node, the front listener one per Service.
  EXPECT_EQ(simulated.data_plane().listening().size(), 1U + 3U + 1U);
}

TEST_F(ServicePathTest, EachLoadBalancerServiceGetsItsOwnAddressAndGivesItBackWhenDeleted) {
  ASSERT_TRUE(cluster_.apply(service("a", "Cluster")).is_ok());
  ASSERT_TRUE(cluster_.apply(service("b", "Local")).is_ok());
  run_for(seconds(1));
  EXPECT_EQ(stored_service("a").status.load_balancer_ingress.at(0).ip, "127.0.4.1");
  EXPECT_EQ(stored_service("b").status.load_balancer_ingress.at(0).ip, "127.0.4.2");
  EXPECT_NE(data_plane_.open(at("127.0.4.1:80")), nullptr);  // both on port 80
  EXPECT_NE(data_plane_.open(at("127.0.4.2:80")), nullptr);
  ASSERT_TRUE(cluster_.store().remove({"Service", "default", "a"}).is_ok());
  run_for(seconds(1));
  EXPECT_EQ(data_plane_.open(at("127.0.4.1:80")), nullptr);
  ASSERT_TRUE(cluster_.apply(service("c", "Cluster")).is_ok());
  run_for(seconds(1));
  EXPECT_EQ(stored_service("c").status.load_balancer_ingress.at(0).ip, "127.0.4.1");
}

TEST_F(ServicePathTest, ANodeProxyAppliesARemovalAtMostOneSyncPeriodAfterItsSliceChanged) {
  ASSERT_TRUE(cluster_.apply(deployment(3)).is_ok());
  ASSERT_TRUE(cluster_.apply(service("web", "Cluster")).is_ok());
  run_for(seconds(10));
  const api::Service web = stored_service("web");
  const api::Pod victim = pods()[0];
  const Ipv4Endpoint victim_address = at((victim.status.pod_ip + ":8080").c_str());
  const runtime::Time deleted = loop_.now();
  ASSERT_TRUE(cluster_.store().remove({"Pod", "default", victim.metadata.name}).is_ok());
  run_for(seconds(3));
  // Endpoint publication 200 ms, then kube-proxy's minimum sync period of 1 s at most.
  for (int node = 1; node <= 3; ++node) {
    const auto removed =
        applied_at(node_port_address(node, web), deleted, [&](const auto& pickable) {
          return std::find(pickable.begin(), pickable.end(), victim_address) == pickable.end();
        });
    ASSERT_TRUE(removed.has_value());
    EXPECT_GE(*removed - deleted, milliseconds(200));
    EXPECT_LE(*removed - deleted, milliseconds(1200 + 20));
  }
}

TEST_F(ServicePathTest, LocalPolicyRoutesToLocalPodsAndTheBalancerFollowsTheHealthChecks) {
  ASSERT_TRUE(cluster_.apply(deployment(2)).is_ok());
  ASSERT_TRUE(cluster_.apply(service("web", "Local")).is_ok());
  run_for(seconds(15));
  const api::Service web = stored_service("web");
  ASSERT_GE(web.spec.health_check_node_port, 30000);
  // Two pods on two of the three nodes (spread): each of those nodes routes to its own pod only.
  std::map<std::string, std::string> pod_on_node;
  for (const api::Pod& pod : pods()) pod_on_node[pod.spec.node_name] = pod.status.pod_ip;
  ASSERT_EQ(pod_on_node.size(), 2U);
  std::set<std::string> healthy_backends;
  for (int node = 1; node <= 3; ++node) {
    const std::string name = "node-" + std::to_string(node);
    const std::string address = node_port_address(node, web);
    const Ipv4Endpoint check{at(address.c_str()).address,
                             static_cast<std::uint16_t>(web.spec.health_check_node_port)};
    const std::optional<HealthCheckAnswer> answer = data_plane_.health_check(check);
    ASSERT_TRUE(answer.has_value());
    const proxy::ProxyOptions& options = data_plane_.open(at(address.c_str()))->options;
    EXPECT_EQ(options.upstream_source.kind, proxy::UpstreamSource::Kind::kClient);
    EXPECT_EQ(options.no_endpoint, proxy::NoEndpointAction::kDrop);
    if (pod_on_node.count(name) != 0) {
      EXPECT_EQ(route_addresses(address.c_str()),
                (std::set<std::string>{pod_on_node[name] + ":8080"}));
      EXPECT_EQ(answer->status, 200);
      EXPECT_NE(answer->body.find("\"localEndpoints\": 1"), std::string::npos) << answer->body;
      healthy_backends.insert(address);
    } else {
      EXPECT_TRUE(routes(address.c_str()).empty());
      EXPECT_EQ(answer->status, 503);
    }
  }
  EXPECT_EQ(route_addresses("127.0.4.1:80"), healthy_backends);

  // Scaled down to one pod: the other node's health check fails at once, and the balancer drops
  // that node after three failed checks 2 s apart.
  const runtime::Time scaled = loop_.now();
  ASSERT_TRUE(cluster_.apply(deployment(1)).is_ok());
  run_for(seconds(10));
  ASSERT_EQ(pods().size(), 1U);
  std::string node_address;
  for (const auto& [name, ip] : pod_on_node) {
    if (name != pods()[0].spec.node_name) node_address = node_port_address(name.back() - '0', web);
  }
  const auto dropped = applied_at("127.0.4.1:80", scaled, [&](const auto& pickable) {
    return std::none_of(pickable.begin(), pickable.end(),
                        [&](const Ipv4Endpoint& e) { return e.to_string() == node_address; });
  });
  const runtime::Time deleted = scaled;
  ASSERT_TRUE(dropped.has_value());
  EXPECT_GE(*dropped - deleted, seconds(4));  // 3 checks: the first may come right away
  EXPECT_LE(*dropped - deleted, seconds(7));
}

TEST_F(ServicePathTest, EniSendsStraightToThePodsAfterTheApiLatency) {
  ASSERT_TRUE(cluster_.apply(deployment(2)).is_ok());
  ASSERT_TRUE(
      cluster_
          .apply(service(
              "web", "Cluster",
              {{api::kBackendTypeAnnotation, "eni"},
               {"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain", "on"},
               {"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout",
                "30"}}))
          .is_ok());
  run_for(seconds(10));
  std::set<std::string> pod_addresses;
  for (const api::Pod& pod : pods()) pod_addresses.insert(pod.status.pod_ip + ":8080");
  EXPECT_EQ(route_addresses("127.0.4.1:80"), pod_addresses);
  EXPECT_EQ(data_plane_.open(at("127.0.4.1:80"))->options.limits.endpoint_drain_timeout,
            seconds(30));
  // A pod going: the balancer stops sending to it 200 ms (publication) + 3 s (API) later.
  const api::Pod victim = pods()[0];
  const Ipv4Endpoint victim_address = at((victim.status.pod_ip + ":8080").c_str());
  const runtime::Time deleted = loop_.now();
  ASSERT_TRUE(cluster_.store().remove({"Pod", "default", victim.metadata.name}).is_ok());
  run_for(seconds(5));
  const auto removed = applied_at("127.0.4.1:80", deleted, [&](const auto& pickable) {
    return std::find(pickable.begin(), pickable.end(), victim_address) == pickable.end();
  });
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(*removed - deleted, milliseconds(3200));
}

TEST_F(ServicePathTest, ANodePortHeldByAnotherProgramIsAWarningAndTriedAgain) {
  api::Service web = service("web", "Cluster");
  web.spec.ports[0].node_port = 30080;
  data_plane_.hold_port(at("127.0.1.2:30080"));
  ASSERT_TRUE(cluster_.apply(web).is_ok());
  run_for(seconds(1));
  EXPECT_NE(data_plane_.open(at("127.0.1.1:30080")), nullptr);
  EXPECT_EQ(data_plane_.open(at("127.0.1.2:30080")), nullptr);
  EXPECT_NE(data_plane_.open(at("127.0.1.3:30080")), nullptr);
  const std::vector<std::string> warnings = events("FailedToListen");
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0],
            "node-2: cannot listen on 127.0.1.2:30080 for port http: bind 127.0.1.2:30080: Address "
            "already in use; trying again every 5s");
  data_plane_.release_port(at("127.0.1.2:30080"));
  run_for(seconds(6));
  EXPECT_NE(data_plane_.open(at("127.0.1.2:30080")), nullptr);
}

TEST_F(ServicePathTest, AMalformedDrainAnnotationIsAWarningAndDrainingStaysOff) {
  ASSERT_TRUE(
      cluster_
          .apply(service(
              "web", "Cluster",
              {{"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain", "on"},
               {"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout",
                "5s"}}))
          .is_ok());
  run_for(seconds(1));
  const std::vector<std::string> warnings = events("InvalidAnnotation");
  ASSERT_FALSE(warnings.empty());
  EXPECT_EQ(
      warnings[0],
      "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout: \"5s\" "
      "is not a whole number of seconds from 10 to 900; connection draining stays off");
  EXPECT_EQ(data_plane_.open(at("127.0.4.1:80"))->options.limits.endpoint_drain_timeout,
            milliseconds(0));
}

}  // namespace
}  // namespace nodrop::server
