// rollout_duration: how long a real rolling update of a 6-replica Deployment with the seed's fixes
// takes, per Service mode, under 200 requests/s through the front load balancer (the loss
// scenarios' runner, server/rollout_scenario.h, with real processes).
//
//   rollout_duration --examples DIR --demo-app PATH [--profile kubernetes] [--time-scale X]
//
// Prints one row per mode: manifests, requests, failed, rollout duration (the change to the last
// old pod gone).
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "manifest/load.h"
#include "server/rollout_scenario.h"

namespace nodrop {
namespace {

struct Mode {
  const char* name;
  const char* deployment;
  const char* service;
  bool real_time_health_checks;
};

std::vector<api::Object> load(const std::string& path) {
  std::vector<api::Object> objects;
  for (const manifest::LoadedObject& object : manifest::load_manifest_file(path, {}).objects) {
    objects.push_back(object.object);
  }
  return objects;
}

int run(const std::string& examples, const std::string& demo_app, server::Profile profile,
        double time_scale) {
  const Mode modes[] = {
      {"Cluster", "2-prestop.yaml", "service-cluster.yaml", false},
      {"Local", "3-local-in-place-surge.yaml", "service-local.yaml", true},
      {"ENI", "4-eni.yaml", "service-eni-drain.yaml", false},
  };
  int block = 150;
  for (const Mode& mode : modes) {
    server::RolloutScenario scenario;
    scenario.config = server::scenario_cluster_config(
        block,
        (std::filesystem::temp_directory_path() / fmt::format("nodrop-rollout-bench-{}", block))
            .string(),
        demo_app);
    ++block;
    scenario.config.profile = profile;
    scenario.config.kubernetes.time_scale = time_scale;
    if (mode.real_time_health_checks) {
      scenario.config.kubernetes.health_check_interval =
          std::chrono::milliseconds(static_cast<std::int64_t>(2000 / time_scale));
    }
    std::vector<api::Object> deployment = load(examples + "/losses/" + mode.deployment);
    std::vector<api::Object> service = load(examples + "/losses/" + mode.service);
    if (deployment.empty() || service.empty()) {
      std::fprintf(stderr, "rollout_duration: cannot read the manifests under %s\n",
                   examples.c_str());
      return 1;
    }
    std::get<api::Deployment>(deployment[0]).spec.replicas = 6;
    scenario.objects = {deployment[0], service[0]};
    api::Object changed = deployment[0];
    std::get<api::Deployment>(changed).spec.template_spec.spec.containers[0].image = "demo-app:v2";
    scenario.changes = {{changed}};
    scenario.deployment = "web";
    scenario.service = "web";
    scenario.load.rate_per_second = 200;
    scenario.load.connections = 32;
    scenario.load.mode = traffic::ConnectionMode::kNewConnection;
    scenario.load.timeout = std::chrono::seconds(1);
    scenario.load.sources = parse_address_range("127.0.130.1-127.0.130.8").value();
    scenario.deadline = std::chrono::seconds(180);
    Result<server::RolloutOutcome> outcome = server::run_rollout_scenario(scenario);
    std::error_code ignored;
    std::filesystem::remove_all(scenario.config.data_dir, ignored);
    if (!outcome.is_ok()) {
      std::fprintf(stderr, "rollout_duration: %s: %s\n", mode.name,
                   outcome.status().to_string().c_str());
      return 1;
    }
    std::printf("%-10s %-8s %-28s + %-22s  requests %5llu  failed %4llu  rollout %6.2f s\n",
                server::profile_name(profile), mode.name, mode.deployment, mode.service,
                static_cast<unsigned long long>(outcome->report.recorder.total()),
                static_cast<unsigned long long>(outcome->report.recorder.failures()),
                std::chrono::duration<double>(outcome->rollout).count());
  }
  return 0;
}

}  // namespace
}  // namespace nodrop

int main(int argc, char** argv) {
  using namespace nodrop;
  std::string examples;
  std::string demo_app;
  server::Profile profile = server::Profile::kKubernetes;
  double time_scale = 0.25;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--examples") {
      examples = args[i + 1];
    } else if (args[i] == "--demo-app") {
      demo_app = args[i + 1];
    } else if (args[i] == "--profile") {
      Result<server::Profile> parsed = server::parse_profile(args[i + 1]);
      if (!parsed.is_ok()) {
        std::fprintf(stderr, "rollout_duration: --profile: %s\n",
                     parsed.status().message().c_str());
        return 2;
      }
      profile = *parsed;
    } else if (args[i] == "--time-scale") {
      time_scale = std::stod(args[i + 1]);
    } else {
      std::fprintf(stderr, "rollout_duration: unknown flag %s\n", args[i].c_str());
      return 2;
    }
  }
  if (examples.empty() || demo_app.empty()) {
    std::fprintf(stderr,
                 "usage: rollout_duration --examples DIR --demo-app PATH [--profile P] "
                 "[--time-scale X]\n");
    return 2;
  }
  return run(examples, demo_app, profile, time_scale);
}
