// core/v1 Service and Node, discovery.k8s.io/v1 EndpointSlice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/int_or_string.h"
#include "api/meta.h"

namespace nodrop::api {

struct ServicePort {
  std::string name;
  std::string protocol;  // defaulted to "TCP"
  std::int32_t port = 0;
  std::optional<IntOrString> target_port;  // defaulted to port
  std::int32_t node_port = 0;              // allocated for NodePort and LoadBalancer Services
  std::string app_protocol{};              // "http", "kubernetes.io/h2c", ...; empty: unknown
  bool operator==(const ServicePort&) const = default;
};

struct ServiceSpec {
  std::string type;  // ClusterIP (default), NodePort, LoadBalancer, ExternalName
  Labels selector;
  std::vector<ServicePort> ports;
  std::string cluster_ip;
  std::string external_traffic_policy;  // Cluster (default for NodePort/LoadBalancer) or Local
  std::string internal_traffic_policy;  // defaulted to Cluster
  std::int32_t health_check_node_port = 0;
  std::string session_affinity;  // defaulted to None
  bool publish_not_ready_addresses = false;
  std::string load_balancer_ip;
  std::vector<std::string> external_ips;
  std::optional<bool> allocate_load_balancer_node_ports;  // defaulted to true for LoadBalancer
  PreservedFields preserved{};  // sessionAffinityConfig, loadBalancerSourceRanges, ...
  bool operator==(const ServiceSpec&) const = default;
};

struct LoadBalancerIngress {
  std::string ip;
  std::string hostname;
  bool operator==(const LoadBalancerIngress&) const = default;
};

struct ServiceStatus {
  std::vector<LoadBalancerIngress> load_balancer_ingress;
  bool operator==(const ServiceStatus&) const = default;
};

struct Service {
  ObjectMeta metadata;
  ServiceSpec spec;
  ServiceStatus status;
  bool operator==(const Service&) const = default;
};

inline constexpr const char* kServiceTypeClusterIp = "ClusterIP";
inline constexpr const char* kServiceTypeNodePort = "NodePort";
inline constexpr const char* kServiceTypeLoadBalancer = "LoadBalancer";
inline constexpr const char* kServiceTypeExternalName = "ExternalName";
inline constexpr const char* kTrafficPolicyCluster = "Cluster";
inline constexpr const char* kTrafficPolicyLocal = "Local";
// Cloud annotation (Alibaba Cloud SLB) that makes the load balancer send straight to pod IPs.
inline constexpr const char* kBackendTypeAnnotation = "service.beta.kubernetes.io/backend-type";

struct EndpointConditions {
  std::optional<bool> ready;
  std::optional<bool> serving;
  std::optional<bool> terminating;
  bool operator==(const EndpointConditions&) const = default;
};

struct Endpoint {
  std::vector<std::string> addresses;
  EndpointConditions conditions;
  std::string node_name;
  std::optional<ObjectReference> target_ref;
  bool operator==(const Endpoint&) const = default;
};

struct EndpointPort {
  std::optional<std::string> name;
  std::optional<std::string> protocol;
  std::optional<std::int32_t> port;
  std::optional<std::string> app_protocol;
  bool operator==(const EndpointPort&) const = default;
};

struct EndpointSlice {
  ObjectMeta metadata;
  std::string address_type;  // IPv4
  std::vector<Endpoint> endpoints;
  std::vector<EndpointPort> ports;
  bool operator==(const EndpointSlice&) const = default;
};

inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";

struct NodeAddress {
  std::string type;  // InternalIP, Hostname
  std::string address;
  bool operator==(const NodeAddress&) const = default;
};

struct NodeSpec {
  bool unschedulable = false;
  bool operator==(const NodeSpec&) const = default;
};

struct NodeStatus {
  std::vector<NodeAddress> addresses;
  std::vector<Condition> conditions;
  bool operator==(const NodeStatus&) const = default;
};

struct Node {
  ObjectMeta metadata;
  NodeSpec spec;
  NodeStatus status;
  bool operator==(const Node&) const = default;
};

}  // namespace nodrop::api
