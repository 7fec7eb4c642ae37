// `kubectl describe service` and `kubectl describe endpoints`, laid out as kubectl's
// ServiceDescriber and EndpointsDescriber write them: a Service's type, IPs, each port with its
// target port, node port and ready endpoints (from the EndpointSlices labelled with its name,
// at most three shown, "+ N more..." after), session affinity, traffic policies, events; an
// Endpoints object's subsets. Pure functions of the objects the API answers with.
#pragma once

#include <string>

#include "base/time.h"
#include "manifest/node.h"

namespace nodrop::cli {

// endpoint_slices: the EndpointSliceList labelled kubernetes.io/service-name=NAME.
std::string describe_service(const manifest::Node& service, const manifest::Node& endpoint_slices,
                             const manifest::Node& events, WallTime now);

std::string describe_endpoints(const manifest::Node& endpoints, const manifest::Node& events,
                               WallTime now);

}  // namespace nodrop::cli
