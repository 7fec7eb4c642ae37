#include "api/defaults.h"

#include <gtest/gtest.h>

namespace nodrop::api {
namespace {

Container container_with_probe() {
  Container container;
  container.name = "app";
  container.image = "example/app";
  container.ports.push_back(ContainerPort{"http", 8080, 0, ""});
  Probe probe;
  probe.handler.http_get = HttpGetAction{};
  probe.handler.http_get->port = IntOrString::from_string("http");
  container.readiness_probe = probe;
  container.liveness_probe = Probe{};
  container.liveness_probe->handler.tcp_socket = TcpSocketAction{IntOrString::from_int(8080), ""};
  container.liveness_probe->period_seconds = 5;
  return container;
}

TEST(Defaults, DeploymentGetsKubernetesDefaults) {
  Deployment deployment;
  deployment.spec.template_spec.spec.containers.push_back(container_with_probe());
  set_defaults(deployment);
  EXPECT_EQ(deployment.metadata.namespace_name, "default");
  EXPECT_EQ(deployment.spec.replicas, 1);
  EXPECT_EQ(deployment.spec.strategy.type, DeploymentStrategyType::kRollingUpdate);
  ASSERT_TRUE(deployment.spec.strategy.rolling_update.has_value());
  EXPECT_EQ(deployment.spec.strategy.rolling_update->max_surge, IntOrString::from_string("25%"));
  EXPECT_EQ(deployment.spec.strategy.rolling_update->max_unavailable,
            IntOrString::from_string("25%"));
  EXPECT_EQ(deployment.spec.revision_history_limit, 10);
  EXPECT_EQ(deployment.spec.progress_deadline_seconds, 600);
  EXPECT_EQ(deployment.spec.min_ready_seconds, 0);

  const PodSpec& pod = deployment.spec.template_spec.spec;
  EXPECT_EQ(pod.restart_policy, "Always");
  EXPECT_EQ(pod.termination_grace_period_seconds, 30);
  EXPECT_EQ(pod.dns_policy, "ClusterFirst");
  const Container& container = pod.containers[0];
  EXPECT_EQ(container.image_pull_policy, "Always");  // untagged image
  EXPECT_EQ(container.ports[0].protocol, "TCP");
  const Probe& readiness = *container.readiness_probe;
  EXPECT_EQ(readiness.timeout_seconds, 1);
  EXPECT_EQ(readiness.period_seconds, 10);
  EXPECT_EQ(readiness.success_threshold, 1);
  EXPECT_EQ(readiness.failure_threshold, 3);
  EXPECT_EQ(readiness.initial_delay_seconds, 0);
  EXPECT_EQ(readiness.handler.http_get->path, "/");
  EXPECT_EQ(readiness.handler.http_get->scheme, "HTTP");
  EXPECT_EQ(container.liveness_probe->period_seconds, 5);  // set values are kept
}

TEST(Defaults, RecreateDeploymentGetsNoRollingUpdateBlock) {
  Deployment deployment;
  deployment.spec.strategy.type = DeploymentStrategyType::kRecreate;
  set_defaults(deployment);
  EXPECT_FALSE(deployment.spec.strategy.rolling_update.has_value());
}

TEST(Defaults, ExplicitZeroesAreKept) {
  Deployment deployment;
  deployment.spec.replicas = 0;
  deployment.spec.revision_history_limit = 0;
  deployment.spec.strategy.rolling_update =
      RollingUpdateDeployment{IntOrString::from_int(0), std::nullopt};
  deployment.spec.template_spec.spec.termination_grace_period_seconds = 0;
  set_defaults(deployment);
  EXPECT_EQ(deployment.spec.replicas, 0);
  EXPECT_EQ(deployment.spec.revision_history_limit, 0);
  EXPECT_EQ(deployment.spec.strategy.rolling_update->max_unavailable, IntOrString::from_int(0));
  EXPECT_EQ(deployment.spec.strategy.rolling_update->max_surge, IntOrString::from_string("25%"));
  EXPECT_EQ(deployment.spec.template_spec.spec.termination_grace_period_seconds, 0);
}

TEST(Defaults, PullPolicyFollowsTheImageTag) {
  for (const auto& [image, policy] : std::vector<std::pair<std::string, std::string>>{
           {"nginx", "Always"},
           {"nginx:latest", "Always"},
           {"nginx:1.25", "IfNotPresent"},
           {"registry:5000/team/nginx", "Always"},
           {"registry:5000/team/nginx:1.25", "IfNotPresent"},
           {"nginx@sha256:abcd", "IfNotPresent"}}) {
    Pod pod;
    pod.spec.containers.push_back(Container{});
    pod.spec.containers[0].image = image;
    set_defaults(pod);
    EXPECT_EQ(pod.spec.containers[0].image_pull_policy, policy) << image;
  }
}

TEST(Defaults, ServiceDefaults) {
  Service service;
  service.spec.type = "LoadBalancer";
  service.spec.ports.push_back(ServicePort{"http", "", 80, std::nullopt, 0});
  service.spec.ports.push_back(
      ServicePort{"admin", "", 9000, IntOrString::from_string("admin"), 0});
  set_defaults(service);
  EXPECT_EQ(service.spec.external_traffic_policy, "Cluster");
  EXPECT_EQ(service.spec.internal_traffic_policy, "Cluster");
  EXPECT_EQ(service.spec.session_affinity, "None");
  EXPECT_EQ(service.spec.allocate_load_balancer_node_ports, true);
  EXPECT_EQ(service.spec.ports[0].protocol, "TCP");
  EXPECT_EQ(service.spec.ports[0].target_port, IntOrString::from_int(80));
  EXPECT_EQ(service.spec.ports[1].target_port, IntOrString::from_string("admin"));

  Service cluster_ip;
  set_defaults(cluster_ip);
  EXPECT_EQ(cluster_ip.spec.type, "ClusterIP");
  EXPECT_EQ(cluster_ip.spec.external_traffic_policy, "");  // only for NodePort and LoadBalancer
}

}  // namespace
}  // namespace nodrop::api
