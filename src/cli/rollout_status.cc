#include "cli/rollout_status.h"

#include <fmt/format.h>

#include "cli/node_paths.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

}  // namespace

RolloutState deployment_rollout_state(const Node& deployment) {
  const Node* name_node = node_at(deployment, {"metadata", "name"});
  const std::string name = name_node != nullptr ? name_node->text() : "";
  if (integer_at(deployment, {"metadata", "generation"}) >
      integer_at(deployment, {"status", "observedGeneration"})) {
    return {RolloutState::Phase::kWaiting, "Waiting for deployment spec update to be observed..."};
  }
  if (const Node* conditions = node_at(deployment, {"status", "conditions"});
      conditions != nullptr && conditions->is_sequence()) {
    for (const Node& condition : conditions->items()) {
      const Node* type = node_at(condition, {"type"});
      const Node* reason = node_at(condition, {"reason"});
      if (type != nullptr && type->text() == "Progressing" && reason != nullptr &&
          reason->text() == "ProgressDeadlineExceeded") {
        return {RolloutState::Phase::kFailed,
                fmt::format("deployment \"{}\" exceeded its progress deadline", name)};
      }
    }
  }
  const Node* wanted = node_at(deployment, {"spec", "replicas"});
  const std::int64_t updated = integer_at(deployment, {"status", "updatedReplicas"});
  const std::int64_t replicas = integer_at(deployment, {"status", "replicas"});
  const std::int64_t available = integer_at(deployment, {"status", "availableReplicas"});
  if (wanted != nullptr && updated < wanted->int_value()) {
    return {RolloutState::Phase::kWaiting,
            fmt::format("Waiting for deployment \"{}\" rollout to finish: {} out of {} new "
                        "replicas have been updated...",
                        name, updated, wanted->int_value())};
  }
  if (replicas > updated) {
    return {RolloutState::Phase::kWaiting,
            fmt::format("Waiting for deployment \"{}\" rollout to finish: {} old replicas are "
                        "pending termination...",
                        name, replicas - updated)};
  }
  if (available < updated) {
    return {RolloutState::Phase::kWaiting,
            fmt::format("Waiting for deployment \"{}\" rollout to finish: {} of {} updated "
                        "replicas are available...",
                        name, available, updated)};
  }
  return {RolloutState::Phase::kDone,
          fmt::format("deployment \"{}\" successfully rolled out", name)};
}

}  // namespace nodrop::cli
