// What one sync of the Deployment controller decided: the writes Kubernetes' controller would
// send to the API server, in order, plus its events and when to look again. The shell carries the
// actions out; tests assert on them (kubernetes/sample-controller's controller_test.go habit).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/event.h"
#include "api/workload.h"
#include "runtime/clock.h"

namespace nodrop::controller {

enum class DeploymentActionType {
  kCreateReplicaSet,        // replica_set is the object to create
  kUpdateReplicaSet,        // replica_set is the whole new object (replicas, annotations)
  kDeleteReplicaSet,        // replica_set.metadata.name names it
  kUpdateDeployment,        // deployment: metadata and spec (rollback)
  kUpdateDeploymentStatus,  // deployment: status (and the annotations Kubernetes sets with it)
};
const char* deployment_action_type_name(DeploymentActionType type);

struct DeploymentAction {
  DeploymentActionType type = DeploymentActionType::kUpdateReplicaSet;
  api::ReplicaSet replica_set;
  // For kUpdateReplicaSet: spec.replicas before the update (equal when only annotations change).
  std::int32_t replicas_before = 0;
  api::Deployment deployment;
};

using api::event_type_name;
using api::EventType;

struct Event {
  EventType type = EventType::kNormal;
  std::string reason;
  std::string message;
};

// When the work queue should look at the Deployment again, besides the watches.
enum class RequeueKind {
  kNone,         // only on the next change
  kRateLimited,  // now, through the rate limiter (an error, or a deadline about to pass)
  kAfter,        // after `after` (a progress-deadline check)
};

struct Requeue {
  RequeueKind kind = RequeueKind::kNone;
  runtime::Duration after{0};
};

struct DeploymentPlan {
  std::vector<DeploymentAction> actions;
  std::vector<Event> events;
  Requeue requeue;

  // The writes that changed some ReplicaSet's spec.replicas, as "name from->to", for tests and
  // logs.
  std::vector<std::string> scaling_summary() const;
};

}  // namespace nodrop::controller
