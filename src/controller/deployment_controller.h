// The Deployment controller's shell (pkg/controller/deployment/deployment_controller.go): a
// Deployment is synced when it changes, when one of its ReplicaSets changes (controllerRef), and
// when a pod of its ReplicaSets goes (Recreate waits for old pods to be gone); each sync runs
// plan_deployment_sync over the informers' caches and writes the plan's actions in order.
//
// Not done: adopting an orphan ReplicaSet that matches a Deployment's selector (Kubernetes' claim);
// an orphan stays an orphan.
#pragma once

#include <cstdint>
#include <string>

#include "controller/controller_context.h"
#include "controller/deployment_plan.h"
#include "controller/reconciler.h"

namespace nodrop::controller {

class DeploymentController {
 public:
  static constexpr const char* kComponent = "deployment-controller";

  DeploymentController(ControllerContext context, SharedInformers informers);
  DeploymentController(const DeploymentController&) = delete;
  DeploymentController& operator=(const DeploymentController&) = delete;

  // Syncs nothing more.
  void stop() { reconciler_.stop(); }
  // Keys synced so far (benchmarks, metrics).
  std::uint64_t syncs() const { return reconciler_.syncs(); }

 private:
  SyncResult sync(const std::string& key);
  Result<store::ObjectPtr> apply(const DeploymentAction& action);
  void enqueue_deployment_of(const store::ObjectPtr& replica_set);

  ControllerContext context_;
  SharedInformers informers_;
  Reconciler reconciler_;
};

}  // namespace nodrop::controller
