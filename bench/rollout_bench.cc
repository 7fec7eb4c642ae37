// bench_rollout: one complete rolling update (25%/25%) of the whole cluster in virtual time, at
// 1,000 and 10,000 replicas: server::Cluster (store, informers, every controller, three kubelets)
// over the sim ports, pods ready as soon as they run. The timed part starts when the new template
// is applied and ends when the Deployment reports the rollout complete and only the new pods'
// processes are left: the wall time it takes to simulate the rollout. Reported with it, per
// rollout: the virtual time it took (0 here: with pods ready at once and no delay configured,
// every step happens at the same virtual instant), the keys each controller synced, and the
// process's peak resident memory so far (VmHWM, which includes bringing up the first version).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include "controller/deployment_util.h"
#include "controller/test_deployment.h"
#include "server/simulated_cluster.h"

namespace nodrop::server {
namespace {

constexpr const char* kCommand = "app";
// Every loop turn is a step; a rollout that has not finished after this many is stuck.
constexpr std::uint64_t kMaxSteps = 100'000'000;

long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Room for two generations of pods: an address stays quarantined for two minutes after its pod.
ClusterConfig bench_config() {
  ClusterConfig config = ClusterConfig::defaults();
  config.pod_addresses = parse_address_range("127.16.0.0/12").value();
  return config;
}

// Steps the loop until the Deployment reports `generation` complete and only `replicas` processes
// run; false if that never happens.
bool run_until_rolled_out(SimulatedCluster& sim, std::int32_t replicas) {
  for (std::uint64_t step = 0; step < kMaxSteps && sim.loop().step(); ++step) {
    if (sim.processes().running() != static_cast<std::size_t>(replicas)) continue;
    const api::Deployment& deployment =
        std::get<api::Deployment>(*sim.store().get({"Deployment", "default", "web"}).value());
    if (controller::deployment_complete(deployment, deployment.status)) return true;
  }
  return false;
}

void BM_RollingUpdate(benchmark::State& state) {
  const auto replicas = static_cast<std::int32_t>(state.range(0));
  double virtual_seconds = 0;
  ControllerSyncs syncs;
  std::unique_ptr<SimulatedCluster> simulated;  // taken down outside the timed part
  for (auto _ : state) {
    state.PauseTiming();
    simulated.reset();
    simulated = std::make_unique<SimulatedCluster>(bench_config());
    SimulatedCluster& sim = *simulated;
    if (!sim.start().is_ok()) {
      state.SkipWithError("the cluster did not start");
      break;
    }
    api::Deployment deployment = controller::test_deployment_to_apply(replicas, "v1", kCommand);
    if (!sim.cluster().apply(deployment).is_ok() || !run_until_rolled_out(sim, replicas)) {
      state.SkipWithError("v1 did not come up");
      break;
    }
    const ControllerSyncs before = sim.cluster().controller_syncs();
    const runtime::Time started = sim.loop().now();
    deployment.spec.template_spec.spec.containers[0].image = "v2";
    state.ResumeTiming();

    if (!sim.cluster().apply(deployment).is_ok() || !run_until_rolled_out(sim, replicas)) {
      state.SkipWithError("the rollout did not complete");
      break;
    }

    state.PauseTiming();
    virtual_seconds += std::chrono::duration<double>(sim.loop().now() - started).count();
    const ControllerSyncs after = sim.cluster().controller_syncs();
    syncs.deployment += after.deployment - before.deployment;
    syncs.replica_set += after.replica_set - before.replica_set;
    syncs.scheduler += after.scheduler - before.scheduler;
    syncs.garbage_collector += after.garbage_collector - before.garbage_collector;
    state.ResumeTiming();
  }
  const auto per_rollout = [&](double total) {
    return total / static_cast<double>(state.iterations());
  };
  state.counters["virtual_s"] = per_rollout(virtual_seconds);
  state.counters["deployment_syncs"] = per_rollout(static_cast<double>(syncs.deployment));
  state.counters["replica_set_syncs"] = per_rollout(static_cast<double>(syncs.replica_set));
  state.counters["scheduler_syncs"] = per_rollout(static_cast<double>(syncs.scheduler));
  state.counters["gc_syncs"] = per_rollout(static_cast<double>(syncs.garbage_collector));
  state.counters["peak_rss_MiB"] = static_cast<double>(peak_rss_kib()) / 1024;
}

BENCHMARK(BM_RollingUpdate)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace nodrop::server

BENCHMARK_MAIN();
