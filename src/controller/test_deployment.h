// A Deployment for tests and benchmarks of the controller: "web" in namespace default, selecting
// app=web, one container "app" with the given image, RollingUpdate 25%/25%, Kubernetes' defaults
// for history and progress deadline. Callers change what their case is about.
//
// test_deployment_to_apply: the same as a user applies it to a whole cluster (server::Cluster):
// no uid or generation (the store gives them), the container's command, every default set.
#pragma once

#include <cstdint>
#include <string>

#include "api/defaults.h"
#include "api/workload.h"

namespace nodrop::controller {

inline api::Deployment test_deployment(std::int32_t replicas, const std::string& image) {
  api::Deployment deployment;
  deployment.metadata.name = "web";
  deployment.metadata.namespace_name = "default";
  deployment.metadata.uid = "web-uid";
  deployment.metadata.generation = 1;
  deployment.spec.replicas = replicas;
  deployment.spec.selector.match_labels["app"] = "web";
  deployment.spec.has_selector = true;
  deployment.spec.template_spec.metadata.labels["app"] = "web";
  api::Container container;
  container.name = "app";
  container.image = image;
  deployment.spec.template_spec.spec.containers.push_back(container);
  deployment.spec.strategy.rolling_update = api::RollingUpdateDeployment{
      api::IntOrString::from_string("25%"), api::IntOrString::from_string("25%")};
  deployment.spec.revision_history_limit = 10;
  deployment.spec.progress_deadline_seconds = 600;
  return deployment;
}

inline api::Deployment test_deployment_to_apply(std::int32_t replicas, const std::string& image,
                                                const std::string& command) {
  api::Deployment deployment = test_deployment(replicas, image);
  deployment.metadata.uid.clear();
  deployment.metadata.generation = 0;
  deployment.spec.template_spec.spec.containers[0].command = {command};
  api::set_defaults(deployment);
  return deployment;
}

}  // namespace nodrop::controller
