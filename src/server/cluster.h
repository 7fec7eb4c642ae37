// The composition root (DESIGN.md §3, §6): one cluster on one host, built from its configuration
// over the runtime ports. The same code runs live (epoll loop, real processes and probes) and in
// virtual time (sim loop, fake processes and probes):
//
//   store ─► informers ─► Deployment, ReplicaSet, scheduling, EndpointSlice controllers, GC
//         ├► kubelets (node-1 … node-N, each on its own loopback address) ─► pods' processes
//         ├► node proxies (kube-proxy, one per node) ─► data plane listeners on nodePorts (and,
//         │                                             node-1's, on every Service's clusterIP)
//         └► load balancers (one per LoadBalancer Service) ─► data plane listeners on LB addresses
//
// Every component reads the store through the shared informers and writes its results back; all
// of them run on the one event loop. Only the store may be used from other threads (an API server
// writing to it), which is why informers drain through a thread-safe post.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/object.h"
#include "controller/deployment_controller.h"
#include "controller/endpoint_slice_controller.h"
#include "controller/garbage_collector.h"
#include "controller/replica_set_controller.h"
#include "controller/scheduling_controller.h"
#include "node/drain_gate.h"
#include "node/every_address_ports.h"
#include "node/kubelet.h"
#include "node/loopback_pool.h"
#include "runtime/event_loop.h"
#include "runtime/prober.h"
#include "runtime/process_runtime.h"
#include "runtime/random.h"
#include "server/cluster_config.h"
#include "server/data_plane.h"
#include "server/drain_gate.h"
#include "server/load_balancers.h"
#include "server/node_proxy.h"
#include "server/service_registry.h"
#include "store/event_recorder.h"
#include "store/informer.h"
#include "store/persistence.h"
#include "store/store.h"

namespace nodrop::server {

struct ClusterPorts {
  runtime::EventLoop& loop;
  store::Post post;  // onto loop, from any thread
  runtime::ProcessRuntime& processes;
  runtime::Prober& prober;
  runtime::Random& random;
  DataPlane& data_plane;  // the Service path's listeners (live proxies, or a record in sim)
  // Where the store keeps its objects (SQLite in the data dir); null: in memory only. start()
  // loads what it holds.
  store::Persistence* persistence = nullptr;
};

// How many keys each controller has synced since the cluster started.
struct ControllerSyncs {
  std::uint64_t deployment = 0;
  std::uint64_t replica_set = 0;
  std::uint64_t scheduler = 0;
  std::uint64_t garbage_collector = 0;
};

// What apply() did to one object, as kubectl apply reports it.
enum class ApplyOutcome { kCreated, kConfigured, kUnchanged };
const char* apply_outcome_name(ApplyOutcome outcome);  // "created", "configured", "unchanged"

class Cluster {
 public:
  // log_directory: where the kubelets keep the pods' logs (the data dir's "pods").
  Cluster(ClusterPorts ports, ClusterConfig config, std::string log_directory);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Loads the store from its persistence (a restart: every object as it was, the pods' processes
  // adopted or started again by their kubelets, an interrupted rollout carried on), registers the
  // nodes and starts every controller. Call once, on the loop.
  Status start();
  // Creates the object, or replaces what the user sets of an existing one (metadata labels and
  // annotations, spec) keeping what the system sets (status, uid, ...), as `kubectl apply` does
  // for a file it applied before. A changed pod template starts a rollout.
  Result<ApplyOutcome> apply(const api::Object& object);
  // Node shutdown on every node: every pod terminated gracefully, in parallel; done runs on the
  // loop when all have finished.
  void shut_down(std::function<void()> done);

  store::Store& store() { return store_; }
  // The store's version as start() loaded it: what is older ran before this start.
  store::ResourceVersion restored_version() const { return restored_version_; }
  const ClusterConfig& config() const { return config_; }
  const std::vector<std::unique_ptr<node::Kubelet>>& kubelets() const { return kubelets_; }
  const LoadBalancers& load_balancers() const { return *load_balancers_; }
  // Node i's address (i from 0).
  std::string node_address(int index) const;
  ControllerSyncs controller_syncs() const;

 private:
  ClusterPorts ports_;
  ClusterConfig config_;
  ServiceRegistry service_registry_;  // before the store, which uses it
  store::Store store_;
  store::EventRecorder events_;
  store::Informer deployments_;
  store::Informer replica_sets_;
  store::Informer pods_;
  store::Informer nodes_;
  store::Informer services_;
  store::Informer endpoint_slices_;
  // Profile kubernetes: the open gate, and the Service path uses ports_.data_plane as it is.
  // Profile nodrop: the data plane's gate, and the Service path listens through it. Before the
  // node proxies and load balancers, whose listeners it tracks.
  node::OpenDrainGate open_drain_gate_;
  std::unique_ptr<DataPlaneDrainGate> data_plane_drain_gate_;
  node::LoopbackPool pod_addresses_;
  node::EveryAddressPorts every_address_ports_;
  std::unique_ptr<controller::DeploymentController> deployment_controller_;
  std::unique_ptr<controller::ReplicaSetController> replica_set_controller_;
  std::unique_ptr<controller::SchedulingController> scheduler_;
  std::unique_ptr<controller::GarbageCollector> garbage_collector_;
  std::unique_ptr<controller::EndpointSliceController> endpoint_slice_controller_;
  std::vector<std::unique_ptr<node::Kubelet>> kubelets_;
  std::vector<std::unique_ptr<NodeProxy>> node_proxies_;
  std::unique_ptr<LoadBalancers> load_balancers_;
  int nodes_shutting_down_ = 0;
  store::ResourceVersion restored_version_ = 0;
};

}  // namespace nodrop::server
