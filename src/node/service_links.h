// The Service environment variables the kubelet gives every container (Kubernetes'
// pkg/kubelet/envvars/envvars.go FromServices, and getServiceEnvVarMap in kubelet_pods.go), so
// that an app finds the Services of its namespace without cluster DNS (which nodrop does not
// serve).
//
// Which Services: those of the pod's namespace that have a clusterIP (not headless, not
// ExternalName), when the pod's enableServiceLinks is true (the default); none when it is false.
// They are read when a container starts, as the kubelet reads its Service cache then: a Service
// created after the pod's containers started is not in their environment.
//
// For each Service, NAME being its name upper-cased with '-' as '_', and PROTO its port's
// protocol ("TCP" when empty), in this order:
//
//   NAME_SERVICE_HOST                     clusterIP                      10.0.0.11
//   NAME_SERVICE_PORT                     the first port's number        80
//   NAME_SERVICE_PORT_<PORT NAME>         each named port's number       NAME_SERVICE_PORT_HTTP=80
//   NAME_PORT                             first port, docker-link style  tcp://10.0.0.11:80
//   NAME_PORT_<port>_<PROTO>              per port                       tcp://10.0.0.11:80
//   NAME_PORT_<port>_<PROTO>_PROTO        per port, lower case           tcp
//   NAME_PORT_<port>_<PROTO>_PORT         per port                       80
//   NAME_PORT_<port>_<PROTO>_ADDR         per port                       10.0.0.11
//
// In the container's environment these come after the container's own variables, and a name the
// container defines keeps the container's value; a container's `value` may refer to them as
// $(NAME_SERVICE_HOST) (container_command.h).
#pragma once

#include <span>
#include <string>

#include "api/pod.h"
#include "api/service.h"
#include "node/container_command.h"

namespace nodrop::node {

// The variables of `services`, in their order (FromServices); Services without a clusterIP are
// skipped.
Environment service_link_variables(std::span<const api::Service> services);

// The variables `pod` gets from `services` (any namespace; filtered here), Services sorted by
// name so that the environment reads the same on every start.
Environment pod_service_variables(const api::Pod& pod, std::span<const api::Service> services);

}  // namespace nodrop::node
