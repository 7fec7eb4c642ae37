// The kubelet of one node (DESIGN.md §6): it registers the node's Node object, watches the pods
// bound to the node, runs a PodWorker for each, and writes back what the workers report: the pod's
// status (podIP, conditions, container states, restart counts) and an Event for each transition.
//
// A pod's life here, as in the kubelet:
//   bound to this node (spec.nodeName)      → an address from the pod pool, a worker, start
//   deletionTimestamp set                   → worker.terminate(deletionGracePeriodSeconds)
//   worker finished (every container ended) → the address goes back, the pod's logs go, and the
//                                              pod is removed with grace 0, which ends its deletion
//   removed from the store while running     → terminated at once (a force delete)
// A pod that ends on its own (restartPolicy Never or OnFailure) stays, Succeeded or Failed, with
// its address released, until it is deleted.
//
// After a restart of nodrop, a pod this node ran before (its status has a startTime) resumes
// (PodWorker) at the address its status names, which the cluster reserved in the pool before
// any kubelet started; one being deleted is finished the same way.
//
// Status writes are batched: every change of a worker marks its pod, and one posted flush writes
// the latest status of each marked pod, so a burst of transitions costs one write.
//
// Node shutdown (shut_down): every pod is terminated gracefully, in parallel, within its own grace
// period, as the kubelet's graceful node shutdown does; `done` runs when the last has finished.
//
// Not thread-safe: one loop.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "node/drain_gate.h"
#include "node/every_address_ports.h"
#include "node/loopback_pool.h"
#include "node/pod_worker.h"
#include "node/restart_backoff.h"
#include "runtime/event_loop.h"
#include "runtime/prober.h"
#include "runtime/process_runtime.h"
#include "store/event_recorder.h"
#include "store/informer.h"
#include "store/store.h"

namespace nodrop::node {

struct KubeletPorts {
  runtime::EventLoop& loop;
  runtime::ProcessRuntime& processes;
  runtime::Prober& prober;
  DrainGate& drain_gate;
  store::Store& store;
  store::Post post;
  store::EventRecorder& events;
  LoopbackPool& pod_addresses;  // shared by every node: a pod IP is unique in the cluster
  // Shared by every node likewise (node/every_address_ports.h); null: none.
  EveryAddressPorts* every_address_ports = nullptr;
};

struct KubeletOptions {
  std::string node_name;
  std::string node_ip;  // the node's own loopback address
  // Pods' logs under <log_directory>/<namespace>_<name>_<uid>/, their own directories
  // (PodPlacement::pod_directory) under <log_directory>/<uid>/.
  std::string log_directory;
  bool ready_when_listening = false;   // see PodPlacement
  std::vector<ImageMapping> images{};  // see PodPlacement
};

class Kubelet {
 public:
  static constexpr const char* kComponent = "kubelet";

  Kubelet(KubeletPorts ports, KubeletOptions options);
  ~Kubelet();
  Kubelet(const Kubelet&) = delete;
  Kubelet& operator=(const Kubelet&) = delete;

  // Registers the Node (Ready) and starts watching its pods. Call once, on the loop.
  Status start();
  // Graceful node shutdown; done runs on the loop once every pod has finished.
  void shut_down(std::function<void()> done);

  const std::string& node_name() const { return options_.node_name; }
  std::size_t running_pods() const;

 private:
  struct RunningPod {
    std::unique_ptr<PodWorker> worker;
    Ipv4Address address;
    bool address_held = false;
    bool removed = false;  // the store no longer holds it
    bool finishing = false;
  };

  void on_pod(const store::ObjectPtr& object);
  void on_pod_removed(const store::ObjectPtr& object);
  void admit(const api::Pod& pod);
  void mark_changed(const std::string& uid);
  void flush();
  void after_finish(const std::string& uid);
  void check_shutdown_done();
  // The pod with this uid as the informer holds it, or null.
  store::ObjectPtr cached(const std::string& uid) const;
  // The Service variables of the pod's namespace (node/service_links.h), and its ConfigMaps and
  // Secrets, from the store now.
  EnvironmentSources environment_sources(const api::Pod& pod) const;

  KubeletPorts ports_;
  KubeletOptions options_;
  RestartBackoff backoff_;
  store::Informer pods_;
  std::map<std::string, RunningPod> running_;                        // by pod uid
  std::map<std::string, std::pair<std::string, std::string>> keys_;  // uid → (namespace, name)
  std::set<std::string> changed_;
  bool flush_posted_ = false;
  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace nodrop::node
