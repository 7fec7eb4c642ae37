#include "server/service_registry.h"

#include <gtest/gtest.h>

#include "api/defaults.h"
#include "sim/sim_loop.h"

namespace nodrop::server {
namespace {

api::Service service(const std::string& name, const std::string& type, std::int32_t node_port = 0) {
  api::Service object;
  object.metadata.name = name;
  object.spec.type = type;
  object.spec.selector = {{"app", name}};
  api::ServicePort port;
  port.name = "http";
  port.port = 80;
  port.node_port = node_port;
  object.spec.ports = {port};
  api::set_defaults(object);
  return object;
}

class ServiceRegistryTest : public ::testing::Test {
 protected:
  sim::SimLoop loop_;
  sim::SeededRandom random_{1};
  ServiceRegistry registry_{parse_address_range("127.0.5.0/30").value()};  // .1 and .2
  store::Store store_{loop_, random_, {.registry = &registry_}};

  const api::Service& stored(const std::string& name) {
    holder_ = store_.get({"Service", "default", name}).value();
    return std::get<api::Service>(*holder_);
  }
  store::ObjectPtr holder_;
};

TEST_F(ServiceRegistryTest, AllocatesTheLowestFreeClusterIpNodePortAndHealthCheckPort) {
  ASSERT_TRUE(store_.create(service("a", "LoadBalancer")).is_ok());
  api::Service local = service("b", "LoadBalancer");
  local.spec.external_traffic_policy = "Local";
  ASSERT_TRUE(store_.create(local).is_ok());
  EXPECT_EQ(stored("a").spec.cluster_ip, "127.0.5.1");
  EXPECT_EQ(stored("a").spec.ports[0].node_port, 30000);
  EXPECT_EQ(stored("a").spec.health_check_node_port, 0);
  EXPECT_EQ(stored("b").spec.cluster_ip, "127.0.5.2");
  EXPECT_EQ(stored("b").spec.ports[0].node_port, 30001);
  EXPECT_EQ(stored("b").spec.health_check_node_port, 30002);
  // The range is full now: a third is refused, naming the field.
  auto third = store_.create(service("c", "ClusterIP"));
  ASSERT_FALSE(third.is_ok());
  EXPECT_NE(third.status().message().find("spec.clusterIP: Invalid value: \"\": range is full"),
            std::string::npos)
      << third.status().message();
}

TEST_F(ServiceRegistryTest, ANodePortAnotherServiceHoldsIsRefusedAsKubernetesWordsIt) {
  ASSERT_TRUE(store_.create(service("a", "NodePort", 30080)).is_ok());
  auto taken = store_.create(service("b", "NodePort", 30080));
  ASSERT_FALSE(taken.is_ok());
  EXPECT_EQ(taken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(taken.status().message(),
            "Service \"b\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port "
            "is already allocated");
  auto outside = store_.create(service("b", "NodePort", 80));
  ASSERT_FALSE(outside.is_ok());
  EXPECT_NE(outside.status().message().find("provided port is not in the valid range"),
            std::string::npos);
}

TEST_F(ServiceRegistryTest, AnUpdateWithoutThemKeepsTheAllocationsAndTheClusterIpIsImmutable) {
  ASSERT_TRUE(store_.create(service("a", "NodePort")).is_ok());
  api::Service reapplied = service("a", "NodePort");  // as a file that never named them
  reapplied.spec.selector = {{"app", "changed"}};
  ASSERT_TRUE(store_.update(reapplied).is_ok());
  EXPECT_EQ(stored("a").spec.ports[0].node_port, 30000);
  EXPECT_EQ(stored("a").spec.cluster_ip, "127.0.5.1");
  EXPECT_EQ(stored("a").spec.selector.at("app"), "changed");
  api::Service moved = stored("a");
  moved.spec.cluster_ip = "127.0.5.2";
  auto refused = store_.update(moved);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("spec.clusterIP: Invalid value: \"127.0.5.2\": field "
                                            "is immutable"),
            std::string::npos);
}

}  // namespace
}  // namespace nodrop::server
