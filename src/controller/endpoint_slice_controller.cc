#include "controller/endpoint_slice_controller.h"

#include <vector>

#include "controller/endpoint_slices.h"

namespace nodrop::controller {

EndpointSliceController::EndpointSliceController(ControllerContext context,
                                                 SharedInformers informers,
                                                 runtime::Duration publication_delay)
    : context_(std::move(context)),
      informers_(informers),
      publication_delay_(publication_delay),
      reconciler_(context_.loop, context_.post,
                  [this](const std::string& key) { return sync(key); }) {
  const auto by_key = [this](const store::ObjectPtr& service) {
    enqueue(key_of(api::metadata_of(*service)));
  };
  informers_.services.add_handlers(
      {.on_add = by_key,
       .on_update = [by_key](const store::ObjectPtr&,
                             const store::ObjectPtr& service) { by_key(service); },
       .on_delete = by_key});
  informers_.pods.add_handlers(
      {.on_add = [this](const store::ObjectPtr& pod) { enqueue_services_selecting(pod); },
       .on_update =
           [this](const store::ObjectPtr& old, const store::ObjectPtr& pod) {
             enqueue_services_selecting(old);
             enqueue_services_selecting(pod);
           },
       .on_delete = [this](const store::ObjectPtr& pod) { enqueue_services_selecting(pod); }});
  const auto every_service = [this](const store::ObjectPtr&) {
    for (const store::ObjectPtr& service : informers_.services.list()) {
      enqueue(key_of(api::metadata_of(*service)));
    }
  };
  informers_.nodes.add_handlers({.on_add = every_service, .on_delete = every_service});
  // A slice changed or removed by someone else is put back.
  const auto owner = [this](const store::ObjectPtr& slice) {
    const api::ObjectMeta& metadata = api::metadata_of(*slice);
    const auto service = metadata.labels.find(api::kServiceNameLabel);
    const auto managed = metadata.labels.find(kManagedByLabel);
    if (service == metadata.labels.end() || managed == metadata.labels.end() ||
        managed->second != kEndpointSliceController) {
      return;
    }
    enqueue(metadata.namespace_name + "/" + service->second);
  };
  informers_.endpoint_slices.add_handlers(
      {.on_update = [owner](const store::ObjectPtr&,
                            const store::ObjectPtr& slice) { owner(slice); },
       .on_delete = owner});
}

void EndpointSliceController::enqueue(const std::string& key) {
  if (publication_delay_ > runtime::Duration::zero()) {
    reconciler_.enqueue_after(key, publication_delay_);
  } else {
    reconciler_.enqueue(key);
  }
}

void EndpointSliceController::enqueue_services_selecting(const store::ObjectPtr& pod) {
  const api::ObjectMeta& metadata = api::metadata_of(*pod);
  for (const store::ObjectPtr& object : informers_.services.list(metadata.namespace_name)) {
    const api::Service& service = std::get<api::Service>(*object);
    if (service.spec.selector.empty()) continue;
    api::LabelSelector selector;
    selector.match_labels = service.spec.selector;
    if (selector.matches(metadata.labels)) enqueue(key_of(service.metadata));
  }
}

SyncResult EndpointSliceController::sync(const std::string& key) {
  const auto [namespace_name, name] = split_key(key);
  const store::ObjectPtr object = informers_.services.get(namespace_name, name);
  if (object == nullptr) return {};  // deleted: the garbage collector removes its slices
  const api::Service& service = std::get<api::Service>(*object);
  std::vector<api::Pod> pods;
  for (const store::ObjectPtr& pod : informers_.pods.list(namespace_name)) {
    pods.push_back(std::get<api::Pod>(*pod));
  }
  std::vector<std::string> nodes;
  for (const store::ObjectPtr& node : informers_.nodes.list()) {
    nodes.push_back(api::metadata_of(*node).name);
  }
  std::vector<api::EndpointSlice> existing;
  for (const store::ObjectPtr& slice : informers_.endpoint_slices.list(namespace_name)) {
    const api::ObjectMeta& metadata = api::metadata_of(*slice);
    const auto service_label = metadata.labels.find(api::kServiceNameLabel);
    const auto managed = metadata.labels.find(kManagedByLabel);
    if (service_label != metadata.labels.end() && service_label->second == name &&
        managed != metadata.labels.end() && managed->second == kEndpointSliceController) {
      existing.push_back(std::get<api::EndpointSlice>(*slice));
    }
  }
  const EndpointSlicePlan plan = plan_endpoint_slices(service, pods, nodes, existing);
  SyncResult result;
  for (const api::EndpointSlice& slice : plan.to_create) {
    if (!context_.store.create(slice)) result.retry = true;
  }
  for (const api::EndpointSlice& slice : plan.to_update) {
    if (!context_.store.update(slice)) result.retry = true;
  }
  for (const std::string& slice : plan.to_delete) {
    Result<store::ObjectPtr> deleted =
        context_.store.remove({"EndpointSlice", namespace_name, slice});
    if (!deleted && deleted.status().code() != StatusCode::kNotFound) result.retry = true;
  }
  if (result.retry) {
    context_.events.record({kComponent, ""}, *object, api::EventType::kWarning,
                           "FailedToUpdateEndpointSlices",
                           "Error updating Endpoint Slices for Service " + key);
  }
  return result;
}

}  // namespace nodrop::controller
