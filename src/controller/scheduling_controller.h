// The scheduler's shell: every pod without a node (and not being deleted) is placed by
// scheduler.h's schedule() over the nodes and placed pods the informers hold, and bound by
// writing spec.nodeName, with a Scheduled event as kube-scheduler records it. A pod no node can
// take gets a FailedScheduling event and is tried again when a node changes, or after
// kUnschedulableRetry.
//
// Pods bound but not yet seen bound by the informer are *assumed* placed, as kube-scheduler's
// cache assumes them: several pods scheduled in one round spread over the nodes instead of all
// landing where the first went.
#pragma once

#include <cstdint>
#include <map>
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

  ControllerContext context_;
  SharedInformers informers_;
  Reconciler reconciler_;
  std::map<std::string, api::Pod> assumed_;  // by uid: bound here, not yet bound in the cache
};

}  // namespace nodrop::controller
