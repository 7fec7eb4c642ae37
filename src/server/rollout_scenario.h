// One rolling update under traffic, measured end to end with real processes: a cluster is started
// (LiveCluster, on a thread of its own), the manifests applied, steady load sent through a
// LoadBalancer Service's front load balancer, the Deployment's template changed while the load
// runs, and the load kept on until a settle time after the rollout finished. The loss scenarios'
// tests and the demo run it.
//
//   ready      the Deployment available with every replica, the Service's load balancer address
//              written, and requests through it answered (several in a row, sent from the load's
//              first source address when it has some)
//   rollout    from the change to the moment no pod of an old template is left (the last old pod
//              exited and its object is gone) and every replica of the new one is available
//   clients    the client addresses the app saw: demo-app logs "first request from IP" per
//              address (probes aside), read back from the pods' logs in the data dir
//
// Blocking; every wait is bounded by `deadline`. The cluster is shut down gracefully at the end
// (every pod terminated), whatever happened.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/object.h"
#include "base/status.h"
#include "runtime/clock.h"
#include "server/cluster_config.h"
#include "traffic/load_options.h"
#include "traffic/report.h"

namespace nodrop::server {

struct RolloutScenario {
  ClusterConfig config;              // data_dir: a directory the scenario may create and fill
  std::vector<api::Object> objects;  // applied first
  std::string namespace_name = "default";
  std::string deployment;           // the Deployment rolled
  std::string service;              // the LoadBalancer Service the load goes through
  std::vector<api::Object> change;  // applied under load: the new template
  traffic::LoadOptions load;        // the target is filled in with the load balancer's address
  runtime::Duration before = std::chrono::seconds(1);  // load before the change
  runtime::Duration settle = std::chrono::seconds(1);  // load after the rollout finished
  runtime::Duration deadline = std::chrono::seconds(90);
};

struct RolloutOutcome {
  traffic::Report report;
  runtime::Duration rollout{};
  std::set<std::string> client_addresses;
  std::string load_balancer;  // "127.0.4.1:80"
};

Result<RolloutOutcome> run_rollout_scenario(const RolloutScenario& scenario);

}  // namespace nodrop::server
