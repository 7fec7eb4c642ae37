#include "lint/corpus.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "lint/test_support.h"

namespace nodrop::lint {
namespace {

using testing::check_text;
using testing::count_rule;
using testing::read_file;
using testing::source_path;

TEST(Corpus, RealisticFilesParseWithCrdsAndOtherKindsSkippedQuietly) {
  Corpus corpus;
  for (const auto& entry :
       std::filesystem::directory_iterator(source_path("src/lint/testdata/corpus"))) {
    const Status status =
        add_manifest_text(corpus, read_file(entry.path().string()), entry.path().string());
    EXPECT_TRUE(status.is_ok()) << status.message();
  }
  // helm-shop: ServiceAccount, ConfigMap, HPA skipped; Service, Deployment, PDB, test Pod read.
  // crds-and-anchors: CRD, Rollout, Namespace, ServiceMonitor skipped; Deployment, Service read.
  // kubectl-list.json: a List of a Deployment and a Service. kustomize-output: Ingress skipped.
  EXPECT_EQ(corpus.skipped, 8u);
  EXPECT_EQ(corpus.workloads.size(), 5u);
  EXPECT_EQ(corpus.services.size(), 4u);
  EXPECT_EQ(corpus.budgets.size(), 1u);
  EXPECT_TRUE(corpus.invalid.empty());
  const CheckResult result = check(corpus, CheckOptions{});
  EXPECT_EQ(count_rule(result, RuleId::kInvalidObject), 0u);
}

TEST(Corpus, AnchorsAndMergeKeysAreExpanded) {
  Corpus corpus;
  ASSERT_TRUE(add_manifest_text(
                  corpus, read_file(source_path("src/lint/testdata/corpus/crds-and-anchors.yaml")),
                  "crds-and-anchors.yaml")
                  .is_ok());
  ASSERT_EQ(corpus.workloads.size(), 1u);
  const api::Container& container = corpus.workloads[0].pod_spec().containers[0];
  ASSERT_TRUE(container.liveness_probe.has_value());
  ASSERT_TRUE(container.liveness_probe->handler.grpc.has_value());
  EXPECT_EQ(container.liveness_probe->handler.grpc->port, 9090);
  EXPECT_EQ(container.liveness_probe->period_seconds, 20);
  EXPECT_EQ(corpus.workloads[0].pod_labels().at("tier"), "backend");
}

TEST(Corpus, MalformedYamlIsAnErrorNamingFileAndLine) {
  for (const char* name : {"tab-indent.yaml", "unclosed-flow.yaml"}) {
    Corpus corpus;
    const std::string path = std::string("src/lint/testdata/malformed/") + name;
    const Status status = add_manifest_text(corpus, read_file(source_path(path)), path);
    ASSERT_FALSE(status.is_ok()) << name;
    EXPECT_EQ(status.message().rfind(path + ":6: invalid YAML", 0), 0u) << status.message();
  }
}

TEST(Corpus, UndecodableObjectIsOneFindingAndNotChecked) {
  const CheckResult result = check_text(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: three
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
)");
  ASSERT_EQ(result.findings.size(), 1u);
  EXPECT_EQ(result.findings[0].rule, RuleId::kInvalidObject);
  EXPECT_EQ(result.findings[0].line, 6);
  EXPECT_EQ(result.findings[0].field_path, "spec.replicas");
}

TEST(Corpus, NonObjectDocumentsAndEmptyDocumentsAreSkipped) {
  Corpus corpus;
  ASSERT_TRUE(
      add_manifest_text(corpus, "---\n---\njust a string\n---\n- a\n- list\n", "odd.yaml").is_ok());
  EXPECT_EQ(corpus.checked(), 0u);
  EXPECT_TRUE(corpus.invalid.empty());
}

TEST(Corpus, ObjectsMadeByAControllerAreLeftToTheirOwner) {
  Corpus corpus;
  ASSERT_TRUE(add_manifest_text(corpus, R"(
apiVersion: v1
kind: Pod
metadata:
  name: web-7d4b9c-x2k8p
  labels: {app: web}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: web-7d4b9c, uid: 1f0e, controller: true}
spec:
  containers: [{name: web, image: web:1}]
)",
                                "dump.yaml")
                  .is_ok());
  EXPECT_TRUE(corpus.workloads.empty());
  EXPECT_EQ(corpus.skipped, 1u);
}

constexpr const char* kSuppressed = R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    nodrop.dev/ignore: "rollout-cannot-progress, readiness-probe-missing"
spec:
  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
)";

TEST(Corpus, IgnoreAnnotationSuppressesTheNamedRulesOfThatObjectOnly) {
  const std::string other = R"(
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api:1}]
)";
  const CheckResult result = check_text(std::string(kSuppressed) + other);
  ASSERT_EQ(count_rule(result, RuleId::kRolloutCannotProgress), 1u);
  EXPECT_EQ(result.findings[0].object.name, "api");
  EXPECT_EQ(result.suppressed, 1u);
}

TEST(Corpus, IgnoreAllSuppressesEveryRule) {
  std::string text = kSuppressed;
  text.replace(text.find("\"rollout-cannot-progress, readiness-probe-missing\""), 50, "all");
  const CheckResult result = check_text(text);
  EXPECT_TRUE(result.findings.empty());
  EXPECT_EQ(result.suppressed, 1u);
}

}  // namespace
}  // namespace nodrop::lint
