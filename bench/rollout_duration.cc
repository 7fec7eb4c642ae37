// rollout_duration: how long a real rolling update of a 6-replica Deployment takes, under 200
// requests/s (new connections) through the front load balancer (the scenarios' runner,
// server/rollout_scenario.h, with real processes).
//
//   rollout_duration --examples DIR --demo-app PATH [--set fixes|compare]
//
//   fixes    the seed's fixes per Service mode (examples/losses 2-prestop, 3-local-in-place-surge,
//            4-eni with draining), kubernetes profile at time scale 0.25 as in the loss scenarios
//   compare  the same app (a second to listen, exits at once on SIGTERM), Cluster mode: the
//            nodrop profile with the naive manifest (naive.yaml) against the kubernetes profile at
//            time scale 1 with the article's fixes sized to its delays (fixed.yaml: readiness
//            probe, preStop 9 s, grace 14 s), each with maxSurge 1 / maxUnavailable 0 and with the
//            seed's 50 % / 0; and the ratio nodrop / kubernetes per strategy
//
// Each row: profile, mode, manifests, strategy, requests, failed, the rollout's duration (the
// change to the last old pod gone) and when `kubectl rollout status` would have said complete.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "manifest/load.h"
#include "server/rollout_scenario.h"

namespace nodrop {
namespace {

struct Row {
  server::Profile profile;
  double time_scale;
  const char* mode;
  const char* deployment;
  const char* service;
  const char* max_surge;  // nullptr: as the manifest says
  bool real_time_health_checks;
};

std::vector<api::Object> load(const std::string& path) {
  std::vector<api::Object> objects;
  for (const manifest::LoadedObject& object : manifest::load_manifest_file(path, {}).objects) {
    objects.push_back(object.object);
  }
  return objects;
}

double seconds(runtime::Duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// The rollout's duration, or a negative number when it failed.
double run_row(const Row& row, int block, const std::string& examples,
               const std::string& demo_app) {
  server::RolloutScenario scenario;
  scenario.config = server::scenario_cluster_config(
      block,
      (std::filesystem::temp_directory_path() / fmt::format("nodrop-rollout-bench-{}", block))
          .string(),
      demo_app);
  scenario.config.profile = row.profile;
  scenario.config.kubernetes.time_scale = row.time_scale;
  if (row.real_time_health_checks) {
    scenario.config.kubernetes.health_check_interval =
        std::chrono::milliseconds(static_cast<std::int64_t>(2000 / row.time_scale));
  }
  std::vector<api::Object> deployment = load(examples + "/losses/" + row.deployment);
  std::vector<api::Object> service = load(examples + "/losses/" + row.service);
  if (deployment.empty() || service.empty()) {
    std::fprintf(stderr, "rollout_duration: cannot read the manifests under %s\n",
                 examples.c_str());
    return -1;
  }
  auto& typed = std::get<api::Deployment>(deployment[0]);
  typed.spec.replicas = 6;
  if (row.max_surge != nullptr) {
    const std::string surge = row.max_surge;
    if (!typed.spec.strategy.rolling_update) typed.spec.strategy.rolling_update.emplace();
    typed.spec.strategy.rolling_update->max_surge =
        surge.ends_with('%') ? api::IntOrString::from_string(surge)
                             : api::IntOrString::from_int(std::stoi(surge));
    typed.spec.strategy.rolling_update->max_unavailable = api::IntOrString::from_int(0);
  }
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
    std::fprintf(stderr, "rollout_duration: %s %s: %s\n", server::profile_name(row.profile),
                 row.deployment, outcome.status().to_string().c_str());
    return -1;
  }
  const std::string strategy =
      row.max_surge != nullptr ? fmt::format("surge {}/0", row.max_surge) : "as given";
  std::printf(
      "%-10s x%-5g %-8s %-28s + %-22s %-10s requests %5llu  failed %4llu  rollout %6.2f s  "
      "complete %6.2f s\n",
      server::profile_name(row.profile), row.time_scale, row.mode, row.deployment, row.service,
      strategy.c_str(), static_cast<unsigned long long>(outcome->report.recorder.total()),
      static_cast<unsigned long long>(outcome->report.recorder.failures()),
      seconds(outcome->rollout), seconds(outcome->completes.at(0)));
  std::fflush(stdout);
  return seconds(outcome->rollout);
}

int run(const std::string& examples, const std::string& demo_app, const std::string& set) {
  using server::Profile;
  int block = 150;
  if (set == "fixes") {
    const Row rows[] = {
        {Profile::kKubernetes, 0.25, "Cluster", "2-prestop.yaml", "service-cluster.yaml", nullptr,
         false},
        {Profile::kKubernetes, 0.25, "Local", "3-local-in-place-surge.yaml", "service-local.yaml",
         nullptr, true},
        {Profile::kKubernetes, 0.25, "ENI", "4-eni.yaml", "service-eni-drain.yaml", nullptr, false},
    };
    for (const Row& row : rows) {
      if (run_row(row, block++, examples, demo_app) < 0) return 1;
    }
    return 0;
  }
  std::map<std::string, std::map<Profile, double>> durations;  // by strategy
  for (const char* surge : {"1", "50%"}) {
    const Row rows[] = {
        {Profile::kKubernetes, 1.0, "Cluster", "fixed.yaml", "service-cluster.yaml", surge, false},
        {Profile::kNodrop, 1.0, "Cluster", "naive.yaml", "service-cluster.yaml", surge, false},
    };
    for (const Row& row : rows) {
      const double duration = run_row(row, block++, examples, demo_app);
      if (duration < 0) return 1;
      durations[surge][row.profile] = duration;
    }
  }
  for (const auto& [surge, by_profile] : durations) {
    std::printf("ratio nodrop naive / kubernetes fixed, surge %s/0: %.3f\n", surge.c_str(),
                by_profile.at(Profile::kNodrop) / by_profile.at(Profile::kKubernetes));
  }
  return 0;
}

}  // namespace
}  // namespace nodrop

int main(int argc, char** argv) {
  std::string examples;
  std::string demo_app;
  std::string set = "compare";
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--examples") {
      examples = args[i + 1];
    } else if (args[i] == "--demo-app") {
      demo_app = args[i + 1];
    } else if (args[i] == "--set" && (args[i + 1] == "fixes" || args[i + 1] == "compare")) {
      set = args[i + 1];
    } else {
      std::fprintf(stderr, "rollout_duration: unknown flag or value: %s %s\n", args[i].c_str(),
                   args[i + 1].c_str());
      return 2;
    }
  }
  if (examples.empty() || demo_app.empty() || args.size() % 2 != 0) {
    std::fprintf(stderr,
                 "usage: rollout_duration --examples DIR --demo-app PATH [--set fixes|compare]\n");
    return 2;
  }
  return nodrop::run(examples, demo_app, set);
}
