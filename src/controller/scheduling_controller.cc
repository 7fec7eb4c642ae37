#include "controller/scheduling_controller.h"

#include <vector>

#include "controller/replica_set_sync.h"
#include "controller/scheduler.h"

namespace nodrop::controller {
namespace {

bool waits_for_a_node(const api::Pod& pod) {
  return pod.spec.node_name.empty() && !pod.metadata.deletion_timestamp.has_value();
}

std::string controller_uid(const api::ObjectMeta& metadata) {
  const api::OwnerReference* owner = metadata.controller_ref();
  return owner == nullptr ? "" : owner->uid;
}

}  // namespace

SchedulingController::SchedulingController(ControllerContext context, SharedInformers informers)
    : context_(std::move(context)),
      informers_(informers),
      reconciler_(context_.loop, context_.post,
                  [this](const std::string& key) { return sync(key); }) {
  informers_.pods.add_handlers(
      {.on_add =
           [this](const store::ObjectPtr& pod) {
             refresh(api::metadata_of(*pod).uid, pod);
             enqueue_if_unscheduled(pod);
           },
       .on_update =
           [this](const store::ObjectPtr& old, const store::ObjectPtr& pod) {
             const std::string& uid = api::metadata_of(*pod).uid;
             // The cache has caught up with a binding: the assumption is no longer needed.
             if (!std::get<api::Pod>(*pod).spec.node_name.empty()) assumed_.erase(uid);
             if (api::metadata_of(*old).uid != uid) refresh(api::metadata_of(*old).uid, nullptr);
             refresh(uid, pod);
             enqueue_if_unscheduled(pod);
           },
       .on_delete =
           [this](const store::ObjectPtr& pod) {
             const std::string& uid = api::metadata_of(*pod).uid;
             assumed_.erase(uid);
             refresh(uid, nullptr);
           }});
  // A node that appears or changes may take a pod no node could take before.
  const auto retry_all = [this](const store::ObjectPtr&) {
    for (const store::ObjectPtr& pod : informers_.pods.list()) enqueue_if_unscheduled(pod);
  };
  informers_.nodes.add_handlers(
      {.on_add = retry_all,
       .on_update = [retry_all](const store::ObjectPtr&, const store::ObjectPtr& node) {
         retry_all(node);
       }});
}

const api::Pod* SchedulingController::placed(const std::string& uid, const Kept& kept) const {
  const api::Pod& cached = std::get<api::Pod>(*kept.cached);
  if (!cached.spec.node_name.empty()) return &cached;
  const auto assumed = assumed_.find(uid);
  return assumed == assumed_.end() ? nullptr : &assumed->second;
}

void SchedulingController::refresh(const std::string& uid, const store::ObjectPtr& cached) {
  auto found = pods_.find(uid);
  if (found != pods_.end() && found->second.counted_on) {
    const auto counts = placed_.find(found->second.controller);
    if (--counts->second[*found->second.counted_on] == 0) {
      counts->second.erase(*found->second.counted_on);
      if (counts->second.empty()) placed_.erase(counts);
    }
    found->second.counted_on.reset();
  }
  if (cached == nullptr) {
    if (found != pods_.end()) pods_.erase(found);
    without_controller_.erase(uid);
    return;
  }
  if (found == pods_.end()) found = pods_.emplace(uid, Kept{}).first;
  Kept& kept = found->second;
  kept.cached = cached;
  kept.controller = controller_uid(api::metadata_of(*cached));
  if (kept.controller.empty()) {
    without_controller_.insert(uid);
    return;  // compared by labels when a pod is scheduled
  }
  without_controller_.erase(uid);
  const api::Pod* where = placed(uid, kept);
  if (where == nullptr || !is_pod_active(*where)) return;
  kept.counted_on = where->spec.node_name;
  ++placed_[kept.controller][*kept.counted_on];
}

void SchedulingController::enqueue_if_unscheduled(const store::ObjectPtr& pod) {
  if (waits_for_a_node(std::get<api::Pod>(*pod))) {
    reconciler_.enqueue(key_of(api::metadata_of(*pod)));
  }
}

SyncResult SchedulingController::sync(const std::string& key) {
  const auto [namespace_name, name] = split_key(key);
  const store::ObjectPtr object = informers_.pods.get(namespace_name, name);
  if (object == nullptr || !waits_for_a_node(std::get<api::Pod>(*object))) return {};
  std::vector<api::Node> nodes;
  for (const store::ObjectPtr& node : informers_.nodes.list()) {
    nodes.push_back(std::get<api::Node>(*node));
  }
  api::Pod pod = std::get<api::Pod>(*object);
  // Spreading: the counts kept for the pod's controller, and the pods whose set only their labels
  // tell (every pod, for a pod without a controller).
  const std::string controller = controller_uid(pod.metadata);
  std::map<std::string, int> same_set;
  std::vector<const api::Pod*> compared;
  if (controller.empty()) {
    for (const auto& [uid, kept] : pods_) {
      if (const api::Pod* where = placed(uid, kept)) compared.push_back(where);
    }
  } else {
    if (const auto counts = placed_.find(controller); counts != placed_.end()) {
      same_set = counts->second;
    }
    for (const std::string& uid : without_controller_) {
      if (const api::Pod* where = placed(uid, pods_.at(uid))) compared.push_back(where);
    }
  }
  for (const auto& [node, count] : same_set_on_node(pod, compared)) same_set[node] += count;
  const store::EventSourceName source{kComponent, ""};
  Result<std::string> node = schedule({.pod = &pod, .nodes = nodes, .same_set_on_node = same_set});
  if (!node) {
    context_.events.record(source, *object, api::EventType::kWarning, "FailedScheduling",
                           node.status().message());
    return {.requeue_after = kUnschedulableRetry};
  }
  pod.spec.node_name = *node;
  Result<store::ObjectPtr> bound = context_.store.update(pod);
  if (!bound) return {.retry = true};
  assumed_[pod.metadata.uid] = std::get<api::Pod>(**bound);
  refresh(pod.metadata.uid, object);
  context_.events.record(source, **bound, api::EventType::kNormal, "Scheduled",
                         "Successfully assigned " + namespace_name + "/" + name + " to " + *node);
  return {};
}

}  // namespace nodrop::controller
