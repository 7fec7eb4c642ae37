#include "proxy/routing/categorize.h"

namespace nodrop::proxy {
namespace {

bool is_serving_terminating(const Endpoint& endpoint) {
  return !endpoint.ready && endpoint.serving && endpoint.terminating;
}

EndpointState pickable_state(const Endpoint& endpoint) {
  return endpoint.ready ? EndpointState::kReady : EndpointState::kServingTerminating;
}

}  // namespace

std::vector<EndpointState> categorize_endpoints(std::span<const Endpoint> endpoints,
                                                const TrafficPolicy& policy) {
  std::vector<EndpointState> states(endpoints.size(), EndpointState::kDraining);
  if (endpoints.empty()) return states;

  bool any_ready = false;
  bool local_ready = false;
  bool local_serving_terminating = false;
  for (const Endpoint& endpoint : endpoints) {
    const bool local = endpoint.node_name == policy.node_name;
    if (endpoint.ready) {
      any_ready = true;
      local_ready |= local;
    } else if (is_serving_terminating(endpoint)) {
      local_serving_terminating |= local;
    }
  }

  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const Endpoint& endpoint = endpoints[i];
    const bool in_cluster =
        policy.uses_cluster && (any_ready ? endpoint.ready : is_serving_terminating(endpoint));
    const bool local = endpoint.node_name == policy.node_name;
    const bool in_local_from_fallback =
        !local_ready && local_serving_terminating && local && is_serving_terminating(endpoint);
    const bool in_local =
        policy.uses_local && local && (local_ready ? endpoint.ready : in_local_from_fallback);
    bool picked = false;
    if (policy.uses_cluster && policy.uses_local) {
      // topology.go: all = cluster, or cluster ∪ local when local came from the fallback.
      picked = in_cluster || (in_local && in_local_from_fallback);
    } else if (policy.uses_cluster) {
      picked = in_cluster;
    } else if (policy.uses_local) {
      picked = in_local;
    }
    if (picked) states[i] = pickable_state(endpoint);
  }
  return states;
}

}  // namespace nodrop::proxy
