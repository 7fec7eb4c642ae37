// Grace-period arithmetic of pod termination (reference/k8s-semantics.md §2.4). Pure, in whole
// seconds as Kubernetes computes it.
#pragma once

#include <cstdint>
#include <optional>

#include "api/pod.h"
#include "runtime/clock.h"

namespace nodrop::node {

// Kubernetes' minimumGracePeriodInSeconds: the stop signal always gets at least this long.
constexpr std::int64_t kMinimumGracePeriodSeconds = 2;

// Why the kubelet kills a container (containerKillReason).
enum class KillReason {
  kPodDeletion,    // the pod is terminating (also any other reason Kubernetes calls "Unknown")
  kLivenessProbe,  // liveness failed: restart
  kStartupProbe,   // startup failed: restart
};
const char* kill_reason_name(KillReason reason);

// The API server's CheckGracefulDelete: the grace period stored as deletionGracePeriodSeconds.
//   the delete request's value if given, else spec.terminationGracePeriodSeconds (default 30);
//   0 if the pod is not scheduled or is terminal; a negative value becomes 1;
//   an existing deletionGracePeriodSeconds can only be shortened.
std::int64_t deletion_grace_period_seconds(const api::Pod& pod,
                                           std::optional<std::int64_t> requested_seconds);

// pod_workers.go calculateEffectiveGracePeriod: the pod's grace period, at least 1.
//   start from the grace already in force (0: none), take deletionGracePeriodSeconds if shorter,
//   fall back to spec.terminationGracePeriodSeconds, and never go below 1.
std::int64_t effective_grace_period_seconds(const api::Pod& pod, std::int64_t in_force_seconds);

// kuberuntime_container.go setTerminationGracePeriod, for killContainer.
//   deletionGracePeriodSeconds if set; else, when spec.terminationGracePeriodSeconds is set, the
//   probe's terminationGracePeriodSeconds for kills that probe caused, or the pod's; else 2.
// Vectors: kuberuntime_container_test.go TestKillContainerGracePeriod.
std::int64_t kill_grace_period_seconds(const api::Pod& pod, const api::Container& container,
                                       KillReason reason);

// How long the stop signal gets before SIGKILL, after a preStop hook that took prestop_elapsed
// (nullopt: no hook ran): the grace minus the hook's whole seconds, never below 2.
//
//   grace  preStop        window
//   30     none           30
//   30     5.7 s          25      (30 − 5; SIGKILL at ≈ 30.7 s)
//   30     abandoned 30 s 2       (SIGTERM at 30 s, SIGKILL at 32 s)
//   1      none           2
runtime::Duration stop_signal_window(std::int64_t grace_seconds,
                                     std::optional<runtime::Duration> prestop_elapsed);

}  // namespace nodrop::node
