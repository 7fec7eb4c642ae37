// The EndpointSlice controller's shell: a Service is synced when it changes, when a pod of its
// namespace that its selector matches (before or after the change) changes, when a node appears
// or goes, and when one of its slices is changed by someone else; each sync runs
// plan_endpoint_slices over the informers' caches and writes the slices.
//
// publication_delay: every change reaches the slices this much later (the `kubernetes` profile's
// endpoint publication delay, standing for the controller's batching and the API server's fan-out
// in a real cluster); zero publishes at once.
#pragma once

#include <string>

#include "controller/controller_context.h"
#include "controller/reconciler.h"

namespace nodrop::controller {

class EndpointSliceController {
 public:
  static constexpr const char* kComponent = "endpoint-slice-controller";

  EndpointSliceController(ControllerContext context, SharedInformers informers,
                          runtime::Duration publication_delay);
  EndpointSliceController(const EndpointSliceController&) = delete;
  EndpointSliceController& operator=(const EndpointSliceController&) = delete;

  void stop() { reconciler_.stop(); }

 private:
  SyncResult sync(const std::string& key);
  void enqueue(const std::string& key);
  void enqueue_services_selecting(const store::ObjectPtr& pod);

  ControllerContext context_;
  SharedInformers informers_;
  runtime::Duration publication_delay_;
  Reconciler reconciler_;
};

}  // namespace nodrop::controller
