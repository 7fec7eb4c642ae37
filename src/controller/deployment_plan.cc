#include "controller/deployment_plan.h"

#include "controller/deployment_util.h"

namespace nodrop::controller {

const char* deployment_action_type_name(DeploymentActionType type) {
  switch (type) {
    case DeploymentActionType::kCreateReplicaSet:
      return "CreateReplicaSet";
    case DeploymentActionType::kUpdateReplicaSet:
      return "UpdateReplicaSet";
    case DeploymentActionType::kDeleteReplicaSet:
      return "DeleteReplicaSet";
    case DeploymentActionType::kUpdateDeployment:
      return "UpdateDeployment";
    case DeploymentActionType::kUpdateDeploymentStatus:
      return "UpdateDeploymentStatus";
  }
  return "UpdateReplicaSet";
}

std::vector<std::string> DeploymentPlan::scaling_summary() const {
  std::vector<std::string> summary;
  for (const DeploymentAction& action : actions) {
    switch (action.type) {
      case DeploymentActionType::kCreateReplicaSet:
        summary.push_back("create " + action.replica_set.metadata.name + " " +
                          std::to_string(spec_replicas(action.replica_set)));
        break;
      case DeploymentActionType::kUpdateReplicaSet:
        if (action.replicas_before != spec_replicas(action.replica_set)) {
          summary.push_back(action.replica_set.metadata.name + " " +
                            std::to_string(action.replicas_before) + "->" +
                            std::to_string(spec_replicas(action.replica_set)));
        }
        break;
      case DeploymentActionType::kDeleteReplicaSet:
        summary.push_back("delete " + action.replica_set.metadata.name);
        break;
      case DeploymentActionType::kUpdateDeployment:
      case DeploymentActionType::kUpdateDeploymentStatus:
        break;
    }
  }
  return summary;
}

}  // namespace nodrop::controller
