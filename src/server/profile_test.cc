#include "server/profile.h"

#include <gtest/gtest.h>

namespace nodrop::server {
namespace {

TEST(Profile, ParsesItsTwoNamesAndRefusesTheRest) {
  EXPECT_EQ(*parse_profile("nodrop"), Profile::kNodrop);
  EXPECT_EQ(*parse_profile("kubernetes"), Profile::kKubernetes);
  EXPECT_EQ(parse_profile("k8s").status().message(), "expected nodrop or kubernetes, not \"k8s\"");
  EXPECT_STREQ(profile_name(Profile::kKubernetes), "kubernetes");
}

TEST(Profile, KubernetesHasNoRetryNoHoldAndScaledDelays) {
  KubernetesTiming timing;
  timing.time_scale = 0.5;
  const ProfilePolicies kubernetes = policies_for(Profile::kKubernetes, timing);
  EXPECT_EQ(kubernetes.retry.max_attempts, 1);
  EXPECT_FALSE(kubernetes.retry.retry_idempotent_once);
  EXPECT_EQ(kubernetes.hold.max_waiting, 0U);
  EXPECT_FALSE(kubernetes.http_ports_l7);
  EXPECT_FALSE(kubernetes.wait_for_drain);
  EXPECT_FALSE(kubernetes.ready_when_listening);
  EXPECT_EQ(kubernetes.proxy_sync, std::chrono::milliseconds(500));
  EXPECT_EQ(kubernetes.endpoint_publication, std::chrono::milliseconds(100));
  EXPECT_EQ(kubernetes.load_balancer_api, std::chrono::milliseconds(1500));
  EXPECT_EQ(kubernetes.health_check_interval, std::chrono::milliseconds(1000));
  EXPECT_EQ(kubernetes.healthy_threshold, 3);
  EXPECT_EQ(kubernetes.unhealthy_threshold, 3);
}

TEST(Profile, NodropRetriesHoldsDrainsAndHasNoDelays) {
  const ProfilePolicies nodrop = policies_for(Profile::kNodrop);
  EXPECT_EQ(nodrop.retry.max_attempts, 3);
  EXPECT_TRUE(nodrop.retry.retry_idempotent_once);
  EXPECT_GT(nodrop.hold.max_waiting, 0U);
  EXPECT_TRUE(nodrop.http_ports_l7);
  EXPECT_TRUE(nodrop.wait_for_drain);
  EXPECT_TRUE(nodrop.ready_when_listening);
  EXPECT_EQ(nodrop.proxy_sync, std::chrono::nanoseconds::zero());
}

}  // namespace
}  // namespace nodrop::server
