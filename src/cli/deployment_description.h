// `kubectl describe deployment` from the Deployment, the ReplicaSets of its namespace and its
// events, laid out as kubectl's DeploymentDescriber writes it (tabbed lines aligned by Go's
// tabwriter: table_printer.h's format_tabbed): the top fields, the pod template
// (describe_sections.h: init containers and containers with image, ports, command, args, limits
// and requests, probes, envFrom and env, mounts; volumes, node selector, tolerations),
// conditions, old and new ReplicaSets, events with their ages.
#pragma once

#include <string>

#include "base/time.h"
#include "manifest/node.h"

namespace nodrop::cli {

std::string describe_deployment(const manifest::Node& deployment,
                                const manifest::Node& replica_sets, const manifest::Node& events,
                                WallTime now);

}  // namespace nodrop::cli
