// The Service environment variables, name for name and value for value, against what Kubernetes'
// kubelet gives (pkg/kubelet/envvars/envvars_test.go's cases, restated).
#include "node/service_links.h"

#include <gtest/gtest.h>

namespace nodrop::node {
namespace {

api::Service service(const std::string& name, const std::string& cluster_ip,
                     std::vector<api::ServicePort> ports,
                     const std::string& namespace_name = "ns") {
  api::Service object;
  object.metadata.name = name;
  object.metadata.namespace_name = namespace_name;
  object.spec.cluster_ip = cluster_ip;
  object.spec.ports = std::move(ports);
  return object;
}

api::ServicePort port(const std::string& name, std::int32_t number,
                      const std::string& protocol = "TCP") {
  api::ServicePort out;
  out.name = name;
  out.port = number;
  out.protocol = protocol;
  return out;
}

api::Pod pod_in(const std::string& namespace_name) {
  api::Pod pod;
  pod.metadata.name = "front-1";
  pod.metadata.namespace_name = namespace_name;
  api::Container container;
  container.name = "app";
  container.command = {"app"};
  pod.spec.containers = {container};
  return pod;
}

TEST(ServiceLinks, EveryVariableOfAServiceWithTwoPortsInKubernetesOrder) {
  const std::vector<api::Service> services = {
      service("super-ipv4", "1.2.3.4", {port("", 8080, ""), port("u-d-p", 8081, "UDP")})};
  const Environment expected = {
      {"SUPER_IPV4_SERVICE_HOST", "1.2.3.4"},
      {"SUPER_IPV4_SERVICE_PORT", "8080"},
      {"SUPER_IPV4_SERVICE_PORT_U_D_P", "8081"},
      {"SUPER_IPV4_PORT", "tcp://1.2.3.4:8080"},
      {"SUPER_IPV4_PORT_8080_TCP", "tcp://1.2.3.4:8080"},
      {"SUPER_IPV4_PORT_8080_TCP_PROTO", "tcp"},
      {"SUPER_IPV4_PORT_8080_TCP_PORT", "8080"},
      {"SUPER_IPV4_PORT_8080_TCP_ADDR", "1.2.3.4"},
      {"SUPER_IPV4_PORT_8081_UDP", "udp://1.2.3.4:8081"},
      {"SUPER_IPV4_PORT_8081_UDP_PROTO", "udp"},
      {"SUPER_IPV4_PORT_8081_UDP_PORT", "8081"},
      {"SUPER_IPV4_PORT_8081_UDP_ADDR", "1.2.3.4"},
  };
  EXPECT_EQ(service_link_variables(services), expected);
}

TEST(ServiceLinks, AFirstPortWithANameGetsBothTheBareAndTheNamedServicePort) {
  const Environment variables =
      service_link_variables(std::vector{service("web", "127.0.5.1", {port("http", 80)})});
  ASSERT_GE(variables.size(), 3U);
  EXPECT_EQ(variables[1], (std::pair<std::string, std::string>{"WEB_SERVICE_PORT", "80"}));
  EXPECT_EQ(variables[2], (std::pair<std::string, std::string>{"WEB_SERVICE_PORT_HTTP", "80"}));
}

TEST(ServiceLinks, HeadlessAndAddresslessServicesGiveNoVariables) {
  EXPECT_TRUE(service_link_variables(std::vector{service("headless", "None", {port("", 80)}),
                                                 service("external", "", {port("", 80)})})
                  .empty());
}

TEST(ServiceLinks, APodGetsTheServicesOfItsOwnNamespaceSortedByName) {
  const std::vector<api::Service> services = {service("zeta", "127.0.5.2", {port("", 81)}),
                                              service("other", "127.0.5.3", {port("", 82)}, "x"),
                                              service("alpha", "127.0.5.1", {port("", 80)})};
  const Environment variables = pod_service_variables(pod_in("ns"), services);
  ASSERT_EQ(variables.size(), 2U * 7U);
  EXPECT_EQ(variables[0].first, "ALPHA_SERVICE_HOST");
  EXPECT_EQ(variables[7].first, "ZETA_SERVICE_HOST");
  for (const auto& [name, value] : variables) EXPECT_EQ(name.find("OTHER"), std::string::npos);
}

TEST(ServiceLinks, EnableServiceLinksFalseGivesNone) {
  api::Pod pod = pod_in("ns");
  pod.spec.enable_service_links = false;
  EXPECT_TRUE(
      pod_service_variables(pod, std::vector{service("web", "127.0.5.1", {port("", 80)})}).empty());
}

TEST(ServiceLinks, TheContainersOwnVariableWinsAndItsValuesMayReferToTheServices) {
  api::Pod pod = pod_in("ns");
  api::EnvVar own;
  own.name = "WEB_SERVICE_PORT";
  own.value = "9999";
  api::EnvVar upstream;
  upstream.name = "UPSTREAM";
  upstream.value = "http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)";
  pod.spec.containers[0].env = {own, upstream};
  pod.spec.containers[0].args = {"--to", "$(WEB_PORT_80_TCP_ADDR)"};
  const Environment services =
      pod_service_variables(pod, std::vector{service("web", "127.0.5.1", {port("", 80)})});
  const Result<runtime::ProcessSpec> spec = container_process_spec(
      pod, 0, {"127.0.2.1", "127.0.1.1"}, "log", {}, {.service_variables = services});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  const auto value_of = [&](const std::string& name) {
    std::vector<std::string> values;
    for (const auto& [key, value] : spec->env) {
      if (key == name) values.push_back(value);
    }
    return values;
  };
  EXPECT_EQ(value_of("WEB_SERVICE_PORT"), std::vector<std::string>{"9999"});
  EXPECT_EQ(value_of("UPSTREAM"), std::vector<std::string>{"http://127.0.5.1:9999"});
  EXPECT_EQ(value_of("WEB_SERVICE_HOST"), std::vector<std::string>{"127.0.5.1"});
  EXPECT_EQ(spec->env[0].first, "WEB_SERVICE_PORT");  // the container's own come first
  EXPECT_EQ(spec->argv, (std::vector<std::string>{"app", "--to", "127.0.5.1"}));
}

}  // namespace
}  // namespace nodrop::node
