// One rolling update under traffic, measured end to end with real processes: a cluster is started
// (LiveCluster, on a thread of its own), the manifests applied, steady load sent through a
// LoadBalancer Service's front load balancer, the Deployment's template changed while the load
// runs, and the load kept on until a settle time after the rollout finished. The loss scenarios'
// tests and the demo run it.
//
//   ready      the Deployment available with every replica, the Service's load balancer address
//              written, and requests through it answered (several in a row, sent from the load's
//              first source address when it has some)
//   rollout    from a change to the moment no pod of an old template is left (the last old pod
//              exited and its object is gone) and every replica of the new one is available;
//              several changes roll one after the other, each once the last finished
//   complete   from a change to the Deployment's status saying what `kubectl rollout status`
//              waits for (old pods may still be terminating)
//   disruption a task run under load before the changes (a pod killed), then `settle` of load
//   clients    the client addresses the app saw: demo-app logs "first request from IP" per
//              address (probes aside), read back from the pods' logs in the data dir
//
// Blocking; every wait is bounded by `deadline`. The cluster is shut down gracefully at the end
// (every pod terminated), whatever happened.
#pragma once

#include <functional>
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

class LiveCluster;

struct RolloutScenario {
  ClusterConfig config;              // data_dir: a directory the scenario may create and fill
  std::vector<api::Object> objects;  // applied first
  std::string namespace_name = "default";
  std::string deployment;  // the Deployment rolled
  std::string service;     // the LoadBalancer Service the load goes through
  // Applied under load, one after the other, each once the rollout of the last finished: the new
  // templates.
  std::vector<std::vector<api::Object>> changes;
  // Run under load (on the calling thread) after `before`, ahead of the changes; its Status ends
  // the scenario when not ok.
  std::function<Status(LiveCluster&)> disruption;
  traffic::LoadOptions load;  // the target is filled in with the load balancer's address
  runtime::Duration before = std::chrono::seconds(1);  // load before the change
  runtime::Duration settle = std::chrono::seconds(1);  // load after the rollout finished
  runtime::Duration deadline = std::chrono::seconds(90);
  // Called on the calling thread with each step ("rolling out: 2 of 3 updated and available, 4
  // pods in all"), a few times a second at most.
  std::function<void(const std::string&)> progress;
  // Polled while waiting: true ends the scenario (Unavailable "interrupted"), the cluster shut
  // down as at the end.
  std::function<bool()> cancelled;
};

struct RolloutOutcome {
  traffic::Report report;
  runtime::Duration rollout{};              // the first change's
  std::vector<runtime::Duration> rollouts;  // each change's, in order
  // From each change to the moment `kubectl rollout status` would call it complete (every new
  // replica available), before the old pods have exited.
  std::vector<runtime::Duration> completes;
  std::set<std::string> client_addresses;
  std::string load_balancer;       // "127.0.4.1:80"
  std::vector<api::Event> events;  // what the cluster recorded, read before it was shut down
};

Result<RolloutOutcome> run_rollout_scenario(const RolloutScenario& scenario);

// Calls `visit` with each line of every pod's log under the data dir (its "pods" directory).
void for_each_pod_log_line(const std::string& data_dir,
                           const std::function<void(const std::string&)>& visit);

// A cluster configuration whose addresses all lie in 127.0.<block>.0/24 (nodes .1-.9, load
// balancers .10-.19, clusterIPs .20-.29, pods .32-.254), so scenarios can run side by side, with
// the demo-app image mapped to the program at demo_app_path (when empty, LiveCluster maps the one
// next to the running binary).
ClusterConfig scenario_cluster_config(int block, const std::string& data_dir,
                                      const std::string& demo_app_path);

}  // namespace nodrop::server
