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

// The node's ConfigMaps and Secrets for the tests below: config "web-config", secret "web-secret"
// (its values decoded, as the kubelet hands them on).
EnvironmentSources config_sources() {
  EnvironmentSources sources;
  sources.service_variables = {{"WEB_SERVICE_HOST", "127.0.5.1"}};
  sources.config = [](ConfigKind kind, const std::string& name) -> std::optional<ConfigData> {
    if (kind == ConfigKind::kConfigMap && name == "web-config") {
      return ConfigData{{"mode", "fast"}, {"level", "3"}};
    }
    if (kind == ConfigKind::kSecret && name == "web-secret") {
      return ConfigData{{"password", "hunter2"}};
    }
    return std::nullopt;
  };
  return sources;
}

api::EnvVar key_variable(const std::string& name, bool secret, const std::string& object,
                         const std::string& key, std::optional<bool> optional = std::nullopt) {
  api::EnvVar variable;
  variable.name = name;
  (secret ? variable.secret_key_ref : variable.config_map_key_ref) =
      api::KeySelector{object, key, optional};
  return variable;
}

TEST(ContainerEnvironment, EnvFromComesFirstThenEnvWhichMayUseItAndOverrideIt) {
  api::Pod pod = demo_pod();
  api::Container& container = pod.spec.containers[0];
  api::EnvFromSource all_config;
  all_config.config_map_ref = api::EnvSourceReference{"web-config", std::nullopt};
  api::EnvFromSource secrets;
  secrets.prefix = "S_";
  secrets.secret_ref = api::EnvSourceReference{"web-secret", std::nullopt};
  container.env_from = {all_config, secrets};
  api::EnvVar uses;
  uses.name = "USES";
  uses.value = "$(mode)/$(S_password)/$(WEB_SERVICE_HOST)";
  api::EnvVar level;
  level.name = "level";
  level.value = "9";
  container.env = {uses, level, key_variable("PASSWORD", true, "web-secret", "password"),
                   key_variable("MODE", false, "web-config", "mode")};
  const auto environment = container_environment(pod, 0, {"127.0.2.7", ""}, config_sources());
  ASSERT_TRUE(environment.is_ok()) << environment.status().to_string();
  EXPECT_EQ(*environment, (Environment{{"level", "9"},
                                       {"mode", "fast"},
                                       {"S_password", "hunter2"},
                                       {"USES", "fast/hunter2/127.0.5.1"},
                                       {"PASSWORD", "hunter2"},
                                       {"MODE", "fast"},
                                       {"WEB_SERVICE_HOST", "127.0.5.1"},
                                       {"PATH", runtime::kDefaultPath},
                                       {"HOSTNAME", "web-1"}}));
}

TEST(ContainerEnvironment, AMissingObjectOrKeyFailsWithTheKubeletsMessageUnlessOptional) {
  const auto environment_with = [](std::vector<api::EnvVar> env,
                                   std::vector<api::EnvFromSource> env_from = {}) {
    api::Pod pod = demo_pod();
    pod.spec.containers[0].env = std::move(env);
    pod.spec.containers[0].env_from = std::move(env_from);
    return container_environment(pod, 0, {"127.0.2.7", ""}, config_sources());
  };
  const auto message_of = [](const Result<Environment>& result) {
    return result.is_ok() ? std::string("no error") : result.status().message();
  };
  EXPECT_EQ(message_of(environment_with({key_variable("A", false, "absent", "k")})),
            "configmap \"absent\" not found");
  EXPECT_EQ(message_of(environment_with({key_variable("A", true, "absent", "k")})),
            "secret \"absent\" not found");
  EXPECT_EQ(message_of(environment_with({key_variable("A", false, "web-config", "nokey")})),
            "couldn't find key nokey in ConfigMap default/web-config");
  EXPECT_EQ(message_of(environment_with({key_variable("A", true, "web-secret", "nokey")})),
            "couldn't find key nokey in Secret default/web-secret");
  api::EnvFromSource missing;
  missing.secret_ref = api::EnvSourceReference{"absent", std::nullopt};
  EXPECT_EQ(message_of(environment_with({}, {missing})), "secret \"absent\" not found");
  // Optional: the variable (or the source's variables) left out.
  missing.secret_ref->optional = true;
  const auto optional = environment_with({key_variable("A", false, "absent", "k", true),
                                          key_variable("B", false, "web-config", "nokey", true)},
                                         {missing});
  ASSERT_TRUE(optional.is_ok()) << optional.status().to_string();
  EXPECT_EQ(*optional, (Environment{{"WEB_SERVICE_HOST", "127.0.5.1"},
                                    {"PATH", runtime::kDefaultPath},
                                    {"HOSTNAME", "web-1"}}));
}

TEST(ContainerProcessSpec, AContainerWithoutACommandWhoseImageMapsToNothingIsRejected) {
  api::Pod pod = demo_pod();
  pod.spec.containers[0].command.clear();
  pod.spec.containers[0].image = "nginx:1.25";
  const auto spec = container_process_spec(pod, 0, {}, "/logs/app");
  ASSERT_FALSE(spec.is_ok());
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(spec.status().message().find(
                "pod default/web-1: spec.containers[0].image: Invalid value: \"nginx:1.25\": maps "
                "to no program"),
            std::string::npos)
      << spec.status().message();
}

TEST(ContainerProcessSpec, WithoutACommandTheImagesProgramRunsWithTheContainersArgs) {
  api::Pod pod = demo_pod();
  api::Container& container = pod.spec.containers[0];
  container.command.clear();
  container.args = {"--startup-delay", "1s"};
  container.image = "demo-app:v3";
  api::ContainerPort port;
  port.name = "http";
  port.container_port = 9090;
  container.ports = {port};
  const std::vector<ImageMapping> images = {
      {.image = "nginx", .command = {"/usr/sbin/nginx"}, .args = {}, .env = {}},
      demo_app_mapping("/opt/nodrop/demo-app")};
  const auto spec = container_process_spec(pod, 0, {"127.0.2.7", "127.0.1.1"}, "/logs", images);
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  EXPECT_EQ(spec->argv,
            (std::vector<std::string>{"/opt/nodrop/demo-app", "--startup-delay", "1s"}));
  // The image's environment first, then the container's.
  ASSERT_GE(spec->env.size(), 3U);
  EXPECT_EQ(spec->env[0],
            (std::pair<std::string, std::string>{"DEMO_APP_LISTEN", "127.0.2.7:9090"}));
  EXPECT_EQ(spec->env[1], (std::pair<std::string, std::string>{"DEMO_APP_VERSION", "v3"}));
  EXPECT_EQ(spec->env[2], (std::pair<std::string, std::string>{"POD_IP", "127.0.2.7"}));

  // Without args, the image's default args, which may use the image's variables.
  container.args.clear();
  const std::vector<ImageMapping> with_args = {{.image = "demo-app:*",
                                                .command = {"app"},
                                                .args = {"--port=$(PORT_http)", "$(APP)"},
                                                .env = {}}};
  const auto defaults = container_process_spec(pod, 0, {"127.0.2.7", "127.0.1.1"}, "/l", with_args);
  ASSERT_TRUE(defaults.is_ok());
  EXPECT_EQ(defaults->argv, (std::vector<std::string>{"app", "--port=9090", "web"}));
  // A command of its own: the image is not used.
  container.command = {"own"};
  const auto own = container_process_spec(pod, 0, {"127.0.2.7", "127.0.1.1"}, "/l", with_args);
  ASSERT_TRUE(own.is_ok());
  EXPECT_EQ(own->argv, (std::vector<std::string>{"own"}));
}

TEST(ImageMap, PatternsMatchRepositoriesTagsAndGlobs) {
  EXPECT_TRUE(image_matches("nginx", "nginx"));
  EXPECT_TRUE(image_matches("nginx", "nginx:1.25"));
  EXPECT_TRUE(image_matches("nginx", "nginx@sha256:abc"));
  EXPECT_FALSE(image_matches("nginx", "nginx-unprivileged:1"));
  EXPECT_TRUE(image_matches("nginx:1.*", "nginx:1.25"));
  EXPECT_FALSE(image_matches("nginx:1.*", "nginx:2.0"));
  EXPECT_FALSE(image_matches("nginx:1.*", "nginx"));
  EXPECT_TRUE(image_matches("registry:5000/app:*", "registry:5000/app:v1"));
  EXPECT_TRUE(image_matches("registry:5000/app", "registry:5000/app:v1"));
  EXPECT_TRUE(image_matches("*/app", "example.com/team/app:2"));
  EXPECT_EQ(image_tag("demo-app:v2"), "v2");
  EXPECT_EQ(image_tag("demo-app"), "latest");
  EXPECT_EQ(image_tag("registry:5000/app"), "latest");
  const std::vector<ImageMapping> mappings = {
      {.image = "a:1", .command = {"one"}, .args = {}, .env = {}},
      {.image = "a", .command = {"any"}, .args = {}, .env = {}}};
  EXPECT_EQ(find_image_mapping(mappings, "a:1")->command[0], "one");
  EXPECT_EQ(find_image_mapping(mappings, "a:2")->command[0], "any");
  EXPECT_EQ(find_image_mapping(mappings, "b"), nullptr);
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
