// The "cloud": a front load balancer for every LoadBalancer Service, and the cloud controller that
// keeps it in step with the cluster (Kubernetes' service controller with a cloud provider).
//
// Each LoadBalancer Service gets an address of its own from the configured range (the lowest
// free one, kept while the Service exists, as MetalLB hands them out), and a listener per TCP port
// on <address>:<port>. Once every port listens, the address is written to
// status.loadBalancer.ingress[0].ip. The load balancer is L4 (profile nodrop: L7 on HTTP ports) and
// passes the client's address on (it connects onward from it), so a Local node proxy and an ENI pod
// see the real client.
//
//   backends     Cluster: every Ready node's nodePort.
//                Local:   the same, minus the nodes whose healthCheckNodePort does not answer 200:
//                         checked every health-check interval, a node's verdict flips after the
//                         healthy (unhealthy) threshold of results in a row; it starts unhealthy.
//                ENI (annotation service.beta.kubernetes.io/backend-type: eni): the ready pods
//                         themselves, at their target ports, with no node hop.
//   timing       A change of the backend list (a node, or for ENI an endpoint) reaches the load
//                balancer after the profile's API latency, in order; health verdicts apply at once
//                (the balancer's own checks).
//   removal      A backend that leaves (deregistered or unhealthy) has its connections cut at once,
//                unless connection draining is on for the Service (annotations
//                ...-connection-drain: "on" and ...-connection-drain-timeout: "<10-900 s>"): then
//                they may go on that long.
//
// Events: EnsuringLoadBalancer / EnsuredLoadBalancer / SyncLoadBalancerFailed as Kubernetes'
// service controller records them, and BackendsApplied each time a listener's backends change.
//
// Not thread-safe: runs on the cluster's loop.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "runtime/event_loop.h"
#include "server/cluster_config.h"
#include "server/data_plane.h"
#include "store/event_recorder.h"
#include "store/informer.h"
#include "store/store.h"

namespace nodrop::server {

struct LoadBalancerPorts {
  runtime::EventLoop& loop;
  store::Store& store;
  store::EventRecorder& events;
  store::Informer& services;
  store::Informer& nodes;
  store::Informer& endpoint_slices;
  DataPlane& data_plane;
};

struct LoadBalancerOptions {
  AddressRange addresses;  // where each LoadBalancer Service's address comes from
  runtime::Duration api_latency{};
  runtime::Duration health_check_interval = std::chrono::seconds(2);
  int healthy_threshold = 3;
  int unhealthy_threshold = 3;
  // Profile nodrop: HTTP ports are balanced as HTTP (requests, not connections, move off a
  // backend that leaves), with nodrop's retry and hold, and a backend that leaves keeps its
  // connections until they end (the drain gate holds its pod until then). Profile kubernetes: a
  // cloud L4 balancer, with its connection draining if the Service's annotations turn it on.
  bool http_ports_l7 = false;
  proxy::RetryPolicy retry = proxy::RetryPolicy::kubernetes();
  proxy::HoldPolicy hold = proxy::HoldPolicy::kubernetes();
  bool keep_removed_connections = false;
};

class LoadBalancers {
 public:
  static constexpr const char* kControllerComponent = "service-controller";
  static constexpr const char* kBalancerComponent = "load-balancer";
  static constexpr auto kRetryPeriod = std::chrono::seconds(5);
  static constexpr auto kIdleTimeout = std::chrono::seconds(900);  // a cloud L4 balancer's

  LoadBalancers(LoadBalancerPorts ports, LoadBalancerOptions options);
  ~LoadBalancers();
  LoadBalancers(const LoadBalancers&) = delete;
  LoadBalancers& operator=(const LoadBalancers&) = delete;

  void start();
  // Closes every listener; nothing changes after this.
  void stop();

  // The address held for a Service ("namespace/name"); nullopt if none.
  std::optional<Ipv4Address> address_of(const std::string& service_key) const;

 private:
  struct Backend {
    Ipv4Endpoint address;
    std::string node_name;  // the node, or the pod's node for ENI
    bool operator==(const Backend&) const = default;
  };
  struct Port {
    std::unique_ptr<DataPlaneListener> listener;
    std::int32_t service_port = 0;
    std::int32_t node_port = 0;
    std::string name;
    std::vector<Backend> registered;  // as the cloud API has applied it
    std::vector<proxy::Endpoint> table;
  };
  struct HealthCheck {
    Ipv4Endpoint address;  // <node>:<healthCheckNodePort>
    std::optional<runtime::ProbeId> in_flight;
    int successes = 0;
    int failures = 0;
    bool healthy = false;
  };
  struct Balancer {
    std::string uid;
    Ipv4Address address{};
    bool ensured = false;
    std::string failure;
    std::optional<int> drain_seconds;
    std::map<std::string, Port> ports;          // by port name (or number)
    std::map<std::string, HealthCheck> health;  // by node name (Local only)
    std::optional<runtime::TimerId> health_timer;
  };

  void schedule_sync();
  void sync();
  void sync_service(const api::Service& service);
  void remove(const std::string& key);
  std::vector<Backend> wanted_backends(const api::Service& service, const api::ServicePort& port,
                                       std::int32_t node_port) const;
  void register_backends(const std::string& key, const std::string& port,
                         std::vector<Backend> backends);
  void apply(const std::string& key);
  void check_health(const std::string& key);
  void write_status(const api::Service& service, const Balancer& balancer);
  std::optional<Ipv4Address> allocate_address();

  LoadBalancerPorts ports_;
  const LoadBalancerOptions options_;
  bool stopped_ = false;
  bool sync_posted_ = false;
  std::optional<runtime::TimerId> retry_timer_;
  std::map<std::string, Balancer> balancers_;  // "namespace/name"
  // Backend lists the cloud API has accepted and not yet applied: (service, port) -> the latest.
  std::map<std::pair<std::string, std::string>, std::vector<Backend>> requested_;
  std::set<Ipv4Address> used_addresses_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace nodrop::server
