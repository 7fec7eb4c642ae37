// What the scenario tests share: the examples' manifests, a cluster of the test's own /24, the run
// with its printed row (scenario | manifests | requests | failed by class | rollout | addresses the
// app saw), and the checks on its outcome.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "manifest/load.h"
#include "server/rollout_scenario.h"
#include "traffic/outcome.h"

namespace nodrop::scenarios {

inline std::vector<api::Object> load(const std::string& file) {
  const std::string path = std::string(EXAMPLES_DIR) + "/losses/" + file;
  const manifest::LoadResult loaded = manifest::load_manifest_file(path, {});
  std::vector<api::Object> objects;
  for (const manifest::LoadedObject& object : loaded.objects) objects.push_back(object.object);
  EXPECT_FALSE(objects.empty()) << path;
  return objects;
}

// The LoadBalancer Service on port 80 as in the examples when this process may bind it (root, or
// a lowered ip_unprivileged_port_start); else 8080.
inline std::vector<api::Object> service(const std::string& file) {
  std::vector<api::Object> objects = load(file);
  if (geteuid() != 0) {
    for (api::Object& object : objects) std::get<api::Service>(object).spec.ports[0].port = 8080;
  }
  return objects;
}

// The Deployment of a manifest with another image.
inline api::Object with_image(api::Object deployment, const std::string& image) {
  std::get<api::Deployment>(deployment).spec.template_spec.spec.containers[0].image = image;
  return deployment;
}

class ScenarioTest : public ::testing::Test {
 protected:
  // A scenario on 127.0.<block>.0/24 rolling `deployment_file` from demo-app:v1 to demo-app:v2
  // behind `service_file`, under new-connection load from `clients`.
  server::RolloutScenario scenario(int block, server::Profile profile,
                                   const std::string& deployment_file,
                                   const std::string& service_file, const std::string& clients) {
    data_dir_ = std::filesystem::temp_directory_path() /
                ("nodrop-scenario-" + std::to_string(block) + "-" + std::to_string(getpid()));
    server::RolloutScenario scenario;
    scenario.config = server::scenario_cluster_config(block, data_dir_.string(), DEMO_APP_PATH);
    scenario.config.profile = profile;
    manifests_ = deployment_file + " + " + service_file;
    scenario.objects = load(deployment_file);
    for (api::Object& object : service(service_file)) scenario.objects.push_back(object);
    scenario.deployment = "web";
    scenario.service = "web";
    scenario.changes = {{with_image(load(deployment_file).front(), "demo-app:v2")}};
    scenario.load.rate_per_second = 200;
    scenario.load.connections = 32;
    scenario.load.mode = traffic::ConnectionMode::kNewConnection;
    scenario.load.timeout = std::chrono::seconds(1);
    scenario.load.sources = parse_address_range(clients).value();
    scenario.before = std::chrono::seconds(1);
    scenario.settle = std::chrono::seconds(1);
    scenario.deadline = std::chrono::seconds(60);
    return scenario;
  }
  void TearDown() override {
    std::error_code ignored;
    if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_, ignored);
  }

  // Runs it and prints the scenario's row.
  server::RolloutOutcome run(const std::string& name, const server::RolloutScenario& scenario) {
    Result<server::RolloutOutcome> outcome = server::run_rollout_scenario(scenario);
    EXPECT_TRUE(outcome.is_ok()) << outcome.status().to_string();
    if (!outcome.is_ok()) std::abort();  // nothing else to check; the message says why
    const traffic::Recorder& recorder = outcome->report.recorder;
    std::string failures;
    for (const traffic::Outcome each : traffic::kAllOutcomes) {
      if (each == traffic::Outcome::kOk || recorder.count(each) == 0) continue;
      failures += " " + std::string(traffic::outcome_name(each)) + "=" +
                  std::to_string(recorder.count(each));
    }
    std::string clients;
    for (const std::string& address : outcome->client_addresses) clients += " " + address;
    std::string rollouts;
    for (const runtime::Duration rollout : outcome->rollouts) {
      rollouts +=
          (rollouts.empty() ? "" : ", ") +
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(rollout).count()) +
          " ms";
    }
    std::cout << "scenario " << name << " | " << server::profile_name(scenario.config.profile)
              << " | " << manifests_ << " | requests " << recorder.total() << " | failed "
              << recorder.failures() << (failures.empty() ? "" : " (" + failures.substr(1) + ")")
              << " | rollout " << rollouts << " | app saw" << clients << std::endl;
    return std::move(outcome).value();
  }

  static std::uint64_t count(const server::RolloutOutcome& outcome, traffic::Outcome each) {
    return outcome.report.recorder.count(each);
  }
  // Every address in `addresses` lies in range_text (and there is one).
  static bool all_in(const std::set<std::string>& addresses, const std::string& range_text) {
    const AddressRange range = parse_address_range(range_text).value();
    for (const std::string& text : addresses) {
      const std::uint32_t value = parse_ipv4_address(text).value().value;
      if (value < range.first || value > range.last) return false;
    }
    return !addresses.empty();
  }

  std::filesystem::path data_dir_;
  std::string manifests_;
};

}  // namespace nodrop::scenarios
