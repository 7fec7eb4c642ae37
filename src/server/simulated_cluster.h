// The composition root in virtual time (DESIGN.md §3, §6): a Cluster over the sim ports, as the
// tests and benchmarks run it (and `nodrop sim` will). Time moves only when the caller moves it
// (loop().advance); every process and probe does what the caller scripts through processes() and
// prober(); randomness is seeded, so a run is a pure function of its inputs.
//
//   SimulatedCluster sim;
//   sim.processes().set_behavior("app", crash_after_4s);
//   sim.start();
//   sim.cluster().apply(deployment);
//   sim.loop().advance(std::chrono::seconds(60));
//
// Not thread-safe: a simulation runs on one thread.
#pragma once

#include <cstdint>
#include <memory>

#include "server/cluster.h"
#include "server/recorded_data_plane.h"
#include "sim/fake_prober.h"
#include "sim/fake_process_runtime.h"
#include "sim/sim_loop.h"

namespace nodrop::server {

class SimulatedCluster {
 public:
  static constexpr std::uint64_t kDefaultSeed = 42;

  // persistence: where the store keeps its objects across restart(); null: memory only.
  explicit SimulatedCluster(ClusterConfig config = ClusterConfig::defaults(),
                            std::uint64_t seed = kDefaultSeed,
                            store::Persistence* persistence = nullptr);
  SimulatedCluster(const SimulatedCluster&) = delete;
  SimulatedCluster& operator=(const SimulatedCluster&) = delete;

  // Registers the nodes and starts the controllers (Cluster::start).
  Status start() { return cluster_->start(); }
  // nodrop stops and runs again on the same persistence (which it needs): the cluster is made
  // anew, with the same loop, processes and probes; then start() it. After Cluster::shut_down,
  // that is a clean stop; otherwise what ran keeps running as after a crash, for the new
  // kubelets to find. References to the old cluster() and store() are then stale.
  void restart();

  sim::SimLoop& loop() { return loop_; }
  sim::FakeProcessRuntime& processes() { return processes_; }
  sim::FakeProber& prober() { return prober_; }
  // What the node proxies and load balancers were told, and when (server/recorded_data_plane.h).
  RecordedDataPlane& data_plane() { return data_plane_; }
  Cluster& cluster() { return *cluster_; }
  store::Store& store() { return cluster_->store(); }
  // Runs a task on the loop, at the current virtual time after what is already due (the post the
  // cluster's informers drain through).
  store::Post post();

 private:
  // Declared in construction order: the cluster uses every port.
  sim::SimLoop loop_;
  sim::SeededRandom random_;
  sim::FakeProcessRuntime processes_;
  sim::FakeProber prober_;
  RecordedDataPlane data_plane_;
  ClusterConfig config_;
  store::Persistence* persistence_ = nullptr;
  std::unique_ptr<Cluster> cluster_;
};

}  // namespace nodrop::server
