#include "server/profile.h"

#include <cmath>

namespace nodrop::server {

Result<Profile> parse_profile(std::string_view text) {
  if (text == "nodrop") return Profile::kNodrop;
  if (text == "kubernetes") return Profile::kKubernetes;
  return invalid_argument("expected nodrop or kubernetes, not \"" + std::string(text) + "\"");
}

const char* profile_name(Profile profile) {
  switch (profile) {
    case Profile::kNodrop:
      return "nodrop";
    case Profile::kKubernetes:
      return "kubernetes";
  }
  return "unknown";
}

std::chrono::nanoseconds KubernetesTiming::scaled(std::chrono::milliseconds delay) const {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(
      std::llround(static_cast<double>(delay.count()) * 1e6 * time_scale)));
}

ProfilePolicies policies_for(Profile profile, const KubernetesTiming& timing) {
  ProfilePolicies policies;
  switch (profile) {
    case Profile::kNodrop:
      policies.retry = proxy::RetryPolicy::nodrop();
      policies.hold = proxy::HoldPolicy::nodrop();
      policies.http_ports_l7 = true;
      policies.wait_for_drain = true;
      policies.ready_when_listening = true;
      break;
    case Profile::kKubernetes:
      policies.retry = proxy::RetryPolicy::kubernetes();
      policies.hold = proxy::HoldPolicy::kubernetes();
      policies.endpoint_publication = timing.scaled(timing.endpoint_publication);
      policies.proxy_sync = timing.scaled(timing.proxy_sync_period);
      policies.load_balancer_api = timing.scaled(timing.load_balancer_api_latency);
      policies.health_check_interval = timing.scaled(timing.health_check_interval);
      policies.healthy_threshold = timing.healthy_threshold;
      policies.unhealthy_threshold = timing.unhealthy_threshold;
      break;
  }
  return policies;
}

}  // namespace nodrop::server
