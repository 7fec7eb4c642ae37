#include "api/validation.h"

#include <gtest/gtest.h>

#include "api/defaults.h"

namespace nodrop::api {
namespace {

Deployment valid_deployment() {
  Deployment deployment;
  deployment.metadata.name = "web";
  deployment.spec.has_selector = true;
  deployment.spec.selector.match_labels = {{"app", "web"}};
  deployment.spec.template_spec.metadata.labels = {{"app", "web"}};
  Container container;
  container.name = "web";
  container.image = "example/web:1";
  container.command = {"/bin/web"};
  container.ports.push_back(ContainerPort{"http", 8080, 0, ""});
  deployment.spec.template_spec.spec.containers.push_back(container);
  set_defaults(deployment);
  return deployment;
}

std::vector<std::string> messages(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const FieldError& error : errors) out.push_back(error.to_string());
  return out;
}

TEST(Validation, ValidDeploymentHasNoErrors) {
  EXPECT_TRUE(validate_deployment(valid_deployment()).empty())
      << ::testing::PrintToString(messages(validate_deployment(valid_deployment())));
}

TEST(Validation, AHostPortIsRefusedNamingTheFieldAndWhy) {
  Deployment deployment = valid_deployment();
  deployment.spec.template_spec.spec.containers[0].ports[0].host_port = 80;
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{
                "spec.template.spec.containers[0].ports[0].hostPort: Forbidden: nodrop does not "
                "open host ports: nodes are loopback addresses of one host, not machines a port "
                "could be reached on; reach the pod through a Service (NodePort or LoadBalancer) "
                "and remove hostPort"});
}

TEST(Validation, BothSurgeAndUnavailableZeroIsRejected) {
  Deployment deployment = valid_deployment();
  deployment.spec.strategy.rolling_update =
      RollingUpdateDeployment{IntOrString::from_int(0), IntOrString::from_string("0%")};
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                                     "0: may not be 0 when maxSurge is 0"});
}

TEST(Validation, RollingUpdateValues) {
  Deployment deployment = valid_deployment();
  deployment.spec.strategy.rolling_update =
      RollingUpdateDeployment{IntOrString::from_string("150%"), IntOrString::from_string("5")};
  const auto found = messages(validate_deployment(deployment));
  ASSERT_EQ(found.size(), 2U) << ::testing::PrintToString(found);
  EXPECT_EQ(found[0],
            "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"5\": a valid percent string "
            "must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used "
            "for validation is '[0-9]+%')");
  EXPECT_EQ(found[1],
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be "
            "greater than 100%");

  // A percent too large for an int is the largest, as the API server reads it: over 100% for
  // maxUnavailable, allowed for maxSurge (found by the fuzzer: it threw from std::stoi).
  const std::string huge = "99999999999999999999999999999999%";
  deployment.spec.strategy.rolling_update =
      RollingUpdateDeployment{IntOrString::from_string(huge), IntOrString::from_string(huge)};
  EXPECT_EQ(
      messages(validate_deployment(deployment)),
      std::vector<std::string>{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"" +
                               huge + "\": must not be greater than 100%"});

  deployment.spec.strategy.rolling_update =
      RollingUpdateDeployment{IntOrString::from_int(-1), std::nullopt};
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                                     "-1: must be greater than or equal to 0"});
}

TEST(Validation, RecreateMayNotHaveRollingUpdate) {
  Deployment deployment = valid_deployment();
  deployment.spec.strategy.type = DeploymentStrategyType::kRecreate;
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{"spec.strategy.rollingUpdate: Forbidden: may not be specified "
                                     "when strategy `type` is 'Recreate'"});
}

TEST(Validation, SelectorMustMatchTemplateAndNotBeEmpty) {
  Deployment deployment = valid_deployment();
  deployment.spec.template_spec.metadata.labels = {{"app", "api"}};
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: "
                "`selector` does not match template `labels`"});

  deployment = valid_deployment();
  deployment.spec.selector = LabelSelector{};
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{
                "spec.selector: Invalid value: {}: empty selector is invalid for deployment"});

  deployment.spec.has_selector = false;
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{"spec.selector: Required value"});
}

TEST(Validation, ProgressDeadlineMustExceedMinReadySeconds) {
  Deployment deployment = valid_deployment();
  deployment.spec.min_ready_seconds = 600;
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{"spec.progressDeadlineSeconds: Invalid value: 600: must be "
                                     "greater than minReadySeconds"});
}

TEST(Validation, NegativeCountsAreRejected) {
  Deployment deployment = valid_deployment();
  deployment.spec.replicas = -1;
  deployment.spec.revision_history_limit = -2;
  EXPECT_EQ(
      messages(validate_deployment(deployment)),
      (std::vector<std::string>{
          "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
          "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0"}));
}

TEST(Validation, ControllerPodsMustRestartAlways) {
  Deployment deployment = valid_deployment();
  deployment.spec.template_spec.spec.restart_policy = "Never";
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{"spec.template.spec.restartPolicy: Unsupported value: "
                                     "\"Never\": supported values: \"Always\""});
}

TEST(Validation, NamesFollowKubernetesRules) {
  Deployment deployment = valid_deployment();
  deployment.metadata.name = "Web_1";
  const auto found = messages(validate_deployment(deployment));
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(
      found[0].rfind("metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain", 0),
      0U)
      << found[0];

  deployment.metadata.name.clear();
  EXPECT_EQ(
      messages(validate_deployment(deployment)),
      std::vector<std::string>{"metadata.name: Required value: name or generateName is required"});

  Service service;
  service.metadata.name =
      "1web";  // a Service name is a DNS-1035 label: it must start with a letter
  service.spec.ports.push_back(ServicePort{"", "", 80, std::nullopt, 0});
  set_defaults(service);
  ASSERT_EQ(validate_service(service).size(), 1U);
  EXPECT_NE(validate_service(service)[0].to_string().find("a DNS-1035 label"), std::string::npos);
}

TEST(Validation, ContainerRules) {
  Deployment deployment = valid_deployment();
  Container& container = deployment.spec.template_spec.spec.containers[0];
  container.image.clear();
  container.ports.push_back(ContainerPort{"http", 70000, 0, "TCP"});
  container.env.push_back(EnvVar{"POD_IP", "x", ObjectFieldSelector{"v1", "status.podIP"}});
  container.env.push_back(EnvVar{"1BAD", "", std::nullopt});
  container.env.push_back(EnvVar{"NODE", "", ObjectFieldSelector{"v1", "spec.nodeNam"}});
  const auto found = messages(validate_deployment(deployment));
  const std::string c = "spec.template.spec.containers[0].";
  EXPECT_EQ(found,
            (std::vector<std::string>{
                c + "image: Required value", c + "ports[1].name: Duplicate value: \"http\"",
                c + "ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, "
                    "inclusive",
                c + "env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is "
                    "not empty",
                c + "env[1].name: Invalid value: \"1BAD\": a valid environment variable name must "
                    "consist of alphabetic characters, digits, '_', '-', or '.', and must not "
                    "start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', "
                    "regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
                c + "env[2].valueFrom.fieldRef.fieldPath: Unsupported value: \"spec.nodeNam\": "
                    "supported values: \"metadata.name\", \"metadata.namespace\", "
                    "\"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", "
                    "\"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\""}));
}

TEST(Validation, InitContainersFollowKubernetesRules) {
  Deployment deployment = valid_deployment();
  PodSpec& spec = deployment.spec.template_spec.spec;
  Container init;
  init.name = "migrate";
  init.image = "example/web:1";
  init.command = {"/bin/migrate"};
  spec.init_containers.push_back(init);
  Container sidecar = init;
  sidecar.name = "proxy";
  sidecar.restart_policy = "Always";
  sidecar.readiness_probe = Probe{};
  sidecar.readiness_probe->handler.exec = ExecAction{{"true"}};
  sidecar.lifecycle = Lifecycle{std::nullopt, Handler{}};
  sidecar.lifecycle->pre_stop->sleep = SleepAction{1};
  spec.init_containers.push_back(sidecar);
  set_defaults(deployment);
  EXPECT_TRUE(validate_deployment(deployment).empty())
      << ::testing::PrintToString(messages(validate_deployment(deployment)));

  // A regular init container may have no probes and no lifecycle; its restartPolicy may only be
  // Always; a name may not repeat an app container's; an app container has no restartPolicy.
  spec.init_containers[0].restart_policy = "OnFailure";
  spec.init_containers[0].liveness_probe = sidecar.readiness_probe;
  spec.init_containers[0].lifecycle = sidecar.lifecycle;
  spec.init_containers[1].name = "web";
  spec.containers[0].restart_policy = "Always";
  const std::string i = "spec.template.spec.initContainers[";
  EXPECT_EQ(messages(validate_deployment(deployment)),
            (std::vector<std::string>{
                "spec.template.spec.containers[0].restartPolicy: Forbidden: may not be set for "
                "non-init containers",
                i + "0].restartPolicy: Unsupported value: \"OnFailure\": supported values: "
                    "\"Always\"",
                i + "0].lifecycle: Forbidden: may not be set for init containers without "
                    "restartPolicy=Always",
                i + "0].livenessProbe: Forbidden: may not be set for init containers without "
                    "restartPolicy=Always",
                i + "1].name: Duplicate value: \"web\""}));

  // Per init container, Kubernetes' order: restartPolicy, the name, then probes and lifecycle;
  // a sidecar's probes are validated as an app container's.
  spec.containers[0].restart_policy.clear();
  spec.init_containers[0].name = "web";
  spec.init_containers[0].lifecycle.reset();
  spec.init_containers[1].name = "proxy";
  spec.init_containers[1].readiness_probe->handler = Handler{};
  EXPECT_EQ(messages(validate_deployment(deployment)),
            (std::vector<std::string>{
                i + "0].restartPolicy: Unsupported value: \"OnFailure\": supported values: "
                    "\"Always\"",
                i + "0].name: Duplicate value: \"web\"",
                i + "0].livenessProbe: Forbidden: may not be set for init containers without "
                    "restartPolicy=Always",
                i + "1].readinessProbe: Required value: must specify a handler type"}));
}

TEST(Validation, EnvironmentSourceRules) {
  Deployment deployment = valid_deployment();
  Container& container = deployment.spec.template_spec.spec.containers[0];
  EnvVar two_sources;
  two_sources.name = "A";
  two_sources.config_map_key_ref = KeySelector{"config", "k", std::nullopt};
  two_sources.secret_key_ref = KeySelector{"", "bad key", std::nullopt};
  container.env.push_back(two_sources);
  container.env_from.push_back(EnvFromSource{});
  container.env_from.push_back(
      EnvFromSource{"1X", EnvSourceReference{"Config", std::nullopt}, std::nullopt});
  const auto found = messages(validate_deployment(deployment));
  const std::string c = "spec.template.spec.containers[0].";
  EXPECT_EQ(found,
            (std::vector<std::string>{
                c + "envFrom[0]: Invalid value: \"\": must specify one of: `configMapRef` or "
                    "`secretRef`",
                c + "envFrom[1].prefix: Invalid value: \"1X\": a valid environment variable name "
                    "must consist of alphabetic characters, digits, '_', '-', or '.', and must not "
                    "start with a digit",
                c + "envFrom[1].configMapRef.name: Invalid value: \"Config\": a lowercase RFC "
                    "1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                    "'.', and must start and end with an alphanumeric character (e.g. "
                    "'example.com', regex used for validation is "
                    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                c + "env[0].valueFrom: Invalid value: \"\": may not have more than one field "
                    "specified at a time",
                c + "env[0].valueFrom.secretKeyRef.name: Required value",
                c + "env[0].valueFrom.secretKeyRef.key: Invalid value: \"bad key\": a valid "
                    "config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
                    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                    "'[-._a-zA-Z0-9]+')"}));
}

TEST(Validation, ProbeRules) {
  Deployment deployment = valid_deployment();
  Container& container = deployment.spec.template_spec.spec.containers[0];
  container.liveness_probe = Probe{};
  container.liveness_probe->success_threshold = 2;
  container.readiness_probe = Probe{};
  container.readiness_probe->handler.exec = ExecAction{{"true"}};
  container.readiness_probe->handler.tcp_socket =
      TcpSocketAction{IntOrString::from_string("no_such-port-name-too-long"), ""};
  set_defaults(deployment);
  const auto found = messages(validate_deployment(deployment));
  const std::string c = "spec.template.spec.containers[0].";
  ASSERT_GE(found.size(), 4U) << ::testing::PrintToString(found);
  EXPECT_EQ(found[0], c + "livenessProbe: Required value: must specify a handler type");
  EXPECT_EQ(found[1], c + "livenessProbe.successThreshold: Invalid value: 2: must be 1");
  EXPECT_EQ(found[2],
            c + "readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type");
  EXPECT_EQ(found[3], c + "readinessProbe.tcpSocket.port: Invalid value: "
                          "\"no_such-port-name-too-long\": must be no more than 15 characters");
}

TEST(Validation, PreStopSleepMustFitTheGracePeriod) {
  Deployment deployment = valid_deployment();
  deployment.spec.template_spec.spec.termination_grace_period_seconds = 20;
  Container& container = deployment.spec.template_spec.spec.containers[0];
  container.lifecycle = Lifecycle{std::nullopt, Handler{}};
  container.lifecycle->pre_stop->sleep = SleepAction{20};
  EXPECT_TRUE(validate_deployment(deployment).empty());
  container.lifecycle->pre_stop->sleep = SleepAction{21};
  EXPECT_EQ(messages(validate_deployment(deployment)),
            std::vector<std::string>{
                "spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds: Invalid value: "
                "21: must be non-negative and less than terminationGracePeriodSeconds (20)"});
}

TEST(Validation, ServiceRules) {
  Service service;
  service.metadata.name = "web";
  service.spec.type = "ClusterIP";
  service.spec.external_traffic_policy = "Local";
  service.spec.ports.push_back(ServicePort{"", "", 80, std::nullopt, 30080});
  service.spec.ports.push_back(ServicePort{"", "", 443, IntOrString::from_string("https"), 0});
  set_defaults(service);
  EXPECT_EQ(messages(validate_service(service)),
            (std::vector<std::string>{
                "spec.ports[0].name: Required value",
                "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
                "spec.ports[1].name: Required value",
                "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set when `type` "
                "is 'NodePort' or 'LoadBalancer'"}));

  Service balancer;
  balancer.metadata.name = "web";
  balancer.spec.type = "LoadBalancer";
  balancer.spec.health_check_node_port = 32000;
  balancer.spec.ports.push_back(ServicePort{"http", "", 80, std::nullopt, 80});
  set_defaults(balancer);
  EXPECT_EQ(messages(validate_service(balancer)),
            (std::vector<std::string>{
                "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid "
                "range. The range of valid ports is 30000-32767",
                "spec.healthCheckNodePort: Invalid value: 32000: may only be set when `type` is "
                "'LoadBalancer' and `externalTrafficPolicy` is 'Local'"}));
}

TEST(Validation, NodeAffinityRules) {
  Deployment deployment = valid_deployment();
  NodeAffinity affinity;
  affinity.required_terms = std::vector<NodeSelectorTerm>{};
  affinity.preferred.push_back(PreferredSchedulingTerm{
      0, NodeSelectorTerm{{NodeSelectorRequirement{"zone", NodeSelectorOperator::kIn, {}}}, {}}});
  deployment.spec.template_spec.spec.affinity = Affinity{affinity};
  const std::string a = "spec.template.spec.affinity.nodeAffinity.";
  EXPECT_EQ(
      messages(validate_deployment(deployment)),
      (std::vector<std::string>{
          a + "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: "
              "must have at least one node selector term",
          a + "preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must "
              "be in the range 1-100",
          a + "preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0]."
              "values: Required value: must be specified when `operator` is 'In' or 'NotIn'"}));
}

TEST(LabelSelector, MatchesLikeKubernetes) {
  LabelSelector selector;
  selector.match_labels = {{"app", "web"}};
  selector.match_expressions = {{"tier", SelectorOperator::kIn, {"front", "edge"}},
                                {"canary", SelectorOperator::kDoesNotExist, {}},
                                {"zone", SelectorOperator::kNotIn, {"b"}}};
  EXPECT_TRUE(selector.matches({{"app", "web"}, {"tier", "front"}}));
  EXPECT_TRUE(selector.matches({{"app", "web"}, {"tier", "edge"}, {"zone", "a"}}));
  EXPECT_FALSE(selector.matches({{"app", "web"}, {"tier", "back"}}));
  EXPECT_FALSE(selector.matches({{"app", "web"}, {"tier", "front"}, {"canary", "yes"}}));
  EXPECT_FALSE(selector.matches({{"app", "web"}, {"tier", "front"}, {"zone", "b"}}));
  EXPECT_FALSE(selector.matches({{"tier", "front"}}));
  EXPECT_TRUE(LabelSelector{}.matches({{"anything", "at-all"}}));
}

TEST(PodAvailability, UsesAStrictComparisonWithMinReadySeconds) {
  Pod pod;
  const WallTime ready_at(std::chrono::seconds(1000));
  pod.status.conditions.push_back(
      Condition{kPodReady, ConditionStatus::kTrue, "", "", std::nullopt, ready_at, std::nullopt});
  EXPECT_TRUE(is_pod_available(pod, 0, ready_at));
  EXPECT_FALSE(
      is_pod_available(pod, 10, ready_at + std::chrono::seconds(10)));  // not strictly after
  EXPECT_TRUE(is_pod_available(pod, 10, ready_at + std::chrono::seconds(11)));
  pod.status.conditions[0].status = ConditionStatus::kFalse;
  EXPECT_FALSE(is_pod_available(pod, 0, ready_at + std::chrono::seconds(100)));
}

TEST(Validation, ConfigMapAndSecretKeysAndBase64) {
  ConfigMap config_map;
  config_map.metadata.name = "c";
  config_map.data = {{"good.key-1_x", "v"}, {"bad key", "v"}};
  config_map.binary_data = {{"blob", "not base64!"}};
  FieldErrors errors = validate(Object(config_map));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].path, "data");
  EXPECT_EQ(errors[0].value, "\"bad key\"");
  EXPECT_EQ(errors[1].path, "binaryData[blob]");
  Secret secret;
  secret.metadata.name = "s";
  secret.data = {{"token", "dG9rZW4="}};
  EXPECT_TRUE(validate(Object(secret)).empty());
  secret.data["token"] = "dG9rZW4";
  errors = validate(Object(secret));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].to_string().find("illegal base64 data"), std::string::npos);
  EXPECT_EQ(errors[0].to_string().find("dG9rZW4"), std::string::npos);  // never the contents
  ServiceAccount account;
  EXPECT_EQ(validate(Object(account)).size(), 1u);  // a name is required
}

}  // namespace
}  // namespace nodrop::api
