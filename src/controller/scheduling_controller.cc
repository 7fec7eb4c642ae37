#include "controller/scheduling_controller.h"

#include <vector>

#include "controller/scheduler.h"

namespace nodrop::controller {
namespace {

bool waits_for_a_node(const api::Pod& pod) {
  return pod.spec.node_name.empty() && !pod.metadata.deletion_timestamp.has_value();
}

}  // namespace

SchedulingController::SchedulingController(ControllerContext context, SharedInformers informers)
    : context_(std::move(context)),
      informers_(informers),
      reconciler_(context_.loop, context_.post,
                  [this](const std::string& key) { return sync(key); }) {
  informers_.pods.add_handlers(
      {.on_add = [this](const store::ObjectPtr& pod) { enqueue_if_unscheduled(pod); },
       .on_update =
           [this](const store::ObjectPtr&, const store::ObjectPtr& pod) {
             // The cache has caught up with a binding: the assumption is no longer needed.
             if (!std::get<api::Pod>(*pod).spec.node_name.empty()) {
               assumed_.erase(api::metadata_of(*pod).uid);
             }
             enqueue_if_unscheduled(pod);
           },
       .on_delete =
           [this](const store::ObjectPtr& pod) { assumed_.erase(api::metadata_of(*pod).uid); }});
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
  std::vector<api::Pod> placed;
  for (const store::ObjectPtr& pod : informers_.pods.list()) {
    const api::Pod& each = std::get<api::Pod>(*pod);
    if (!each.spec.node_name.empty()) {
      placed.push_back(each);
    } else if (const auto assumed = assumed_.find(each.metadata.uid); assumed != assumed_.end()) {
      placed.push_back(assumed->second);
    }
  }
  api::Pod pod = std::get<api::Pod>(*object);
  const store::EventSourceName source{kComponent, ""};
  Result<std::string> node = schedule({.pod = &pod, .nodes = nodes, .placed = placed});
  if (!node) {
    context_.events.record(source, *object, api::EventType::kWarning, "FailedScheduling",
                           node.status().message());
    return {.requeue_after = kUnschedulableRetry};
  }
  pod.spec.node_name = *node;
  Result<store::ObjectPtr> bound = context_.store.update(pod);
  if (!bound) return {.retry = true};
  assumed_[pod.metadata.uid] = std::get<api::Pod>(**bound);
  context_.events.record(source, **bound, api::EventType::kNormal, "Scheduled",
                         "Successfully assigned " + namespace_name + "/" + name + " to " + *node);
  return {};
}

}  // namespace nodrop::controller
