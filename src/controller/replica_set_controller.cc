#include "controller/replica_set_controller.h"

#include <algorithm>
#include <string>
#include <vector>

#include "controller/replica_set_sync.h"

namespace nodrop::controller {

ReplicaSetController::ReplicaSetController(ControllerContext context, SharedInformers informers)
    : context_(std::move(context)),
      informers_(informers),
      reconciler_(context_.loop, context_.post,
                  [this](const std::string& key) { return sync(key); }) {
  const auto enqueue = [this](const store::ObjectPtr& object) {
    reconciler_.enqueue(key_of(api::metadata_of(*object)));
  };
  informers_.replica_sets.add_handlers(
      {.on_add = enqueue,
       .on_update = [enqueue](const store::ObjectPtr&,
                              const store::ObjectPtr& object) { enqueue(object); },
       .on_delete = enqueue});
  const auto owner = [this](const store::ObjectPtr& pod) { enqueue_replica_set_of(pod); };
  informers_.pods.add_handlers(
      {.on_add = owner,
       .on_update = [owner](const store::ObjectPtr&, const store::ObjectPtr& pod) { owner(pod); },
       .on_delete = owner});
}

void ReplicaSetController::enqueue_replica_set_of(const store::ObjectPtr& pod) {
  const api::ObjectMeta& metadata = api::metadata_of(*pod);
  const api::OwnerReference* owner = metadata.controller_ref();
  if (owner == nullptr || owner->kind != "ReplicaSet") return;
  reconciler_.enqueue(metadata.namespace_name + "/" + owner->name);
}

SyncResult ReplicaSetController::sync(const std::string& key) {
  const auto [namespace_name, name] = split_key(key);
  const store::ObjectPtr object = informers_.replica_sets.get(namespace_name, name);
  if (object == nullptr) return {};  // deleted: the garbage collector removes its pods
  const api::ReplicaSet& replica_set = std::get<api::ReplicaSet>(*object);
  const api::OwnerReference* rs_owner = replica_set.metadata.controller_ref();
  // Its pods, and those of its siblings (the ReplicaSets of its owner: they count for the deletion
  // order's spreading rule), from the informers' controller index, held for the sync so that the
  // planner reads the cache's pods without copying them. (Reading every pod of the namespace made
  // each sync cost O(pods).)
  std::vector<store::ObjectPtr> pods = informers_.pods.controlled_by(replica_set.metadata.uid);
  const std::size_t owned_count = pods.size();
  if (rs_owner != nullptr) {
    for (const store::ObjectPtr& sibling : informers_.replica_sets.controlled_by(rs_owner->uid)) {
      const std::string& sibling_uid = api::metadata_of(*sibling).uid;
      if (sibling_uid == replica_set.metadata.uid) continue;
      for (store::ObjectPtr& pod : informers_.pods.controlled_by(sibling_uid)) {
        pods.push_back(std::move(pod));
      }
    }
  }
  std::vector<const api::Pod*> owned;
  std::vector<const api::Pod*> related;
  for (std::size_t i = 0; i < pods.size(); ++i) {
    const api::Pod& pod = std::get<api::Pod>(*pods[i]);
    if (i < owned_count) owned.push_back(&pod);
    related.push_back(&pod);
  }
  // In the namespace's order, as a list of it gives them.
  std::sort(related.begin(), related.end(), [](const api::Pod* a, const api::Pod* b) {
    return a->metadata.name < b->metadata.name;
  });
  const WallTime now = context_.loop.clock().wall_now();
  const ReplicaSetPlan plan = plan_replica_set_sync(replica_set, owned, related, now);

  SyncResult result;
  const store::EventSourceName source{kComponent, ""};
  for (std::int32_t i = 0; i < plan.pods_to_create; ++i) {
    api::Pod pod = pod_from_template(replica_set, "", now);
    pod.metadata.uid.clear();
    Result<store::ObjectPtr> created = context_.store.create(pod);
    if (!created) {
      context_.events.record(source, *object, api::EventType::kWarning, "FailedCreate",
                             "Error creating: " + created.status().message());
      result.retry = true;
      break;
    }
    context_.events.record(source, *object, api::EventType::kNormal, "SuccessfulCreate",
                           "Created pod: " + api::metadata_of(**created).name);
  }
  for (const std::string& pod_name : plan.pods_to_delete) {
    Result<store::ObjectPtr> deleted = context_.store.remove({"Pod", namespace_name, pod_name});
    if (!deleted && deleted.status().code() != StatusCode::kNotFound) {
      context_.events.record(source, *object, api::EventType::kWarning, "FailedDelete",
                             "Error deleting: " + deleted.status().message());
      result.retry = true;
      continue;
    }
    context_.events.record(source, *object, api::EventType::kNormal, "SuccessfulDelete",
                           "Deleted pod: " + pod_name);
  }
  if (plan.status) {
    api::ReplicaSet updated = replica_set;
    updated.status = *plan.status;
    if (!context_.store.update_status(updated).is_ok()) result.retry = true;
  }
  if (plan.requeue_after) result.requeue_after = *plan.requeue_after;
  return result;
}

}  // namespace nodrop::controller
