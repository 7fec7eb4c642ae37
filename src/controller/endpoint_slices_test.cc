#include "controller/endpoint_slices.h"

#include <gtest/gtest.h>

namespace nodrop::controller {
namespace {

api::Service service(bool publish_not_ready = false) {
  api::Service object;
  object.metadata.name = "web";
  object.metadata.namespace_name = "default";
  object.metadata.uid = "svc-uid";
  object.spec.selector = {{"app", "web"}};
  api::ServicePort http;
  http.name = "http";
  http.port = 80;
  http.target_port = api::IntOrString::from_string("http");
  http.app_protocol = "http";
  object.spec.ports = {http};
  object.spec.publish_not_ready_addresses = publish_not_ready;
  return object;
}

api::Pod pod(const std::string& name, const std::string& ip, bool ready,
             int container_port = 8080) {
  api::Pod object;
  object.metadata.name = name;
  object.metadata.namespace_name = "default";
  object.metadata.uid = name + "-uid";
  object.metadata.labels = {{"app", "web"}};
  api::Container container;
  api::ContainerPort port;
  port.name = "http";
  port.container_port = container_port;
  port.protocol = "TCP";
  container.ports = {port};
  object.spec.containers = {container};
  object.spec.node_name = "node-1";
  object.status.phase = api::PodPhase::kRunning;
  object.status.pod_ip = ip;
  api::Condition condition;
  condition.type = api::kPodReady;
  condition.status = ready ? api::ConditionStatus::kTrue : api::ConditionStatus::kFalse;
  object.status.conditions = {condition};
  return object;
}

const std::vector<std::string> kNodes = {"node-1", "node-2"};

TEST(EndpointSlices, ReadyServingAndTerminatingFollowThePods) {
  std::vector<api::Pod> pods = {pod("a", "127.0.2.1", true), pod("b", "127.0.2.2", false),
                                pod("c", "127.0.2.3", true)};
  pods[2].metadata.deletion_timestamp = WallTime{};
  const EndpointSlicePlan plan = plan_endpoint_slices(service(), pods, kNodes, {});
  ASSERT_EQ(plan.to_create.size(), 1U);
  const api::EndpointSlice& slice = plan.to_create[0];
  EXPECT_EQ(slice.metadata.generate_name, "web-");
  EXPECT_EQ(slice.metadata.labels.at(api::kServiceNameLabel), "web");
  EXPECT_EQ(slice.metadata.owner_references.at(0).uid, "svc-uid");
  ASSERT_EQ(slice.ports.size(), 1U);
  EXPECT_EQ(slice.ports[0].port, 8080);  // the named target port, resolved per pod
  EXPECT_EQ(slice.ports[0].app_protocol, "http");
  ASSERT_EQ(slice.endpoints.size(), 3U);
  EXPECT_EQ(slice.endpoints[0].conditions, (api::EndpointConditions{true, true, false}));
  EXPECT_EQ(slice.endpoints[1].conditions, (api::EndpointConditions{false, false, false}));
  EXPECT_EQ(slice.endpoints[2].conditions, (api::EndpointConditions{false, true, true}));
  EXPECT_EQ(slice.endpoints[2].target_ref->name, "c");
  EXPECT_EQ(slice.endpoints[0].node_name, "node-1");
}

TEST(EndpointSlices, PodsMappingANamedPortDifferentlyGetTheirOwnSlices) {
  const std::vector<api::Pod> pods = {pod("a", "127.0.2.1", true, 8080),
                                      pod("b", "127.0.2.2", true, 9090)};
  const EndpointSlicePlan plan = plan_endpoint_slices(service(), pods, kNodes, {});
  ASSERT_EQ(plan.to_create.size(), 2U);
  EXPECT_NE(plan.to_create[0].ports[0].port, plan.to_create[1].ports[0].port);
}

TEST(EndpointSlices, ANamedPortIsLookedUpInTheSidecarsButNotInRegularInitContainers) {
  api::Service metrics = service();
  metrics.spec.ports[0].name = "metrics";
  metrics.spec.ports[0].target_port = api::IntOrString::from_string("metrics");
  api::Pod with_sidecar = pod("a", "127.0.2.1", true);
  api::Container exporter;
  exporter.name = "exporter";
  exporter.restart_policy = "Always";
  exporter.ports = {api::ContainerPort{"metrics", 9100, 0, "TCP"}};
  with_sidecar.spec.init_containers = {exporter};
  api::Pod with_init = pod("b", "127.0.2.2", true);
  exporter.restart_policy.clear();
  with_init.spec.init_containers = {exporter};
  const std::vector<api::Pod> pods = {with_sidecar, with_init};
  const EndpointSlicePlan plan = plan_endpoint_slices(metrics, pods, kNodes, {});
  // One slice with the port, for the sidecar's pod; one without, for the other.
  ASSERT_EQ(plan.to_create.size(), 2U);
  for (const api::EndpointSlice& slice : plan.to_create) {
    ASSERT_EQ(slice.endpoints.size(), 1U);
    if (slice.endpoints[0].target_ref->name == "a") {
      ASSERT_EQ(slice.ports.size(), 1U);
      EXPECT_EQ(slice.ports[0].port, 9100);
    } else {
      EXPECT_TRUE(slice.ports.empty());
    }
  }
}

TEST(EndpointSlices, AtMostAHundredEndpointsPerSliceAndExistingSlicesAreReused) {
  std::vector<api::Pod> pods;
  for (int i = 1; i <= 150; ++i) {
    pods.push_back(pod("p" + std::to_string(i), "127.0.3." + std::to_string(i), true));
  }
  EndpointSlicePlan plan = plan_endpoint_slices(service(), pods, kNodes, {});
  ASSERT_EQ(plan.to_create.size(), 2U);
  EXPECT_EQ(plan.to_create[0].endpoints.size(), 100U);
  EXPECT_EQ(plan.to_create[1].endpoints.size(), 50U);
  std::vector<api::EndpointSlice> existing = plan.to_create;
  existing[0].metadata.name = "web-aaaaa";
  existing[1].metadata.name = "web-bbbbb";
  // Unchanged: nothing to write.
  plan = plan_endpoint_slices(service(), pods, kNodes, existing);
  EXPECT_TRUE(plan.to_create.empty() && plan.to_update.empty() && plan.to_delete.empty());
  // 60 pods: the first slice is rewritten in place, the second goes.
  pods.resize(60);
  plan = plan_endpoint_slices(service(), pods, kNodes, existing);
  ASSERT_EQ(plan.to_update.size(), 1U);
  EXPECT_EQ(plan.to_update[0].metadata.name, "web-aaaaa");
  EXPECT_EQ(plan.to_update[0].endpoints.size(), 60U);
  EXPECT_EQ(plan.to_delete, std::vector<std::string>{"web-bbbbb"});
}

TEST(EndpointSlices, UnknownNodesAndOtherPodsAreLeftOutAndAnEmptyServiceKeepsOneSlice) {
  std::vector<api::Pod> pods = {pod("a", "127.0.2.1", true), pod("b", "127.0.2.2", true),
                                pod("c", "", true)};
  pods[0].spec.node_name = "node-9";             // no such node
  pods[1].metadata.labels = {{"app", "other"}};  // not selected
  const EndpointSlicePlan plan = plan_endpoint_slices(service(), pods, kNodes, {});
  ASSERT_EQ(plan.to_create.size(), 1U);
  EXPECT_TRUE(plan.to_create[0].endpoints.empty());
  EXPECT_TRUE(plan.to_create[0].ports.empty());
  // publishNotReadyAddresses keeps the pod on an unknown node, and marks every one ready.
  const EndpointSlicePlan published = plan_endpoint_slices(service(true), pods, kNodes, {});
  ASSERT_EQ(published.to_create.at(0).endpoints.size(), 1U);
  EXPECT_TRUE(*published.to_create[0].endpoints[0].conditions.ready);
}

}  // namespace
}  // namespace nodrop::controller
