// The rules over a Corpus: pure, deterministic, no I/O. Links Services and PodDisruptionBudgets to
// the workloads whose pod templates they select (same namespace, label selector), then runs every
// rule on every object and drops the findings an object's nodrop.dev/ignore annotation turns off.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "lint/corpus.h"
#include "lint/finding.h"

namespace nodrop::lint {

// The propagation delays of the cluster the manifests go to (docs/rules/
// prestop-shorter-than-propagation.md explains each default and how to measure yours).
struct CheckOptions {
  // From the endpoint's removal until every kube-proxy has reprogrammed its rules: the
  // EndpointSlice watch plus iptables-restore, which kube-proxy runs at most once per
  // --iptables-min-sync-period (1 s by default) and which takes seconds on large clusters.
  std::chrono::seconds proxy_sync{5};
  // From the endpoint's removal until the front load balancer stops sending new connections to
  // the pod (ENI / IP target mode: the cloud controller's API call) or to its node
  // (externalTrafficPolicy Local: the balancer's health checks of healthCheckNodePort, interval
  // times unhealthy threshold, commonly 10-30 s). The seed's 30 s preStop sleep covers it.
  std::chrono::seconds lb_deregistration_delay{15};
  // What an app needs after SIGTERM to finish its in-flight requests and close keep-alive
  // connections: the grace period must cover preStop plus this.
  std::chrono::seconds drain_margin{10};
};

struct CheckResult {
  std::vector<Finding> findings;  // sorted by file, line, rule
  std::size_t suppressed = 0;     // findings turned off by annotations
};

CheckResult check(const Corpus& corpus, const CheckOptions& options);

}  // namespace nodrop::lint
