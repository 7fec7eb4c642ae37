// The scheduler's shell: every pod without a node (and not being deleted) is placed by
// scheduler.h's schedule() over the nodes and placed pods the informers hold, and bound by
// writing spec.nodeName, with a Scheduled event as kube-scheduler records it. A pod no node can
// take gets a FailedScheduling event and is tried again when a node changes, or after
// kUnschedulableRetry.
//
// Pods bound but not yet seen bound by the informer are *assumed* placed, as kube-scheduler's
// cache assumes them: several pods scheduled in one round spread over the nodes instead of all
// landing where the first went.
//
// Spreading counts the active placed pods of the pod's ReplicaSet on each node. The shell keeps
// those counts per controller as the informer's pods (and the assumed bindings) change, so that
// scheduling a pod reads the nodes, not every pod: a scale-up of n pods costs O(n), where reading
// every pod for each made it O(n²). Pods without a controller belong to a set by their labels;
// they are compared one by one, as schedule() does.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "controller/controller_context.h"
#include "controller/reconciler.h"

namespace nodrop::controller {

class SchedulingController {
 public:
  static constexpr const char* kComponent = "default-scheduler";
  static constexpr auto kUnschedulableRetry = std::chrono::seconds(5);

  SchedulingController(ControllerContext context, SharedInformers informers);
  SchedulingController(const SchedulingController&) = delete;
  SchedulingController& operator=(const SchedulingController&) = delete;

  // Syncs nothing more.
  void stop() { reconciler_.stop(); }
  // Keys synced so far (benchmarks, metrics).
  std::uint64_t syncs() const { return reconciler_.syncs(); }

 private:
  SyncResult sync(const std::string& key);
  void enqueue_if_unscheduled(const store::ObjectPtr& pod);
  // Brings what is kept of the pod with this uid up to date: `cached` is the informer's pod with
  // it, or null when the informer holds none.
  void refresh(const std::string& uid, const store::ObjectPtr& cached);

  ControllerContext context_;
  SharedInformers informers_;
  Reconciler reconciler_;
  struct Kept {
    store::ObjectPtr cached;                // the informer's pod
    std::string controller;                 // its controller's uid; "" without one
    std::optional<std::string> counted_on;  // the node it counts on in placed_, if it counts
  };
  // Where a kept pod is placed: the informer's pod once bound, else its assumed binding, if any.
  const api::Pod* placed(const std::string& uid, const Kept& kept) const;

  std::map<std::string, api::Pod> assumed_;   // by uid: bound here, not yet bound in the cache
  std::map<std::string, Kept> pods_;          // every pod the informer holds, by uid
  std::set<std::string> without_controller_;  // uids of pods_ without a controller
  // controller uid → node → its pods placed there and active (is_pod_active)
  std::map<std::string, std::map<std::string, int>> placed_;
};

}  // namespace nodrop::controller
