// bench_rollout: one complete rolling update (25%/25%) in virtual time, pods ready at once, at
// 1,000 and 10,000 replicas. Reports the wall time per Deployment planning step
// (plan_deployment_sync over the Deployment, its ReplicaSets and all pods), per ReplicaSet
// planning step, the number of steps, and the peak resident memory of the process.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "controller/deployment_sync.h"
#include "controller/deployment_util.h"
#include "controller/replica_set_sync.h"
#include "controller/test_deployment.h"

namespace nodrop::controller {
namespace {

using Clock = std::chrono::steady_clock;

api::Deployment web(std::int32_t replicas, const std::string& image) {
  return test_deployment(replicas, image);
}

struct Cluster {
  api::Deployment deployment;
  std::vector<api::ReplicaSet> replica_sets;
  std::vector<api::Pod> pods;
  WallTime now = WallTime{} + std::chrono::hours(24 * 365 * 50);
  int pod_counter = 0;
  double deployment_ns = 0;
  double replica_set_ns = 0;
  int deployment_steps = 0;
  int replica_set_steps = 0;

  bool sync_replica_sets() {
    bool changed = false;
    for (api::ReplicaSet& rs : replica_sets) {
      std::vector<api::Pod> owned;
      for (const api::Pod& pod : pods) {
        if (pod.metadata.owner_references[0].uid == rs.metadata.uid) owned.push_back(pod);
      }
      const auto start = Clock::now();
      const ReplicaSetPlan plan = plan_replica_set_sync(rs, owned, {}, now);
      replica_set_ns += std::chrono::duration<double, std::nano>(Clock::now() - start).count();
      ++replica_set_steps;
      for (std::int32_t i = 0; i < plan.pods_to_create; ++i) {
        api::Pod pod =
            pod_from_template(rs, rs.metadata.name + "-" + std::to_string(++pod_counter), now);
        pod.status.phase = api::PodPhase::kRunning;
        api::Condition ready;
        ready.type = api::kPodReady;
        ready.status = api::ConditionStatus::kTrue;
        ready.last_transition_time = now;
        pod.status.conditions.push_back(ready);
        pods.push_back(std::move(pod));
      }
      if (!plan.pods_to_delete.empty()) {
        std::vector<std::string> names = plan.pods_to_delete;
        std::sort(names.begin(), names.end());
        std::erase_if(pods, [&](const api::Pod& pod) {
          return std::binary_search(names.begin(), names.end(), pod.metadata.name);
        });
      }
      if (plan.status) rs.status = *plan.status;
      changed = changed || plan.pods_to_create > 0 || !plan.pods_to_delete.empty() ||
                plan.status.has_value();
    }
    return changed;
  }

  bool sync_deployment() {
    const auto start = Clock::now();
    const DeploymentPlan plan = plan_deployment_sync(deployment, replica_sets, pods, now);
    deployment_ns += std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    ++deployment_steps;
    for (const DeploymentAction& action : plan.actions) {
      switch (action.type) {
        case DeploymentActionType::kCreateReplicaSet:
          replica_sets.push_back(action.replica_set);
          replica_sets.back().metadata.uid = action.replica_set.metadata.name + "-uid";
          break;
        case DeploymentActionType::kUpdateReplicaSet:
          for (api::ReplicaSet& rs : replica_sets) {
            if (rs.metadata.name != action.replica_set.metadata.name) continue;
            const api::ReplicaSetStatus status = rs.status;
            rs = action.replica_set;
            rs.status = status;
          }
          break;
        case DeploymentActionType::kDeleteReplicaSet:
          std::erase_if(replica_sets, [&](const api::ReplicaSet& rs) {
            return rs.metadata.name == action.replica_set.metadata.name;
          });
          break;
        case DeploymentActionType::kUpdateDeployment:
        case DeploymentActionType::kUpdateDeploymentStatus:
          deployment.status = action.deployment.status;
          deployment.metadata.annotations = action.deployment.metadata.annotations;
          break;
      }
    }
    return !plan.actions.empty();
  }

  void settle() {
    for (int round = 0; round < 1000; ++round) {
      bool changed = false;
      while (sync_replica_sets()) changed = true;
      changed = sync_deployment() || changed;
      if (!changed) return;
      now += std::chrono::seconds(1);
    }
  }
};

long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

void BM_RollingUpdate(benchmark::State& state) {
  const auto replicas = static_cast<std::int32_t>(state.range(0));
  double deployment_ns = 0;
  double replica_set_ns = 0;
  double deployment_steps = 0;
  double replica_set_steps = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Cluster cluster;
    cluster.deployment = web(replicas, "v1");
    cluster.settle();
    cluster.deployment_ns = cluster.replica_set_ns = 0;
    cluster.deployment_steps = cluster.replica_set_steps = 0;
    cluster.deployment.spec.template_spec.spec.containers[0].image = "v2";
    ++cluster.deployment.metadata.generation;
    state.ResumeTiming();
    cluster.settle();
    state.PauseTiming();
    if (!deployment_complete(cluster.deployment, cluster.deployment.status)) {
      state.SkipWithError("rollout did not complete");
    }
    deployment_ns += cluster.deployment_ns;
    replica_set_ns += cluster.replica_set_ns;
    deployment_steps += cluster.deployment_steps;
    replica_set_steps += cluster.replica_set_steps;
    state.ResumeTiming();
  }
  state.counters["deployment_steps"] = deployment_steps / static_cast<double>(state.iterations());
  state.counters["us_per_deployment_step"] = deployment_ns / deployment_steps / 1000;
  state.counters["us_per_replica_set_step"] = replica_set_ns / replica_set_steps / 1000;
  state.counters["peak_rss_MiB"] = static_cast<double>(peak_rss_kib()) / 1024;
}

BENCHMARK(BM_RollingUpdate)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace nodrop::controller

BENCHMARK_MAIN();
