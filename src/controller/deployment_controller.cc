#include "controller/deployment_controller.h"

#include <map>
#include <vector>

#include "controller/deployment_sync.h"

namespace nodrop::controller {
namespace {

const api::Deployment& as_deployment(const store::ObjectPtr& object) {
  return std::get<api::Deployment>(*object);
}

// The kind and metadata of the object an action writes.
std::pair<const char*, api::ObjectMeta*> target_of(DeploymentAction& action) {
  switch (action.type) {
    case DeploymentActionType::kUpdateDeployment:
    case DeploymentActionType::kUpdateDeploymentStatus:
      return {"Deployment", &action.deployment.metadata};
    case DeploymentActionType::kCreateReplicaSet:
    case DeploymentActionType::kUpdateReplicaSet:
    case DeploymentActionType::kDeleteReplicaSet:
      break;
  }
  return {"ReplicaSet", &action.replica_set.metadata};
}

}  // namespace

DeploymentController::DeploymentController(ControllerContext context, SharedInformers informers)
    : context_(std::move(context)),
      informers_(informers),
      reconciler_(context_.loop, context_.post,
                  [this](const std::string& key) { return sync(key); }) {
  const auto enqueue = [this](const store::ObjectPtr& object) {
    reconciler_.enqueue(key_of(api::metadata_of(*object)));
  };
  informers_.deployments.add_handlers(
      {.on_add = enqueue,
       .on_update = [enqueue](const store::ObjectPtr&,
                              const store::ObjectPtr& object) { enqueue(object); },
       .on_delete = enqueue});
  const auto by_owner = [this](const store::ObjectPtr& object) { enqueue_deployment_of(object); };
  informers_.replica_sets.add_handlers(
      {.on_add = by_owner,
       .on_update =
           [this](const store::ObjectPtr& old, const store::ObjectPtr& object) {
             enqueue_deployment_of(old);
             enqueue_deployment_of(object);
           },
       .on_delete = by_owner});
  // A pod gone may let a Recreate rollout go on (Kubernetes' deletePod handler).
  informers_.pods.add_handlers({.on_delete = [this](const store::ObjectPtr& pod) {
    const api::OwnerReference* owner = api::metadata_of(*pod).controller_ref();
    if (owner == nullptr || owner->kind != "ReplicaSet") return;
    if (store::ObjectPtr replica_set =
            informers_.replica_sets.get(api::metadata_of(*pod).namespace_name, owner->name)) {
      enqueue_deployment_of(replica_set);
    }
  }});
}

void DeploymentController::enqueue_deployment_of(const store::ObjectPtr& replica_set) {
  const api::ObjectMeta& metadata = api::metadata_of(*replica_set);
  const api::OwnerReference* owner = metadata.controller_ref();
  if (owner == nullptr || owner->kind != "Deployment") return;
  store::ObjectPtr deployment = informers_.deployments.get(metadata.namespace_name, owner->name);
  if (deployment == nullptr || api::metadata_of(*deployment).uid != owner->uid) return;
  reconciler_.enqueue(key_of(api::metadata_of(*deployment)));
}

SyncResult DeploymentController::sync(const std::string& key) {
  const auto [namespace_name, name] = split_key(key);
  const store::ObjectPtr object = informers_.deployments.get(namespace_name, name);
  if (object == nullptr) return {};  // deleted: the garbage collector removes its ReplicaSets
  const api::Deployment& deployment = as_deployment(object);
  // What the plan reads of the namespace's ReplicaSets: those this Deployment controls, and those
  // named as its own are (NAME-HASH), whose names a new one may collide with. Reading every
  // ReplicaSet of the namespace (as client-go's lister does) made each sync cost a copy of each:
  // 16,000 Deployments created through the API kept the controller busy for minutes after.
  std::map<std::string, store::ObjectPtr> relevant;
  for (const store::ObjectPtr& replica_set :
       informers_.replica_sets.controlled_by(deployment.metadata.uid)) {
    relevant.emplace(api::metadata_of(*replica_set).name, replica_set);
  }
  for (const store::ObjectPtr& replica_set :
       informers_.replica_sets.named_from(namespace_name, name + "-")) {
    relevant.emplace(api::metadata_of(*replica_set).name, replica_set);
  }
  std::vector<api::ReplicaSet> replica_sets;
  replica_sets.reserve(relevant.size());
  for (const auto& [rs_name, replica_set] : relevant) {
    replica_sets.push_back(std::get<api::ReplicaSet>(*replica_set));
  }
  // The pods of its ReplicaSets, held for the sync so that the planner reads the cache's pods
  // without copying them (only the Recreate strategy reads them).
  std::vector<store::ObjectPtr> pod_objects;
  if (deployment.spec.strategy.type == api::DeploymentStrategyType::kRecreate) {
    for (const api::ReplicaSet& replica_set : replica_sets) {
      for (store::ObjectPtr& pod : informers_.pods.controlled_by(replica_set.metadata.uid)) {
        pod_objects.push_back(std::move(pod));
      }
    }
  }
  std::vector<const api::Pod*> pods;
  pods.reserve(pod_objects.size());
  for (const store::ObjectPtr& pod : pod_objects) pods.push_back(&std::get<api::Pod>(*pod));
  const DeploymentPlan plan =
      plan_deployment_sync(deployment, replica_sets, pods, context_.loop.clock().wall_now());
  for (const Event& event : plan.events) {
    context_.events.record({kComponent, ""}, *object, event.type, event.reason, event.message);
  }
  SyncResult result;
  // Kubernetes' controller goes on with the object each write returns: a later write to the same
  // object in this plan carries the version the earlier one made.
  std::map<store::ObjectKey, std::string> written;
  for (DeploymentAction action : plan.actions) {
    const auto [kind, target] = target_of(action);
    api::ObjectMeta& metadata = *target;
    const store::ObjectKey target_key{
        kind, metadata.namespace_name.empty() ? namespace_name : metadata.namespace_name,
        metadata.name};
    if (const auto found = written.find(target_key); found != written.end()) {
      metadata.resource_version = found->second;
    }
    Result<store::ObjectPtr> applied = apply(action);
    if (!applied) {
      result.retry = true;  // the rest of the plan was made for a state that is not the store's
      return result;
    }
    written[target_key] = api::metadata_of(**applied).resource_version;
  }
  switch (plan.requeue.kind) {
    case RequeueKind::kNone:
      break;
    case RequeueKind::kRateLimited:
      result.retry = true;
      break;
    case RequeueKind::kAfter:
      result.requeue_after = plan.requeue.after;
      break;
  }
  return result;
}

Result<store::ObjectPtr> DeploymentController::apply(const DeploymentAction& action) {
  store::Store& store = context_.store;
  switch (action.type) {
    case DeploymentActionType::kCreateReplicaSet:
      return store.create(action.replica_set);
    case DeploymentActionType::kUpdateReplicaSet:
      return store.update(action.replica_set);
    case DeploymentActionType::kDeleteReplicaSet:
      return store.remove(store::key_of(action.replica_set));
    case DeploymentActionType::kUpdateDeployment:
      return store.update(action.deployment);
    case DeploymentActionType::kUpdateDeploymentStatus:
      return store.update_status(action.deployment);
  }
  return internal_error("unknown action");
}

}  // namespace nodrop::controller
