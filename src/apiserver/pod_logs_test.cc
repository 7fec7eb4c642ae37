#include "apiserver/pod_logs.h"

#include <gtest/gtest.h>

namespace nodrop::apiserver {
namespace {

api::Pod pod_with(std::vector<std::string> init_names, std::vector<std::string> app_names) {
  api::Pod pod;
  pod.metadata.name = "web-1";
  for (const std::string& name : init_names) pod.spec.init_containers.emplace_back().name = name;
  for (const std::string& name : app_names) pod.spec.containers.emplace_back().name = name;
  return pod;
}

TEST(PodLogs, WithoutAContainerNameThePodsSeveralContainersAreListedInitContainersApart) {
  const auto found = log_file_of("/logs", pod_with({"setup", "proxy"}, {"app", "side"}), {});
  ASSERT_FALSE(found.is_ok());
  EXPECT_EQ(found.status().message(),
            "a container name must be specified for pod web-1, choose one of: [app side] or one "
            "of the init containers: [setup proxy]");
  const auto without_init = log_file_of("/logs", pod_with({}, {"app", "side"}), {});
  EXPECT_EQ(without_init.status().message(),
            "a container name must be specified for pod web-1, choose one of: [app side]");
}

TEST(PodLogs, AnInitContainerIsAValidContainerAndAnUnknownNameIsNot) {
  const api::Pod pod = pod_with({"setup"}, {"app"});
  LogOptions options;
  options.container = "nope";
  EXPECT_EQ(log_file_of("/nonexistent-logs", pod, options).status().message(),
            "container nope is not valid for pod web-1");
  options.container = "setup";  // known: what is missing now is its log
  EXPECT_EQ(log_file_of("/nonexistent-logs", pod, options).status().message(),
            "container \"setup\" in pod \"web-1\" is waiting to start: ContainerCreating");
}

}  // namespace
}  // namespace nodrop::apiserver
