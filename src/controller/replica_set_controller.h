// The ReplicaSet controller's shell (pkg/controller/replicaset/replica_set.go): a ReplicaSet is
// synced when it changes and when one of its pods changes (controllerRef); each sync runs
// plan_replica_set_sync over the informers' caches, creates pods from the template (generateName
// "<replicaset>-"), deletes the pods the plan names with their own grace period, and writes the
// status. Events: SuccessfulCreate, SuccessfulDelete, FailedCreate.
#pragma once

#include <cstdint>
#include <string>

#include "controller/controller_context.h"
#include "controller/reconciler.h"

namespace nodrop::controller {

class ReplicaSetController {
 public:
  static constexpr const char* kComponent = "replicaset-controller";

  ReplicaSetController(ControllerContext context, SharedInformers informers);
  ReplicaSetController(const ReplicaSetController&) = delete;
  ReplicaSetController& operator=(const ReplicaSetController&) = delete;

  // Syncs nothing more.
  void stop() { reconciler_.stop(); }
  // Keys synced so far (benchmarks, metrics).
  std::uint64_t syncs() const { return reconciler_.syncs(); }

 private:
  SyncResult sync(const std::string& key);
  void enqueue_replica_set_of(const store::ObjectPtr& pod);

  ControllerContext context_;
  SharedInformers informers_;
  Reconciler reconciler_;
};

}  // namespace nodrop::controller
