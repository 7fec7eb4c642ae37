#include "server/cluster_config.h"

#include <gtest/gtest.h>

namespace nodrop::server {
namespace {

TEST(ClusterConfig, DefaultsAreDisjointAndValid) {
  const ClusterConfig config = ClusterConfig::defaults();
  EXPECT_EQ(config.nodes, 3);
  EXPECT_EQ(config.node_addresses.to_string(), "127.0.1.1-127.0.1.254");
  EXPECT_EQ(config.pod_addresses.to_string(), "127.0.16.1-127.0.31.254");
  EXPECT_TRUE(validate_cluster_config(config).empty());
  EXPECT_EQ(default_data_dir("/state", "/home/u"), "/state/nodrop");
  EXPECT_EQ(default_data_dir("", "/home/u"), "/home/u/.local/state/nodrop");
  EXPECT_EQ(default_data_dir("", ""), "");
}

TEST(ClusterConfig, ReadsEveryFieldAndKeepsDefaultsForTheRest) {
  const ConfigResult result = parse_cluster_config(R"(apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
nodes: 5
dataDir: /var/lib/nodrop
addresses:
  pods: 127.0.100.1-127.0.100.50
)",
                                                   "cluster.yaml");
  ASSERT_TRUE(result.ok()) << result.diagnostics.front().to_string();
  EXPECT_EQ(result.config.nodes, 5);
  EXPECT_EQ(result.config.data_dir, "/var/lib/nodrop");
  EXPECT_EQ(result.config.pod_addresses.to_string(), "127.0.100.1-127.0.100.50");
  EXPECT_EQ(result.config.node_addresses.to_string(), "127.0.1.1-127.0.1.254");
}

TEST(ClusterConfig, ReadsTheProfileAndTheKubernetesProfilesTiming) {
  const ConfigResult result = parse_cluster_config(R"(apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
profile: kubernetes
kubernetes:
  timeScale: 0.1
  proxySyncPeriod: 2s
  loadBalancerApiLatency: 500ms
  unhealthyThreshold: 2
)",
                                                   "cluster.yaml");
  ASSERT_TRUE(result.ok()) << result.diagnostics.front().to_string();
  EXPECT_EQ(result.config.profile, Profile::kKubernetes);
  EXPECT_DOUBLE_EQ(result.config.kubernetes.time_scale, 0.1);
  EXPECT_EQ(result.config.kubernetes.proxy_sync_period, std::chrono::seconds(2));
  EXPECT_EQ(result.config.kubernetes.load_balancer_api_latency, std::chrono::milliseconds(500));
  EXPECT_EQ(result.config.kubernetes.unhealthy_threshold, 2);
  EXPECT_EQ(result.config.kubernetes.healthy_threshold, 3);  // the default
  const ConfigResult bad = parse_cluster_config(R"(apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
profile: fast
kubernetes:
  timeScale: 0
  proxySyncPeriod: soon
)",
                                                "cluster.yaml");
  ASSERT_EQ(bad.diagnostics.size(), 3U);
  EXPECT_EQ(bad.diagnostics[0].to_string(),
            "cluster.yaml:3: ClusterConfiguration: profile: Unsupported value: \"fast\": supported "
            "values: \"nodrop\", \"kubernetes\"");
  EXPECT_NE(bad.diagnostics[1].message.find("kubernetes.timeScale"), std::string::npos);
  EXPECT_NE(bad.diagnostics[2].message.find("kubernetes.proxySyncPeriod: Invalid value: \"soon\""),
            std::string::npos);
}

TEST(ClusterConfig, AnImageMappingNamesItsStopSignal) {
  const ConfigResult result = parse_cluster_config(R"(apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
images:
- image: "web:*"
  command: [/usr/local/bin/web]
  stopSignal: SIGQUIT
- image: worker
  command: [/usr/local/bin/worker]
)",
                                                   "cluster.yaml");
  ASSERT_TRUE(result.ok()) << result.diagnostics.front().to_string();
  ASSERT_EQ(result.config.images.size(), 2U);
  EXPECT_EQ(result.config.images[0].stop_signal, runtime::Signal::kQuit);
  EXPECT_EQ(result.config.images[1].stop_signal, runtime::Signal::kTerminate);  // the default
  const ConfigResult bad = parse_cluster_config(R"(apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
images:
- image: web
  command: [/usr/local/bin/web]
  stopSignal: SIGWINCH
)",
                                                "cluster.yaml");
  ASSERT_EQ(bad.diagnostics.size(), 1U);
  EXPECT_NE(bad.diagnostics[0].message.find("images[0].stopSignal: Unsupported value: "
                                            "\"SIGWINCH\": supported values: \"SIGTERM\", "
                                            "\"SIGQUIT\", \"SIGINT\""),
            std::string::npos)
      << bad.diagnostics[0].to_string();
}

TEST(ClusterConfig, EveryMistakeIsNamedWithItsLineAndFieldPath) {
  const ConfigResult result = parse_cluster_config(R"(apiVersion: nodrop.dev/v1alpha1
kind: ClusterConfiguration
nodes: "three"
adresses:
  pods: 127.0.16.0/20
)",
                                                   "cluster.yaml");
  ASSERT_EQ(result.diagnostics.size(), 2U);
  EXPECT_EQ(result.diagnostics[0].to_string(),
            "cluster.yaml:3: ClusterConfiguration: nodes: Invalid value: \"three\": must be an "
            "integer, not a string");
  EXPECT_EQ(result.diagnostics[1].to_string(),
            "cluster.yaml:4: ClusterConfiguration: adresses: unknown field: did you mean "
            "\"addresses\"?");
  const ConfigResult wrong_kind =
      parse_cluster_config("apiVersion: apps/v1\nkind: Deployment\n", "x.yaml");
  ASSERT_FALSE(wrong_kind.ok());
  EXPECT_NE(wrong_kind.diagnostics[0].message.find("expected apiVersion: nodrop.dev/v1alpha1"),
            std::string::npos);
}

TEST(ClusterConfig, RangesMustBeLoopbackDisjointAndLargeEnough) {
  EXPECT_EQ(parse_address_range("127.0.1.0/30")->to_string(), "127.0.1.1-127.0.1.2");
  EXPECT_EQ(parse_address_range("127.0.1.7")->to_string(), "127.0.1.7-127.0.1.7");
  for (const char* bad : {"10.0.0.0/24", "127.0.1.1/24", "127.0.1.0/31", "127.0.1.9-127.0.1.1",
                          "127.0.1.1-x", "127.0.1.0/x", "127.0.1.0/7", "1.2.3"}) {
    EXPECT_FALSE(parse_address_range(bad).is_ok()) << bad;
  }
  ClusterConfig config = ClusterConfig::defaults();
  config.pod_addresses = *parse_address_range("127.0.1.100-127.0.2.10");
  config.nodes = 4;
  config.node_addresses = *parse_address_range("127.0.1.1-127.0.1.3");
  const std::vector<std::string> problems = validate_cluster_config(config);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0],
            "addresses.nodes: Invalid value: \"127.0.1.1-127.0.1.3\": 3 addresses for 4 nodes");
  config.node_addresses = *parse_address_range("127.0.1.0/24");
  EXPECT_EQ(validate_cluster_config(config).front().rfind("addresses.pods: Invalid value", 0), 0U);
}

}  // namespace
}  // namespace nodrop::server
