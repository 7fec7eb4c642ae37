// kube-proxy for one node: for every NodePort and LoadBalancer Service, one listener per TCP port
// on <node address>:<nodePort>, routing to the Service's endpoints as the node's rules would
// (reference/k8s-semantics.md §4), and for LoadBalancer Services with externalTrafficPolicy Local
// the health check on <node address>:<healthCheckNodePort>.
//
// ClusterIPs: every Service with a clusterIP (of any type but ExternalName; not headless) is
// served on <clusterIP>:<port> for each TCP port. In Kubernetes every node has the same rules for
// them; on one host they would be the same listener on the same address, so one node proxy (the
// cluster gives the task to node-1's, NodeProxyOptions::serves_cluster_ips) serves them for the
// whole cluster, with the same profile policies as its nodePorts:
//
//   endpoints        every ready one in the cluster (else serving-terminating ones): the Cluster
//                    policy. internalTrafficPolicy Local is read as Cluster: a client on loopback
//                    (a pod or any program of the host) is on no node, so "the client's node" has
//                    no meaning here.
//   onward from      the client's address, as kube-proxy does not SNAT a pod's traffic to a
//                    ClusterIP: the app sees the calling pod (or 127.0.0.1 for the host).
//   no endpoint      reject (reset; 503 for an HTTP port in profile nodrop), as kube-proxy's
//                    REJECT rule for a Service without endpoints.
//
//   externalTrafficPolicy  endpoints                         onward from          no endpoint
//   Cluster                every ready one in the cluster    the node's address   reject (reset)
//                          (else serving-terminating ones)   (SNAT: the app sees
//                                                             the node)
//   Local                  this node's ready ones (else its  the client's address drop (the
//                          serving-terminating ones)         (the app sees it)    client times out)
//
// Every client of a nodePort counts as external: on loopback all traffic starts on this host.
//
// Timing: like kube-proxy, the node proxy applies changes at most once per minimum sync period (a
// change right after a sync waits out the rest of the period; one after a quiet spell is applied
// at once), all pending changes together. In the nodrop profile the period is zero. A nodePort
// this node cannot listen on (another program holds it) gives a Warning event on the Service; the
// rest keeps running and the port is tried again every kRetryListenPeriod.
//
// Each sync that changes what a listener routes to records a Normal event "EndpointsApplied" on
// the Service, naming the node and the pickable endpoints: the timeline of a rollout.
//
// Not thread-safe: runs on the cluster's loop.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "proxy/routing/hold_queue.h"
#include "proxy/routing/retry_policy.h"
#include "runtime/event_loop.h"
#include "server/data_plane.h"
#include "store/event_recorder.h"
#include "store/informer.h"

namespace nodrop::server {

struct NodeProxyPorts {
  runtime::EventLoop& loop;
  store::EventRecorder& events;
  store::Informer& services;
  store::Informer& endpoint_slices;
  DataPlane& data_plane;
};

struct NodeProxyOptions {
  std::string node_name;
  Ipv4Address node_address{};
  runtime::Duration min_sync_period{};
  // The nodrop profile: a port whose appProtocol is http, or whose name is http or http-*, is
  // proxied as HTTP (retries, hold, request-level draining); every other port is L4.
  bool http_ports_l7 = false;
  // This proxy also serves every Service's clusterIP (one node proxy of the cluster does).
  bool serves_cluster_ips = false;
  proxy::RetryPolicy retry = proxy::RetryPolicy::kubernetes();
  proxy::HoldPolicy hold = proxy::HoldPolicy::kubernetes();
};

class NodeProxy {
 public:
  static constexpr const char* kComponent = "kube-proxy";
  static constexpr auto kRetryListenPeriod = std::chrono::seconds(5);
  // An established connection outlives the removal of its endpoint, as a conntrack entry keeps a
  // flow going after its rule is gone (kube-proxy sets the established timeout to 24 h).
  static constexpr auto kEstablishedTimeout = std::chrono::hours(24);

  NodeProxy(NodeProxyPorts ports, NodeProxyOptions options);
  ~NodeProxy();
  NodeProxy(const NodeProxy&) = delete;
  NodeProxy& operator=(const NodeProxy&) = delete;

  // Hooks into the informers (which the cluster starts) and syncs once they have listed.
  void start();
  // Closes every listener and responder; no sync after this (node shutdown, cluster stop).
  void stop();

  const std::string& node_name() const { return options_.node_name; }
  std::uint64_t syncs() const { return syncs_; }

 private:
  struct Port {
    proxy::ProxyOptions options;
    std::unique_ptr<DataPlaneListener> listener;  // null while it cannot listen
    std::vector<proxy::Endpoint> endpoints;       // what the listener routes by
    std::string failure;                          // the last listen error, reported once
  };
  struct HealthCheck {
    Ipv4Endpoint address;
    std::unique_ptr<HealthCheckResponder> responder;
    int local_endpoints = 0;
    std::string failure;
  };

  void schedule_sync();
  void sync();
  void sync_port(const std::string& key, const api::Service& service, proxy::ProxyOptions options,
                 std::vector<proxy::Endpoint> endpoints);
  void sync_health_check(const api::Service& service, int local_endpoints);
  proxy::ProxyOptions port_options(const api::Service& service, const api::ServicePort& port) const;
  proxy::ProxyOptions cluster_ip_options(Ipv4Address cluster_ip,
                                         const api::ServicePort& port) const;

  NodeProxyPorts ports_;
  const NodeProxyOptions options_;
  bool stopped_ = false;
  std::optional<runtime::TimerId> sync_timer_;
  std::optional<runtime::Time> last_sync_;
  std::optional<runtime::TimerId> retry_timer_;
  std::uint64_t syncs_ = 0;
  // "namespace/name:port" (nodePorts), "clusterIP namespace/name:port" (clusterIPs)
  std::map<std::string, Port> ports_by_key_;
  std::map<std::string, HealthCheck> health_checks_;  // "namespace/name"
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace nodrop::server
