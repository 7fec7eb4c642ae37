// The profile: which of nodrop's two behaviours a cluster (or `nodrop proxy`) runs, and the one
// place that turns it into every policy the components follow (DESIGN.md §1).
//
//   policy                        kubernetes                     nodrop
//   retry on another endpoint     never (kube-proxy is L4)       connect failures; idempotent once
//   requests with no endpoint     refused at once                held, bounded, until one is ready
//   HTTP Service ports            L4 at every hop                L7 at every hop
//   terminating pod               preStop and SIGTERM at once    after every hop dropped it and its
//                                                                in-flight requests finished
//   hops learn of changes         after Kubernetes-like delays   at once, acknowledged
//
// The delays of the `kubernetes` profile come from the cluster configuration (KubernetesTiming),
// each scaled by its timeScale.
#pragma once

#include <chrono>
#include <string_view>

#include "base/status.h"
#include "proxy/routing/hold_queue.h"
#include "proxy/routing/retry_policy.h"

namespace nodrop::server {

enum class Profile { kNodrop, kKubernetes };

// "nodrop" or "kubernetes"; InvalidArgument naming both otherwise.
Result<Profile> parse_profile(std::string_view text);
const char* profile_name(Profile profile);

// How long each hop of a real cluster takes to learn of a change (reference/k8s-semantics.md §5;
// the defaults and their sources are in docs/profiles.md).
struct KubernetesTiming {
  double time_scale = 1.0;  // multiplies every delay below (0.1: ten times faster)
  std::chrono::milliseconds endpoint_publication{200};
  std::chrono::milliseconds proxy_sync_period{1000};
  std::chrono::milliseconds load_balancer_api_latency{3000};
  std::chrono::milliseconds health_check_interval{2000};
  int healthy_threshold = 3;
  int unhealthy_threshold = 3;

  std::chrono::nanoseconds scaled(std::chrono::milliseconds delay) const;
};

struct ProfilePolicies {
  proxy::RetryPolicy retry;
  proxy::HoldPolicy hold;
  bool http_ports_l7 = false;   // an HTTP Service port is proxied as HTTP at every hop
  bool wait_for_drain = false;  // the kubelet's drain gate holds preStop until the pod is drained
  // A container without a readiness probe is ready once its declared ports listen, not once it
  // started.
  bool ready_when_listening = false;
  // Delays before each hop applies a change (zero in the nodrop profile).
  std::chrono::nanoseconds endpoint_publication{0};
  std::chrono::nanoseconds proxy_sync{0};
  std::chrono::nanoseconds load_balancer_api{0};
  // The front load balancer's health checks of nodes (Local Services): every interval, a verdict
  // changed by so many results in a row.
  std::chrono::nanoseconds health_check_interval{std::chrono::milliseconds(100)};
  int healthy_threshold = 1;
  int unhealthy_threshold = 1;
};

ProfilePolicies policies_for(Profile profile, const KubernetesTiming& timing = {});

}  // namespace nodrop::server
