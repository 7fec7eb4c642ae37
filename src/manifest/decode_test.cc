#include "manifest/decode.h"

#include <gtest/gtest.h>

#include "manifest/encode.h"
#include "manifest/writer.h"
#include "manifest/yaml_reader.h"

namespace nodrop::manifest {
namespace {

DecodeResult decode_text(const std::string& text) {
  YamlDocuments documents = read_yaml_stream(text);
  EXPECT_TRUE(documents.is_ok()) << documents.error().status().to_string();
  return decode_object(documents->front().root);
}

std::vector<std::string> texts(const api::FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& error : errors) out.push_back(error.to_string());
  return out;
}

constexpr const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: "10%"}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example/web:1
        command: [/bin/web, --listen, "$(POD_IP):8080"]
        env:
        - name: POD_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 2}
        lifecycle: {preStop: {sleep: {seconds: 5}}}
)";

TEST(Decode, ReadsTheFieldsTheMissionUses) {
  const DecodeResult result = decode_text(kDeployment);
  EXPECT_TRUE(result.errors.empty()) << ::testing::PrintToString(texts(result.errors));
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(texts(result.warnings));
  ASSERT_TRUE(result.object.has_value());
  const auto& deployment = std::get<api::Deployment>(*result.object);
  EXPECT_EQ(deployment.spec.replicas, 3);
  EXPECT_EQ(deployment.spec.strategy.rolling_update->max_surge, api::IntOrString::from_int(1));
  EXPECT_EQ(deployment.spec.strategy.rolling_update->max_unavailable,
            api::IntOrString::from_string("10%"));
  const api::Container& container = deployment.spec.template_spec.spec.containers.at(0);
  EXPECT_EQ(container.command.at(2), "$(POD_IP):8080");
  EXPECT_EQ(container.env.at(0).field_ref->field_path, "status.podIP");
  EXPECT_EQ(container.readiness_probe->handler.http_get->port,
            api::IntOrString::from_string("http"));
  EXPECT_EQ(container.lifecycle->pre_stop->sleep->seconds, 5);
  EXPECT_EQ(result.lines.line_of("spec.template.spec.containers[0].readinessProbe"), 24);
  EXPECT_EQ(result.lines.line_of("spec.strategy.rollingUpdate.maxSurge"), 11);
}

TEST(Decode, UnknownFieldIsAWarningWithASuggestion) {
  const DecodeResult result = decode_text(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n"
      "    image: x\n    readynessProbe: {exec: {command: [\"true\"]}}\n    colour: blue\n");
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(
      texts(result.warnings),
      (std::vector<std::string>{
          "spec.containers[0].readynessProbe: unknown field: did you mean \"readinessProbe\"?",
          "spec.containers[0].colour: unknown field"}));
  EXPECT_EQ(result.lines.line_of("spec.containers[0].readynessProbe"), 8);
}

TEST(Decode, KubernetesFieldsNodropDoesNotActOnAreNamedUnlessEmpty) {
  const DecodeResult result = decode_text(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: []\n  securityContext: "
      "{}\n"
      "  containers:\n  - {name: a, image: x, resources: {limits: {cpu: 1}}}\n");
  EXPECT_EQ(texts(result.warnings),
            (std::vector<std::string>{
                "spec.containers[0].resources: nodrop does not act on this field"}));
}

TEST(Decode, KubernetesFieldsNodropDoesNotActOnAreKeptAsGiven) {
  const DecodeResult result = decode_text(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
      "  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n"
      "    spec:\n      serviceAccountName: web\n      tolerations: [{key: k, operator: Exists}]\n"
      "      affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: []}}\n"
      "      containers:\n      - name: a\n        image: x\n"
      "        resources: {limits: {cpu: 500m, memory: 1Gi}}\n"
      "        env: [{name: K, valueFrom: {resourceFieldRef: {resource: limits.cpu, "
      "containerName: a}}}]\n");
  ASSERT_TRUE(result.object.has_value());
  const api::Deployment& deployment = std::get<api::Deployment>(*result.object);
  const api::PodSpec& spec = deployment.spec.template_spec.spec;
  EXPECT_EQ(spec.preserved.fields,
            (std::vector<std::pair<std::string, std::string>>{
                {"serviceAccountName", "\"web\""},
                {"tolerations", "[{\"key\":\"k\",\"operator\":\"Exists\"}]"}}));
  EXPECT_EQ(spec.containers[0].preserved.fields,
            (std::vector<std::pair<std::string, std::string>>{
                {"resources", "{\"limits\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"}}"}}));
  // Served back as given, where it was given.
  const std::string yaml = write_yaml(encode_object(*result.object));
  EXPECT_NE(yaml.find("      serviceAccountName: web\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("          limits:\n            cpu: 500m\n"), std::string::npos) << yaml;
  // Its keys sorted: JSON's objects are unordered, and clients send them in any order.
  EXPECT_NE(yaml.find("            resourceFieldRef:\n              containerName: a\n"
                      "              resource: limits.cpu\n"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("        podAntiAffinity:\n"), std::string::npos) << yaml;
}

TEST(Decode, InitContainersAreReadAndServedBeforeTheContainers) {
  const DecodeResult result = decode_text(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
      "  containers:\n  - {name: app, image: x, command: [/bin/app]}\n"
      "  initContainers:\n  - {name: setup, image: x, command: [/bin/setup]}\n"
      "  - {name: proxy, image: x, command: [/bin/proxy], restartPolicy: Always}\n");
  EXPECT_TRUE(result.errors.empty()) << ::testing::PrintToString(texts(result.errors));
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(texts(result.warnings));
  ASSERT_TRUE(result.object.has_value());
  const api::PodSpec& spec = std::get<api::Pod>(*result.object).spec;
  ASSERT_EQ(spec.init_containers.size(), 2u);
  EXPECT_EQ(spec.init_containers[0].name, "setup");
  EXPECT_FALSE(api::is_sidecar(spec.init_containers[0]));
  EXPECT_EQ(spec.init_containers[1].restart_policy, "Always");
  EXPECT_TRUE(api::is_sidecar(spec.init_containers[1]));
  EXPECT_TRUE(spec.preserved.fields.empty());
  EXPECT_TRUE(spec.init_containers[1].preserved.fields.empty());
  // Kubernetes' order: initContainers before containers; restartPolicy after env, before probes.
  const std::string yaml = write_yaml(encode_object(*result.object));
  EXPECT_NE(yaml.find("spec:\n  initContainers:\n  - name: setup\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("    restartPolicy: Always\n  containers:\n  - name: app\n"),
            std::string::npos)
      << yaml;
}

TEST(Decode, EnvironmentFromConfigMapsAndSecretsIsReadAndServedInKubernetesOrder) {
  const DecodeResult result = decode_text(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n"
      "    image: x\n"
      "    envFrom: [{configMapRef: {name: c}}, {prefix: S_, secretRef: {name: s, optional: "
      "true}}]\n"
      "    env:\n    - {name: A, valueFrom: {configMapKeyRef: {key: k, name: c}}}\n"
      "    - {name: B, valueFrom: {secretKeyRef: {key: p, name: s, optional: false}}}\n");
  ASSERT_TRUE(result.errors.empty()) << ::testing::PrintToString(texts(result.errors));
  ASSERT_TRUE(result.object.has_value());
  const api::Container& container = std::get<api::Pod>(*result.object).spec.containers[0];
  ASSERT_EQ(container.env_from.size(), 2U);
  EXPECT_EQ(container.env_from[0].config_map_ref->name, "c");
  EXPECT_EQ(container.env_from[1].prefix, "S_");
  EXPECT_EQ(container.env_from[1].secret_ref->optional, true);
  EXPECT_EQ(container.env[0].config_map_key_ref->key, "k");
  EXPECT_EQ(container.env[1].secret_key_ref->optional, false);
  EXPECT_TRUE(container.preserved.empty());
  const std::string yaml = write_yaml(encode_object(*result.object));
  EXPECT_NE(yaml.find("        configMapKeyRef:\n          name: c\n          key: k\n"),
            std::string::npos)
      << yaml;
  EXPECT_NE(
      yaml.find("    - prefix: S_\n      secretRef:\n        name: s\n        optional: true\n"),
      std::string::npos)
      << yaml;
}

TEST(Decode, EmptyResourcesAreTheSameAsNone) {
  // The API server serves `resources: {}` on every container, and kubectl's rollout undo sends
  // the ReplicaSet's template back with it: the template (and its hash) must not change.
  const DecodeResult result = decode_text(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
      "spec:\n  containers:\n  - {name: a, image: x, resources: {}, securityContext: {}}\n");
  ASSERT_TRUE(result.object.has_value());
  EXPECT_EQ(std::get<api::Pod>(*result.object).spec.containers[0].preserved.fields,
            (std::vector<std::pair<std::string, std::string>>{{"securityContext", "{}"}}));
  EXPECT_TRUE(result.warnings.empty());
}

TEST(Decode, WhatNodropDoesNotDoIsRefusedNamingTheFieldAndWhy) {
  const DecodeResult result = decode_text(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      volumes:
      - {name: scratch, emptyDir: {}}
      - {name: data, hostPath: {path: /var/data}}
      - {name: claim, persistentVolumeClaim: {claimName: c}}
      containers:
      - name: web
        image: nginx
        securityContext: {privileged: true, runAsUser: 1000}
)");
  const std::vector<std::string> errors = texts(result.errors);
  ASSERT_EQ(errors.size(), 4U) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0],
            "spec.template.spec.containers[0].securityContext.privileged: Forbidden: nodrop runs "
            "a container as a process of the user who runs nodrop, without a container runtime: "
            "there is no privileged mode to grant");
  EXPECT_EQ(errors[1],
            "spec.template.spec.hostNetwork: Forbidden: nodrop does not run pods in the host's "
            "network: every pod has its own loopback address on this one host (its pod IP), and "
            "the app listens there; remove hostNetwork");
  EXPECT_EQ(errors[2],
            "spec.template.spec.volumes[1].hostPath: Forbidden: nodrop does not mount hostPath "
            "volumes: pods are processes on one host with no storage of their own; only "
            "emptyDir, configMap and secret volumes are accepted");
  EXPECT_EQ(errors[3],
            "spec.template.spec.volumes[2].persistentVolumeClaim: Forbidden: nodrop does not mount "
            "persistentVolumeClaim volumes: pods are processes on one host with no storage of "
            "their own; only emptyDir, configMap and secret volumes are accepted");
}

TEST(Decode, WhatNodropDoesIsAcceptedAlongsideTheRefusals) {
  const DecodeResult result = decode_text(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: false
  enableServiceLinks: false
  volumes: [{name: config, configMap: {name: c}}, {name: token, secret: {secretName: s}}]
  containers:
  - {name: a, image: x, securityContext: {privileged: false}}
)");
  EXPECT_TRUE(result.errors.empty()) << ::testing::PrintToString(texts(result.errors));
  ASSERT_TRUE(result.object.has_value());
  EXPECT_EQ(std::get<api::Pod>(*result.object).spec.enable_service_links, false);
}

TEST(Decode, AnIpv6OnlyServiceIsRefusedAndADualStackOneIsNot) {
  const DecodeResult v6 = decode_text(
      "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ipFamilies: [IPv6]\n"
      "  ports: [{port: 80}]\n");
  EXPECT_EQ(texts(v6.errors),
            std::vector<std::string>{
                "spec.ipFamilies: Forbidden: nodrop serves IPv4 only: every pod, node, clusterIP "
                "and load balancer address is a loopback address in 127.0.0.0/8; use IPv4 (or "
                "leave ipFamilies out)"});
  const DecodeResult dual = decode_text(
      "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ipFamilies: [IPv6, IPv4]\n"
      "  ports: [{port: 80}]\n");
  EXPECT_TRUE(dual.errors.empty());
}

TEST(Decode, WrongTypesAreErrorsThatSayWhatWasExpected) {
  const DecodeResult result = decode_text(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {version: 1.0}}\n"
      "spec: {replicas: \"3\", paused: maybe, selector: [], minReadySeconds: 99999999999}\n");
  EXPECT_EQ(texts(result.errors),
            (std::vector<std::string>{
                "metadata.labels.version: Invalid value: 1.0: must be a string, not a number; "
                "quote it: \"1.0\"",
                "spec.replicas: Invalid value: \"3\": must be an integer, not a string",
                "spec.selector: Invalid value: [...]: must be a mapping, not a list",
                "spec.minReadySeconds: Invalid value: 99999999999: must fit in a 32-bit integer",
                "spec.paused: Invalid value: \"maybe\": must be a boolean (true or false), not a "
                "string"}));
}

TEST(Decode, IdentityProblems) {
  EXPECT_EQ(texts(decode_text("kind: Deployment\nmetadata: {name: d}\n").errors),
            std::vector<std::string>{"apiVersion: Required value"});
  EXPECT_EQ(
      texts(decode_text("apiVersion: extensions/v1beta1\nkind: Deployment\n").errors),
      std::vector<std::string>{
          "apiVersion: Invalid value: \"extensions/v1beta1\": no matches for kind \"Deployment\" "
          "in version \"extensions/v1beta1\"; nodrop reads apps/v1 Deployment"});
  const DecodeResult job = decode_text("apiVersion: batch/v1\nkind: Job\nmetadata: {name: c}\n");
  EXPECT_TRUE(job.unsupported_kind);
  EXPECT_TRUE(job.errors.empty());
  EXPECT_EQ(texts(decode_text("- a\n- b\n").errors),
            std::vector<std::string>{"Invalid value: [...]: must be a mapping (an object with "
                                     "apiVersion and kind), not a list"});
}

TEST(Decode, ConfigMapsSecretsAndServiceAccountsAreStored) {
  const DecodeResult config_map = decode_text(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {mode: fast}\n"
      "binaryData: {blob: AAE=}\nimmutable: true\n");
  ASSERT_TRUE(config_map.object.has_value());
  EXPECT_TRUE(config_map.errors.empty());
  const auto& typed = std::get<api::ConfigMap>(*config_map.object);
  EXPECT_EQ(typed.data.at("mode"), "fast");
  EXPECT_EQ(typed.binary_data.at("blob"), "AAE=");
  EXPECT_EQ(typed.immutable, true);
  // stringData is folded into data, encoded, as the API server does; it wins over data.
  const DecodeResult secret = decode_text(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n"
      "data: {token: dG9rZW4=, password: b2xk}\nstringData: {password: hunter2}\n");
  ASSERT_TRUE(secret.object.has_value());
  const auto& data = std::get<api::Secret>(*secret.object).data;
  EXPECT_EQ(data.at("token"), "dG9rZW4=");
  EXPECT_EQ(data.at("password"), "aHVudGVyMg==");
  const std::string yaml = write_yaml(encode_object(*secret.object));
  EXPECT_EQ(yaml.find("stringData"), std::string::npos) << yaml;
  const DecodeResult account = decode_text(
      "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\n"
      "automountServiceAccountToken: false\n");
  ASSERT_TRUE(account.object.has_value());
  EXPECT_NE(write_yaml(encode_object(*account.object)).find("automountServiceAccountToken: false"),
            std::string::npos);
}

}  // namespace
}  // namespace nodrop::manifest
