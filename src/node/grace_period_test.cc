#include "node/grace_period.h"

#include <gtest/gtest.h>

namespace nodrop::node {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct KillCase {
  const char* name;
  std::optional<std::int64_t> pod_deletion;
  std::optional<std::int64_t> pod_termination;
  std::optional<std::int64_t> startup_probe;
  std::optional<std::int64_t> liveness_probe;
  KillReason reason;
  std::int64_t expected;
};

// Vectors: kuberuntime_container_test.go TestKillContainerGracePeriod.
TEST(GracePeriod, KillContainerGracePeriodFollowsKubernetes) {
  const KillCase cases[] = {
      {"default termination grace period", {}, {}, {}, {}, KillReason::kPodDeletion, 2},
      {"use pod termination grace period", {}, 60, {}, {}, KillReason::kPodDeletion, 60},
      {"startup probe overrides pod termination grace period",
       {},
       60,
       10,
       {},
       KillReason::kStartupProbe,
       10},
      {"non-liveness probe failure, use pod termination grace period",
       {},
       60,
       {},
       10,
       KillReason::kPodDeletion,
       60},
      {"non-startup probe failure, use pod termination grace period",
       {},
       60,
       10,
       {},
       KillReason::kPodDeletion,
       60},
      {"all three grace periods set, use startup termination grace period",
       {},
       60,
       10,
       30,
       KillReason::kStartupProbe,
       10},
      {"all three grace periods set, use liveness termination grace period",
       {},
       60,
       10,
       30,
       KillReason::kLivenessProbe,
       30},
      {"deletion grace period wins over everything", 5, 60, 10, 30, KillReason::kLivenessProbe, 5},
  };
  for (const KillCase& c : cases) {
    api::Pod pod;
    pod.metadata.deletion_grace_period_seconds = c.pod_deletion;
    pod.spec.termination_grace_period_seconds = c.pod_termination;
    api::Container container;
    if (c.startup_probe) {
      container.startup_probe = api::Probe{};
      container.startup_probe->termination_grace_period_seconds = c.startup_probe;
    }
    if (c.liveness_probe) {
      container.liveness_probe = api::Probe{};
      container.liveness_probe->termination_grace_period_seconds = c.liveness_probe;
    }
    EXPECT_EQ(kill_grace_period_seconds(pod, container, c.reason), c.expected) << c.name;
  }
}

TEST(GracePeriod, DeletionTakesTheRequestThenTheSpecAndOnlyShortens) {
  api::Pod pod;
  pod.spec.node_name = "node-1";
  pod.spec.termination_grace_period_seconds = 30;
  EXPECT_EQ(deletion_grace_period_seconds(pod, std::nullopt), 30);
  EXPECT_EQ(deletion_grace_period_seconds(pod, 5), 5);
  EXPECT_EQ(deletion_grace_period_seconds(pod, -3), 1);
  pod.metadata.deletion_grace_period_seconds = 5;
  EXPECT_EQ(deletion_grace_period_seconds(pod, 20), 5);  // only shortened
  pod.spec.node_name = "";
  EXPECT_EQ(deletion_grace_period_seconds(pod, 20), 0);  // never scheduled
}

TEST(GracePeriod, EffectiveGraceIsTheShortestAndAtLeastOne) {
  api::Pod pod;
  pod.spec.termination_grace_period_seconds = 30;
  EXPECT_EQ(effective_grace_period_seconds(pod, 0), 30);
  pod.metadata.deletion_grace_period_seconds = 10;
  EXPECT_EQ(effective_grace_period_seconds(pod, 0), 10);
  EXPECT_EQ(effective_grace_period_seconds(pod, 4), 4);
  pod.metadata.deletion_grace_period_seconds = 0;  // treated as unset, then the spec
  EXPECT_EQ(effective_grace_period_seconds(pod, 0), 30);
  pod.spec.termination_grace_period_seconds = 0;
  EXPECT_EQ(effective_grace_period_seconds(pod, 0), 1);
}

TEST(GracePeriod, PreStopTimeCountsAgainstTheWindowWhichNeverDropsBelowTwoSeconds) {
  EXPECT_EQ(stop_signal_window(30, std::nullopt), seconds(30));
  EXPECT_EQ(stop_signal_window(30, milliseconds(5700)), seconds(25));
  EXPECT_EQ(stop_signal_window(30, seconds(30)), seconds(2));
  EXPECT_EQ(stop_signal_window(1, std::nullopt), seconds(2));
}

}  // namespace
}  // namespace nodrop::node
