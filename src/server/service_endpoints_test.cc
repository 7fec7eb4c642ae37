#include "server/service_endpoints.h"

#include <gtest/gtest.h>

#include "api/defaults.h"
#include "server/data_plane.h"

namespace nodrop::server {
namespace {

api::Endpoint endpoint(const char* address, const char* node, std::optional<bool> ready,
                       std::optional<bool> serving = std::nullopt,
                       std::optional<bool> terminating = std::nullopt) {
  api::Endpoint out;
  out.addresses = {address};
  out.node_name = node;
  out.conditions = {ready, serving, terminating};
  return out;
}

api::EndpointSlice slice(std::vector<api::EndpointPort> ports,
                         std::vector<api::Endpoint> endpoints) {
  api::EndpointSlice out;
  out.address_type = "IPv4";
  out.ports = std::move(ports);
  out.endpoints = std::move(endpoints);
  return out;
}

api::EndpointPort port(std::optional<std::string> name, std::int32_t number) {
  api::EndpointPort out;
  out.name = std::move(name);
  out.port = number;
  return out;
}

TEST(ServicePortEndpoints, ReadsEachSlicesPortForTheNamedServicePortAsKubeProxyDoes) {
  // Two port mappings (a named targetPort resolved differently per pod), and a slice for another
  // Service port.
  const api::EndpointSlice a = slice(
      {port("http", 8080)}, {endpoint("127.0.2.2", "n1", true), endpoint("127.0.2.1", "n2", {})});
  const api::EndpointSlice b =
      slice({port("http", 9090)}, {endpoint("127.0.2.3", "n1", false, true, true),
                                   endpoint("127.0.2.2", "n1", true)});  // listed twice: dropped
  const api::EndpointSlice other =
      slice({port("metrics", 9100)}, {endpoint("127.0.2.9", "n3", true)});
  const std::vector<const api::EndpointSlice*> slices = {&a, &b, &other};
  const std::vector<proxy::Endpoint> endpoints = service_port_endpoints("http", slices);
  ASSERT_EQ(endpoints.size(), 4U);
  EXPECT_EQ(endpoints[0].address.to_string(), "127.0.2.1:8080");  // sorted by address
  EXPECT_TRUE(endpoints[0].ready);                                // a missing ready means ready
  EXPECT_TRUE(endpoints[0].serving);
  EXPECT_FALSE(endpoints[0].terminating);
  EXPECT_EQ(endpoints[1].address.to_string(), "127.0.2.2:8080");
  EXPECT_EQ(endpoints[2].address.to_string(), "127.0.2.2:9090");
  EXPECT_EQ(endpoints[3].address.to_string(), "127.0.2.3:9090");
  EXPECT_FALSE(endpoints[3].ready);
  EXPECT_TRUE(endpoints[3].terminating);
  EXPECT_EQ(endpoints[3].node_name, "n1");
  // An unnamed Service port matches slice ports without a name.
  const api::EndpointSlice unnamed =
      slice({port(std::nullopt, 80)}, {endpoint("127.0.2.4", "n1", true)});
  const std::vector<const api::EndpointSlice*> only = {&unnamed};
  EXPECT_EQ(service_port_endpoints("", only).size(), 1U);
  EXPECT_TRUE(service_port_endpoints("http", only).empty());
}

TEST(ServicePortEndpoints, TheExternalPolicyPicksClusterOrLocalEndpoints) {
  api::Service service;
  service.spec.type = api::kServiceTypeLoadBalancer;
  service.spec.external_traffic_policy = api::kTrafficPolicyLocal;
  const proxy::TrafficPolicy local = external_traffic_policy(service, "node-2");
  EXPECT_FALSE(local.uses_cluster);
  EXPECT_TRUE(local.uses_local);
  EXPECT_EQ(local.node_name, "node-2");
  service.spec.external_traffic_policy = api::kTrafficPolicyCluster;
  EXPECT_TRUE(external_traffic_policy(service, "node-2").uses_cluster);
  EXPECT_TRUE(has_node_ports(service));
  service.spec.allocate_load_balancer_node_ports = false;
  EXPECT_FALSE(has_node_ports(service));
  service.spec.type = api::kServiceTypeClusterIp;
  EXPECT_FALSE(has_node_ports(service));
}

TEST(ConnectionDraining, OnlyOnWithATimeoutFrom10To900Seconds) {
  api::Service service;
  EXPECT_FALSE(connection_draining(service).timeout_seconds.has_value());
  EXPECT_TRUE(connection_draining(service).error.empty());
  service.metadata.annotations[kConnectionDrainAnnotation] = "on";
  service.metadata.annotations[kConnectionDrainTimeoutAnnotation] = "30";
  EXPECT_EQ(connection_draining(service).timeout_seconds, 30);
  for (const char* bad : {"5", "901", "30s", "", "-1"}) {
    service.metadata.annotations[kConnectionDrainTimeoutAnnotation] = bad;
    const ConnectionDraining draining = connection_draining(service);
    EXPECT_FALSE(draining.timeout_seconds.has_value()) << bad;
    EXPECT_NE(draining.error.find("is not a whole number of seconds from 10 to 900"),
              std::string::npos)
        << bad;
  }
  service.metadata.annotations.erase(kConnectionDrainTimeoutAnnotation);
  EXPECT_NE(connection_draining(service).error.find("required when connection draining is on"),
            std::string::npos);
  service.metadata.annotations[kConnectionDrainAnnotation] = "yes";
  EXPECT_NE(connection_draining(service).error.find("must be \"on\" or \"off\""),
            std::string::npos);
  service.metadata.annotations[kConnectionDrainAnnotation] = "off";
  EXPECT_TRUE(connection_draining(service).error.empty());
}

TEST(KubeProxyHealthCheck, IsKubeProxysJsonWith200OnlyWithALocalEndpoint) {
  const HealthCheckAnswer healthy = health_check_answer("default", "web", 2);
  EXPECT_EQ(healthy.status, 200);
  EXPECT_EQ(healthy.body,
            "{\n\t\"service\": {\n\t\t\"namespace\": \"default\",\n\t\t\"name\": \"web\"\n\t},\n\t"
            "\"localEndpoints\": 2,\n\t\"serviceProxyHealthy\": true\n}");
  EXPECT_EQ(health_check_answer("default", "web", 0).status, 503);
}

}  // namespace
}  // namespace nodrop::server
