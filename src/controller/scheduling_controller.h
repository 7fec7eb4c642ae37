// The scheduler's shell: every pod without a node (and not being deleted) is placed by
// scheduler.h's schedule() over the nodes and placed pods the informers hold, and bound by
// writing spec.nodeName, with a Scheduled event as kube-scheduler records it. A pod no node can
// take gets a FailedScheduling event and is tried again when a node changes, or after
// kUnschedulableRetry.
#pragma once

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

 private:
  SyncResult sync(const std::string& key);
  void enqueue_if_unscheduled(const store::ObjectPtr& pod);

  ControllerContext context_;
  SharedInformers informers_;
  Reconciler reconciler_;
};

}  // namespace nodrop::controller
