#include "manifest/load.h"

#include <gtest/gtest.h>

namespace nodrop::manifest {
namespace {

std::vector<std::string> texts(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& diagnostic : result.diagnostics) out.push_back(diagnostic.to_string());
  return out;
}

constexpr const char* kValidDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: web, image: "web:1", command: [web]}]
)";

TEST(Load, MessageNamesFileLineObjectAndFieldPath) {
  const std::string text =
      std::string(kValidDeployment) +
      "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0\n";
  const LoadResult result = load_manifest_text(text, "deploy.yaml", {});
  EXPECT_EQ(
      texts(result),
      std::vector<std::string>{
          "deploy.yaml:16: Deployment default/web: spec.strategy.rollingUpdate.maxUnavailable: "
          "Invalid value: 0: may not be 0 when maxSurge is 0"});
  EXPECT_TRUE(result.objects.empty());
}

TEST(Load, AFileWithAnyErrorYieldsNoObjects) {
  const std::string text =
      std::string(kValidDeployment) +
      "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 0}]}\n";
  const LoadResult result = load_manifest_text(text, "app.yaml", {});
  // Kubernetes defaults targetPort to port first, so both are reported, as the API server does.
  EXPECT_EQ(
      texts(result),
      (std::vector<std::string>{
          "app.yaml:17: Service default/web: spec.ports[0].port: Invalid value: 0: must be "
          "between 1 and 65535, inclusive",
          "app.yaml:17: Service default/web: spec.ports[0].targetPort: Invalid value: 0: must be "
          "between 1 and 65535, inclusive"}));
  EXPECT_TRUE(result.objects.empty());  // the valid Deployment above is not applied either
}

TEST(Load, EveryErrorOfAFileIsReportedAtOnce) {
  const std::string text =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: -1, selector: "
      "{matchLabels: {x: y}},"
      " template: {metadata: {labels: {x: z}}, spec: {containers: [{name: c}]}}}\n"
      "---\napiVersion: v1\nkind: Pod\nmetadata: {name: B}\nspec: {containers: []}\n";
  const LoadResult result = load_manifest_text(text, "many.yaml", {});
  EXPECT_EQ(result.error_count(), 6U) << ::testing::PrintToString(texts(result));
}

TEST(Load, ValidObjectsAreDefaultedAndKeepTheirPlace) {
  const std::string text = "# a comment\n---\n" + std::string(kValidDeployment);
  const LoadResult result = load_manifest_text(text, "web.yaml", {});
  ASSERT_TRUE(result.diagnostics.empty()) << ::testing::PrintToString(texts(result));
  ASSERT_EQ(result.objects.size(), 1U);
  const auto& deployment = std::get<api::Deployment>(result.objects[0].object);
  EXPECT_EQ(deployment.spec.replicas, 1);
  EXPECT_EQ(deployment.metadata.namespace_name, "default");
  EXPECT_EQ(result.objects[0].line, 3);
  EXPECT_EQ(result.objects[0].document_index, 0);  // a leading comment is not a document
  EXPECT_EQ(result.objects[0].lines.line_of("spec.template.spec.containers[0]"), 14);
}

TEST(Load, KindListIsUnpacked) {
  const std::string text = R"({"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}]}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}, "spec": {"ports": [{"port": 81}]}}]})";
  const LoadResult result = load_manifest_text(text, "list.json", {});
  ASSERT_TRUE(result.diagnostics.empty()) << ::testing::PrintToString(texts(result));
  ASSERT_EQ(result.objects.size(), 2U);
  EXPECT_EQ(api::metadata_of(result.objects[1].object).name, "b");
}

TEST(Load, StrictTurnsUnknownFieldsAndKindsIntoErrors) {
  const std::string text =
      std::string(kValidDeployment) +
      "  replica: 3\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: c}\n";
  const LoadResult relaxed = load_manifest_text(text, "x.yaml", {});
  EXPECT_EQ(texts(relaxed),
            (std::vector<std::string>{"x.yaml:13: warning: Deployment default/web: spec.replica: "
                                      "unknown field: did you mean \"replicas\"?",
                                      "x.yaml:15: warning: Job default/c: kind Job "
                                      "(batch/v1) is not one nodrop runs; skipped"}));
  EXPECT_EQ(relaxed.objects.size(), 1U);
  const LoadResult strict = load_manifest_text(text, "x.yaml", LoadOptions{true});
  EXPECT_EQ(strict.error_count(), 2U);
  EXPECT_TRUE(strict.objects.empty());
}

TEST(Load, SyntaxErrorNamesTheLine) {
  const LoadResult result = load_manifest_text("a: 1\n b: 2\n", "bad.yaml", {});
  ASSERT_EQ(result.diagnostics.size(), 1U);
  EXPECT_EQ(result.diagnostics[0].to_string(),
            "bad.yaml:2: invalid YAML at column 3: mapping values are not allowed in this context");
}

TEST(Load, MissingFileIsOneError) {
  const LoadResult result = load_manifest_file("/nonexistent/deploy.yaml", {});
  EXPECT_EQ(texts(result),
            std::vector<std::string>{"/nonexistent/deploy.yaml: cannot open the file"});
}

TEST(Load, ABoundCrossedIsARefusalNamingTheBoundAndThePlace) {
  const LoadResult deep = load_manifest_text(std::string(200, '[') + "\n", "deep.yaml", {});
  EXPECT_EQ(texts(deep),
            std::vector<std::string>{
                "deep.yaml:1: invalid YAML at column 130: nesting deeper than 128 levels"});
  // Ten levels of ten aliases each: 10^10 nodes if expanded.
  std::string laughs = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    laughs += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) laughs += (i ? ", *l" : "*l") + std::to_string(level - 1);
    laughs += "]\n";
  }
  const LoadResult expanded = load_manifest_text(laughs, "laughs.yaml", {});
  ASSERT_EQ(expanded.diagnostics.size(), 1U);
  EXPECT_EQ(expanded.diagnostics[0].to_string().rfind("laughs.yaml:6: YAML refused at column 20: "
                                                      "more than 500142 nodes",
                                                      0),
            0U)
      << expanded.diagnostics[0].to_string();
}

TEST(Load, AnEndlessFileIsOneErrorNamingIt) {
  // /dev/zero was read until memory ran out, and the std::bad_alloc aborted the process.
  const LoadResult result = load_manifest_file("/dev/zero", {});
  EXPECT_EQ(texts(result), std::vector<std::string>{"/dev/zero: file is larger than 64 MiB"});
}

}  // namespace
}  // namespace nodrop::manifest

namespace nodrop::manifest {
namespace {

TEST(Load, TypedObjectsOfAFileStayWithinAMultipleOfItsSize) {
  // 60,000 empty containers in 180 KB of YAML would be 130 MB of api::Container: the decode
  // budget (64 times the file, at least 64 MiB) stops it with one error naming the list.
  std::string text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [";
  for (int i = 0; i < 60'000; ++i) text += "{},";
  text += "{}]\n";
  const LoadResult result = load_manifest_text(text, "big.yaml", {});
  ASSERT_TRUE(result.has_errors());
  EXPECT_TRUE(result.objects.empty());
  bool named = false;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    if (diagnostic.message.find("spec.containers[") != std::string::npos &&
        diagnostic.message.find("Too many") != std::string::npos) {
      named = true;
    }
  }
  EXPECT_TRUE(named);
  EXPECT_LE(result.diagnostics.size(), 1001U);
}

TEST(Load, AMillionMistakesAreCountedNotKeptEachAsAMessage) {
  std::string text;
  for (int i = 0; i < 5'000; ++i) text += "x\n---\n";
  const LoadResult result = load_manifest_text(text, "many.yaml", {});
  ASSERT_EQ(result.diagnostics.size(), 1001U);
  EXPECT_EQ(result.diagnostics.back().message, "4000 more errors and 0 more warnings not shown");
  EXPECT_EQ(result.error_count(), 1001U);
}

}  // namespace
}  // namespace nodrop::manifest
