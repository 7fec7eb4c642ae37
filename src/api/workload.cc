#include "api/workload.h"

namespace nodrop::api {

const char* strategy_type_name(DeploymentStrategyType type) {
  switch (type) {
    case DeploymentStrategyType::kRollingUpdate:
      return "RollingUpdate";
    case DeploymentStrategyType::kRecreate:
      return "Recreate";
  }
  return "RollingUpdate";
}

}  // namespace nodrop::api
