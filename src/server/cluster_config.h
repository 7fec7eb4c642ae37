// The cluster configuration: one YAML file of its own kind, read and validated like a manifest
// (file, line, field path; an unknown field is an error), every setting with a documented default.
//
//   apiVersion: nodrop.dev/v1alpha1
//   kind: ClusterConfiguration
//   nodes: 3                      # virtual nodes, each a kubelet on its own loopback address
//   dataDir: /var/lib/nodrop      # default: $XDG_STATE_HOME/nodrop, else ~/.local/state/nodrop
//   podReconnectTimeout: 30s      # how long the pods outlive a nodrop that died, waiting for the
//                                 # next one to adopt them (0s: they die with it)
//   profile: nodrop               # nodrop (default) or kubernetes (server/profile.h)
//   kubernetes:                   # the kubernetes profile's delays (docs/profiles.md has sources)
//     timeScale: 1.0              #   multiplies every delay below
//     endpointPublication: 200ms  #   pod change to its EndpointSlice written
//     proxySyncPeriod: 1s         #   slice change to a node proxy's rules (kube-proxy's minimum
//                                 #   sync period)
//     loadBalancerApiLatency: 3s  #   a change to the front load balancer's backends applied
//     healthCheckInterval: 2s     #   the front load balancer's health checks of nodes
//     healthyThreshold: 3         #   (Local Services), and how many in a row change a verdict
//     unhealthyThreshold: 3
//   images:                       # what a container without a command runs (node/image_map.h);
//   - image: "myapp:*"            #   the first matching pattern wins; nodrop's own demo-app
//     command: [/usr/local/bin/myapp]  # and nginx (node/nginx_image.h) images are mapped after
//     args: ["--port", "$(PORT)"] #   the listed ones
//     env: [{name: LISTEN, value: "$(POD_IP)"}]
//     stopSignal: SIGTERM         #   the image's STOPSIGNAL: SIGTERM (default), SIGQUIT, SIGINT
//   addresses:                    # disjoint ranges inside 127.0.0.0/8: CIDR or first-last
//     nodes: 127.0.1.0/24         # node-1 takes the first usable address, node-2 the next, ...
//     pods: 127.0.16.0/20         # each pod's status.podIP
//     loadBalancers: 127.0.4.0/24 # each LoadBalancer Service's ingress IP
//     clusterIPs: 127.0.5.0/24    # each ClusterIP Service's address
//
// Defaults keep every range apart from the others and from 127.0.0.1, so a cluster, the tests
// and the demo can each take their own.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "base/status.h"
#include "manifest/load.h"
#include "node/image_map.h"
#include "server/profile.h"

namespace nodrop::server {

struct ClusterConfig {
  static constexpr int kMaxNodes = 64;

  int nodes = 3;
  std::string data_dir;  // empty: default_data_dir()
  std::chrono::milliseconds pod_reconnect_timeout{30'000};
  Profile profile = Profile::kNodrop;
  KubernetesTiming kubernetes;
  AddressRange node_addresses;
  AddressRange pod_addresses;
  AddressRange load_balancer_addresses;
  AddressRange cluster_ip_addresses;
  std::vector<node::ImageMapping> images;

  static ClusterConfig defaults();
};

// $XDG_STATE_HOME/nodrop, else $HOME/.local/state/nodrop; empty when neither variable is set.
std::string default_data_dir(const std::string& xdg_state_home, const std::string& home);

struct ConfigResult {
  ClusterConfig config;
  std::vector<manifest::Diagnostic> diagnostics;  // errors: the file must not be used
  bool ok() const { return diagnostics.empty(); }
};

// Reads a configuration file; what it does not set keeps its default.
ConfigResult load_cluster_config(const std::string& path);
ConfigResult parse_cluster_config(const std::string& text, const std::string& file_name);
// The checks that span fields (disjoint ranges, enough node addresses), also for configurations
// changed by flags after reading.
std::vector<std::string> validate_cluster_config(const ClusterConfig& config);

}  // namespace nodrop::server
