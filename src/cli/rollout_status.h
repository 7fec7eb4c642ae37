// Where a Deployment's rollout stands, in kubectl's words (kubectl's DeploymentStatusViewer), from
// the object alone:
//   generation not yet observed        Waiting for deployment spec update to be observed...
//   Progressing=False, reason ProgressDeadlineExceeded   (failed) deployment "web" exceeded its
//                                                          progress deadline
//   updated < spec.replicas            Waiting for deployment "web" rollout to finish: 1 out of 3
//                                      new replicas have been updated...
//   replicas > updated                 ... 2 old replicas are pending termination...
//   available < updated                ... 1 of 3 updated replicas are available...
//   otherwise                          (done) deployment "web" successfully rolled out
#pragma once

#include <string>

#include "manifest/node.h"

namespace nodrop::cli {

struct RolloutState {
  enum class Phase { kWaiting, kDone, kFailed };
  Phase phase = Phase::kWaiting;
  std::string message{};  // without a final newline
};

RolloutState deployment_rollout_state(const manifest::Node& deployment);

}  // namespace nodrop::cli
