// What the controllers' shells share (DESIGN.md §6): each reads the store through shared
// informers, queues the keys their changes touch (a Reconciler), and carries its planner's plan out
// as writes to the store. The planners (deployment_sync.h, replica_set_sync.h, scheduler.h) decide;
// the shells only execute, as kube-controller-manager's loops do around the same decisions.
//
// A write the store refuses (a conflict with a newer version, an object gone) fails the sync, and
// the key is tried again through the rate limiter, as Kubernetes' controllers do.
#pragma once

#include "runtime/event_loop.h"
#include "store/event_recorder.h"
#include "store/informer.h"
#include "store/store.h"

namespace nodrop::controller {

struct ControllerContext {
  store::Store& store;
  runtime::EventLoop& loop;
  store::Post post;  // onto the loop, from any thread: the informers' and reconcilers' queue
  store::EventRecorder& events;
};

// One informer of each kind the controllers read, shared by all of them.
struct SharedInformers {
  store::Informer& deployments;
  store::Informer& replica_sets;
  store::Informer& pods;
  store::Informer& nodes;
  store::Informer& services;
  store::Informer& endpoint_slices;
};

}  // namespace nodrop::controller
