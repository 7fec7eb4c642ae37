#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cli/verb.h"
#include "manifest/load.h"

namespace nodrop {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = NODROP_PROJECT_ROOT;

std::vector<std::string> yaml_files(const fs::path& directory) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct CliRun {
  int status = 0;
  std::string out;
  std::string err;
};

CliRun run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "nodrop");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int status = cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {status, out.str(), err.str()};
}

TEST(SeedManifests, EveryOneIsValidWithoutWarnings) {
  const auto files = yaml_files(kRoot / "examples/seed");
  ASSERT_GE(files.size(), 5U);
  for (const std::string& file : files) {
    const manifest::LoadResult result =
        manifest::load_manifest_file(file, manifest::LoadOptions{true});
    for (const auto& diagnostic : result.diagnostics) ADD_FAILURE() << diagnostic.to_string();
    EXPECT_EQ(result.objects.size(), 1U) << file;
  }
}

TEST(SeedManifests, CarryTheArticlesSettings) {
  const auto pod = manifest::load_manifest_file((kRoot / "examples/seed/pod.yaml").string(), {});
  ASSERT_EQ(pod.objects.size(), 1U);
  const auto& spec = std::get<api::Pod>(pod.objects[0].object).spec;
  EXPECT_EQ(spec.termination_grace_period_seconds, 60);
  EXPECT_EQ(spec.containers[0].lifecycle->pre_stop->exec->command,
            (std::vector<std::string>{"sleep", "30"}));
  EXPECT_TRUE(spec.containers[0].liveness_probe->handler.tcp_socket.has_value());
  EXPECT_TRUE(spec.containers[0].readiness_probe->handler.tcp_socket.has_value());

  const auto deployment =
      manifest::load_manifest_file((kRoot / "examples/seed/deployment.yaml").string(), {});
  ASSERT_EQ(deployment.objects.size(), 1U);
  const auto& strategy = std::get<api::Deployment>(deployment.objects[0].object).spec.strategy;
  EXPECT_EQ(strategy.rolling_update->max_surge, api::IntOrString::from_string("50%"));
  EXPECT_EQ(strategy.rolling_update->max_unavailable, api::IntOrString::from_int(0));

  const auto local =
      manifest::load_manifest_file((kRoot / "examples/seed/service-local.yaml").string(), {});
  EXPECT_EQ(std::get<api::Service>(local.objects.at(0).object).spec.external_traffic_policy,
            "Local");
  const auto eni =
      manifest::load_manifest_file((kRoot / "examples/seed/service-eni.yaml").string(), {});
  EXPECT_EQ(api::metadata_of(eni.objects.at(0).object).annotations.at(api::kBackendTypeAnnotation),
            "eni");
}

TEST(ValidateCommand, AcceptsTheSeedManifests) {
  std::vector<std::string> args = {"validate"};
  for (const std::string& file : yaml_files(kRoot / "examples/seed")) args.push_back(file);
  const CliRun run = run_cli(args);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("5 valid objects, 0 errors, 0 warnings"), std::string::npos) << run.err;
}

TEST(ValidateCommand, ReportsEachMistakeWithFileObjectAndField) {
  std::vector<std::string> args = {"validate"};
  for (const std::string& file : yaml_files(kRoot / "examples/mistakes")) args.push_back(file);
  const CliRun run = run_cli(args);
  EXPECT_EQ(run.status, 1);
  for (const char* expected : {
           "surge-and-unavailable-zero.yaml:14: Deployment default/web: "
           "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when "
           "maxSurge is 0",
           "selector-does-not-match.yaml:8: Deployment default/api: spec.replicas: Invalid value: "
           "\"3\": must be an integer, not a string",
           "selector-does-not-match.yaml:17: Deployment default/api: "
           "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: "
           "`selector` does not match template `labels`",
           "probes-and-hooks.yaml:28: Deployment default/checkout: "
           "spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: "
           "must be 1",
           "probes-and-hooks.yaml:38: Deployment default/checkout: "
           "spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds: Invalid value: 30: "
           "must be non-negative and less than terminationGracePeriodSeconds (20)",
           "local-policy-on-clusterip.yaml:8: Service default/frontend: "
           "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set when `type` is "
           "'NodePort' or 'LoadBalancer'",
           "typo-and-unsupported.yaml:22: warning: Deployment default/worker: "
           "spec.template.spec.containers[0].readynessProbe: unknown field: did you mean "
           "\"readinessProbe\"?",
           "broken-indentation.yaml:24: invalid YAML at column 2: did not find expected key",
       }) {
    EXPECT_NE(run.err.find(expected), std::string::npos) << "missing: " << expected << "\n"
                                                         << run.err;
  }
}

TEST(ValidateCommand, PrintsDefaultedObjectsBack) {
  const CliRun yaml =
      run_cli({"validate", "-o", "yaml", (kRoot / "examples/seed/service-local.yaml").string()});
  EXPECT_EQ(yaml.status, 0);
  EXPECT_NE(yaml.out.find("externalTrafficPolicy: Local"), std::string::npos) << yaml.out;
  EXPECT_NE(yaml.out.find("sessionAffinity: None"), std::string::npos) << yaml.out;  // a default
  const CliRun json =
      run_cli({"validate", "-o", "json", (kRoot / "examples/seed/service-local.yaml").string()});
  EXPECT_NE(json.out.find("\"externalTrafficPolicy\": \"Local\""), std::string::npos) << json.out;
}

TEST(ValidateCommand, BadCommandLinesExitTwo) {
  EXPECT_EQ(run_cli({"validate"}).status, 2);
  EXPECT_EQ(run_cli({"validate", "--frobnicate", "x.yaml"}).status, 2);
  EXPECT_EQ(run_cli({"validate", "-o", "xml", "x.yaml"}).status, 2);
  const CliRun unknown = run_cli({"deploy-everything"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(unknown.err,
            "nodrop: unknown command \"deploy-everything\"; run 'nodrop help' for the list\n");
  const CliRun missing = run_cli({"validate", "/nonexistent.yaml"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("/nonexistent.yaml: cannot open the file"), std::string::npos);
}

}  // namespace
}  // namespace nodrop
