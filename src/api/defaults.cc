#include "api/defaults.h"

namespace nodrop::api {
namespace {

void default_namespace(ObjectMeta& metadata) {
  if (metadata.namespace_name.empty()) metadata.namespace_name = "default";
}

// pkg/apis/core/v1/defaults.go SetDefaults_Container: the pull policy follows the image's tag.
std::string default_pull_policy(const std::string& image) {
  if (image.find('@') != std::string::npos) return "IfNotPresent";  // pinned by digest
  const auto last_slash = image.rfind('/');
  const auto colon = image.rfind(':');
  const bool has_tag =
      colon != std::string::npos && (last_slash == std::string::npos || colon > last_slash);
  if (!has_tag || image.substr(colon + 1) == "latest") return "Always";
  return "IfNotPresent";
}

void set_http_get_defaults(HttpGetAction& action) {
  if (action.path.empty()) action.path = "/";
  if (action.scheme.empty()) action.scheme = "HTTP";
}

void set_handler_defaults(Handler& handler) {
  if (handler.http_get.has_value()) set_http_get_defaults(*handler.http_get);
}

void set_probe_defaults(std::optional<Probe>& probe) {
  if (!probe.has_value()) return;
  if (probe->timeout_seconds == 0) probe->timeout_seconds = 1;
  if (probe->period_seconds == 0) probe->period_seconds = 10;
  if (probe->success_threshold == 0) probe->success_threshold = 1;
  if (probe->failure_threshold == 0) probe->failure_threshold = 3;
  set_handler_defaults(probe->handler);
}

void set_container_defaults(Container& container) {
  if (container.image_pull_policy.empty()) {
    container.image_pull_policy = default_pull_policy(container.image);
  }
  if (container.termination_message_path.empty()) {
    container.termination_message_path = "/dev/termination-log";
  }
  if (container.termination_message_policy.empty()) container.termination_message_policy = "File";
  for (ContainerPort& port : container.ports) {
    if (port.protocol.empty()) port.protocol = "TCP";
  }
  for (EnvVar& variable : container.env) {
    if (variable.field_ref.has_value() && variable.field_ref->api_version.empty()) {
      variable.field_ref->api_version = "v1";
    }
  }
  set_probe_defaults(container.liveness_probe);
  set_probe_defaults(container.readiness_probe);
  set_probe_defaults(container.startup_probe);
  if (container.lifecycle.has_value()) {
    if (container.lifecycle->pre_stop.has_value())
      set_handler_defaults(*container.lifecycle->pre_stop);
    if (container.lifecycle->post_start.has_value()) {
      set_handler_defaults(*container.lifecycle->post_start);
    }
  }
}

}  // namespace

void set_defaults(PodSpec& spec) {
  if (spec.restart_policy.empty()) spec.restart_policy = "Always";
  if (!spec.termination_grace_period_seconds.has_value())
    spec.termination_grace_period_seconds = 30;
  if (spec.dns_policy.empty()) spec.dns_policy = "ClusterFirst";
  if (spec.scheduler_name.empty()) spec.scheduler_name = "default-scheduler";
  if (!spec.enable_service_links.has_value()) spec.enable_service_links = true;
  for (Container& container : spec.init_containers) set_container_defaults(container);
  for (Container& container : spec.containers) set_container_defaults(container);
}

void set_defaults(Deployment& deployment) {
  default_namespace(deployment.metadata);
  DeploymentSpec& spec = deployment.spec;
  if (!spec.replicas.has_value()) spec.replicas = 1;
  if (spec.strategy.type == DeploymentStrategyType::kRollingUpdate) {
    if (!spec.strategy.rolling_update.has_value()) spec.strategy.rolling_update.emplace();
    RollingUpdateDeployment& rolling = *spec.strategy.rolling_update;
    if (!rolling.max_unavailable.has_value())
      rolling.max_unavailable = IntOrString::from_string("25%");
    if (!rolling.max_surge.has_value()) rolling.max_surge = IntOrString::from_string("25%");
  }
  if (!spec.revision_history_limit.has_value()) spec.revision_history_limit = 10;
  if (!spec.progress_deadline_seconds.has_value()) spec.progress_deadline_seconds = 600;
  set_defaults(spec.template_spec.spec);
}

void set_defaults(ReplicaSet& replica_set) {
  default_namespace(replica_set.metadata);
  if (!replica_set.spec.replicas.has_value()) replica_set.spec.replicas = 1;
  set_defaults(replica_set.spec.template_spec.spec);
}

void set_defaults(Pod& pod) {
  default_namespace(pod.metadata);
  set_defaults(pod.spec);
}

void set_defaults(Service& service) {
  default_namespace(service.metadata);
  ServiceSpec& spec = service.spec;
  if (spec.type.empty()) spec.type = kServiceTypeClusterIp;
  if (spec.session_affinity.empty()) spec.session_affinity = "None";
  for (ServicePort& port : spec.ports) {
    if (port.protocol.empty()) port.protocol = "TCP";
    const bool target_unset = !port.target_port.has_value() ||
                              *port.target_port == IntOrString::from_int(0) ||
                              *port.target_port == IntOrString::from_string("");
    if (target_unset) port.target_port = IntOrString::from_int(port.port);
  }
  const bool external = spec.type == kServiceTypeNodePort || spec.type == kServiceTypeLoadBalancer;
  if (external && spec.external_traffic_policy.empty()) {
    spec.external_traffic_policy = kTrafficPolicyCluster;
  }
  if (spec.type != kServiceTypeExternalName && spec.internal_traffic_policy.empty()) {
    spec.internal_traffic_policy = kTrafficPolicyCluster;
  }
  if (spec.type == kServiceTypeLoadBalancer &&
      !spec.allocate_load_balancer_node_ports.has_value()) {
    spec.allocate_load_balancer_node_ports = true;
  }
}

void set_defaults(EndpointSlice& slice) {
  default_namespace(slice.metadata);
  for (EndpointPort& port : slice.ports) {
    if (!port.protocol.has_value()) port.protocol = "TCP";
    if (!port.name.has_value()) port.name = "";
  }
}

void set_defaults(Node& /*node*/) {}

void set_defaults(Event& event) {
  // The API server's defaulting: an event names the namespace of the object it is about.
  if (event.involved_object.namespace_name.empty() && !event.metadata.namespace_name.empty()) {
    event.involved_object.namespace_name = event.metadata.namespace_name;
  }
  if (event.count == 0) event.count = 1;
}

void set_defaults(ConfigMap&) {}

void set_defaults(Secret& secret) {
  if (secret.type.empty()) secret.type = "Opaque";
}

void set_defaults(ServiceAccount&) {}

void set_defaults(Object& object) {
  std::visit([](auto& typed) { set_defaults(typed); }, object);
}

}  // namespace nodrop::api
