#include "node/container_command.h"

#include <gtest/gtest.h>

#include <map>

namespace nodrop::node {
namespace {

std::string expand(std::string_view input) {
  const std::map<std::string, std::string, std::less<>> values = {{"NAME", "x"}, {"EMPTY", ""}};
  return expand_variables(input, [&](std::string_view name) {
    const auto found = values.find(name);
    return found == values.end() ? std::nullopt : std::optional<std::string>(found->second);
  });
}

// Cases from third_party/forked/golang/expansion/expand_test.go.
TEST(ExpandVariables, FollowsKubernetesExpansion) {
  EXPECT_EQ(expand("$(NAME)-1"), "x-1");
  EXPECT_EQ(expand("$(MISSING)"), "$(MISSING)");
  EXPECT_EQ(expand("$$(NAME)"), "$(NAME)");
  EXPECT_EQ(expand("$$$(NAME)"), "$x");
  EXPECT_EQ(expand("$(NAME"), "$(NAME");
  EXPECT_EQ(expand("a$b"), "a$b");
  EXPECT_EQ(expand("$"), "$");
  EXPECT_EQ(expand("end$"), "end$");
  EXPECT_EQ(expand("$(EMPTY)|$(NAME)$(NAME)"), "|xx");
  EXPECT_EQ(expand("$()"), "$()");
  EXPECT_EQ(expand("no variables"), "no variables");
}

api::Pod demo_pod() {
  api::Pod pod;
  pod.metadata.name = "web-1";
  pod.metadata.namespace_name = "default";
  pod.metadata.uid = "uid-1";
  pod.metadata.labels = {{"app", "web"}};
  pod.spec.node_name = "node-1";
  api::Container container;
  container.name = "app";
  container.command = {"demo-app"};
  container.args = {"--listen", "$(POD_IP):8080", "--version", "$(VERSION)", "$$(literal)"};
  container.working_dir = "/srv";
  api::EnvVar pod_ip;
  pod_ip.name = "POD_IP";
  pod_ip.field_ref = api::ObjectFieldSelector{"v1", "status.podIP"};
  api::EnvVar version;
  version.name = "VERSION";
  version.value = "v2-on-$(POD_IP)";
  api::EnvVar app;
  app.name = "APP";
  app.field_ref = api::ObjectFieldSelector{"v1", "metadata.labels['app']"};
  container.env = {pod_ip, version, app};
  pod.spec.containers = {container};
  return pod;
}

TEST(ContainerProcessSpec, ExpandsArgsAgainstTheDownwardApiEnvironment) {
  const auto spec = container_process_spec(demo_pod(), 0, {"127.0.2.7", "127.0.1.1"}, "/logs/app");
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  EXPECT_EQ(spec->argv, (std::vector<std::string>{"demo-app", "--listen", "127.0.2.7:8080",
                                                  "--version", "v2-on-127.0.2.7", "$(literal)"}));
  EXPECT_EQ(spec->env, (Environment{{"POD_IP", "127.0.2.7"},
                                    {"VERSION", "v2-on-127.0.2.7"},
                                    {"APP", "web"},
                                    {"PATH", runtime::kDefaultPath},
                                    {"HOSTNAME", "web-1"}}));
  EXPECT_EQ(spec->working_dir, "/srv");
  EXPECT_EQ(spec->log_path, "/logs/app");
}

TEST(ContainerProcessSpec, AVariableOnlySeesThoseDefinedBeforeIt) {
  api::Pod pod = demo_pod();
  std::swap(pod.spec.containers[0].env[0], pod.spec.containers[0].env[1]);
  const auto environment = container_environment(pod, 0, {"127.0.2.7", "127.0.1.1"});
  ASSERT_TRUE(environment.is_ok());
  EXPECT_EQ((*environment)[0], (std::pair<std::string, std::string>{"VERSION", "v2-on-$(POD_IP)"}));
}

TEST(ContainerProcessSpec, AContainerWithoutACommandIsRejectedWithItsFieldPath) {
  api::Pod pod = demo_pod();
  pod.spec.containers[0].command.clear();
  const auto spec = container_process_spec(pod, 0, {}, "/logs/app");
  ASSERT_FALSE(spec.is_ok());
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(spec.status().message().find("pod default/web-1: spec.containers[0].command: Required"),
            std::string::npos)
      << spec.status().message();
}

TEST(ContainerProcessSpec, AnUnsupportedFieldRefIsRejectedWithItsFieldPath) {
  api::Pod pod = demo_pod();
  pod.spec.containers[0].env[0].field_ref->field_path = "status.phase";
  const auto spec = container_process_spec(pod, 0, {}, "/logs/app");
  ASSERT_FALSE(spec.is_ok());
  EXPECT_NE(spec.status().message().find("spec.containers[0].env[0].valueFrom.fieldRef.fieldPath"),
            std::string::npos)
      << spec.status().message();
}

}  // namespace
}  // namespace nodrop::node
