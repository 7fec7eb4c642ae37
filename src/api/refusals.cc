#include "api/refusals.h"

namespace nodrop::api {

FieldError refuse_host_network(const FieldPath& path) {
  return forbidden(path,
                   "nodrop does not run pods in the host's network: every pod has its own "
                   "loopback address on this one host (its pod IP), and the app listens there; "
                   "remove hostNetwork");
}

FieldError refuse_host_port(const FieldPath& path) {
  return forbidden(path,
                   "nodrop does not open host ports: nodes are loopback addresses of one host, "
                   "not machines a port could be reached on; reach the pod through a Service "
                   "(NodePort or LoadBalancer) and remove hostPort");
}

FieldError refuse_privileged(const FieldPath& path) {
  return forbidden(path,
                   "nodrop runs a container as a process of the user who runs nodrop, without a "
                   "container runtime: there is no privileged mode to grant");
}

FieldError refuse_volume_type(const FieldPath& path, const std::string& type) {
  return forbidden(path, "nodrop does not mount " + type +
                             " volumes: pods are processes on one host with no storage of "
                             "their own; only emptyDir, configMap and secret volumes are accepted");
}

FieldError refuse_ipv6_only(const FieldPath& path) {
  return forbidden(path,
                   "nodrop serves IPv4 only: every pod, node, clusterIP and load balancer address "
                   "is a loopback address in 127.0.0.0/8; use IPv4 (or leave ipFamilies out)");
}

}  // namespace nodrop::api
