#include "manifest/encode.h"

#include "manifest/yaml_reader.h"

namespace nodrop::manifest {
namespace {

// A mapping under construction that skips empty values.
class MapBuilder {
 public:
  MapBuilder() : node_(Node::mapping()) {}

  MapBuilder& str(const char* key, const std::string& value) {
    if (!value.empty()) node_.set(key, Node::string(value));
    return *this;
  }
  MapBuilder& optional_str(const char* key, const std::optional<std::string>& value) {
    if (value.has_value()) node_.set(key, Node::string(*value));
    return *this;
  }
  MapBuilder& integer(const char* key, std::int64_t value) {
    if (value != 0) node_.set(key, Node::integer(value));
    return *this;
  }
  template <typename Int>
  MapBuilder& optional_integer(const char* key, const std::optional<Int>& value) {
    if (value.has_value()) node_.set(key, Node::integer(*value));
    return *this;
  }
  MapBuilder& boolean(const char* key, bool value) {
    if (value) node_.set(key, Node::boolean(true));
    return *this;
  }
  MapBuilder& optional_boolean(const char* key, const std::optional<bool>& value) {
    if (value.has_value()) node_.set(key, Node::boolean(*value));
    return *this;
  }
  MapBuilder& int_or_string(const char* key, const std::optional<api::IntOrString>& value) {
    if (!value.has_value()) return *this;
    node_.set(key, value->is_string() ? Node::string(value->string_value())
                                      : Node::integer(value->int_value()));
    return *this;
  }
  MapBuilder& strings(const char* key, const std::vector<std::string>& values) {
    if (values.empty()) return *this;
    Node list = Node::sequence();
    for (const std::string& value : values) list.push(Node::string(value));
    node_.set(key, std::move(list));
    return *this;
  }
  MapBuilder& string_map(const char* key, const api::Labels& values) {
    if (values.empty()) return *this;
    Node map = Node::mapping();
    for (const auto& [name, value] : values) map.set(name, Node::string(value));
    node_.set(key, std::move(map));
    return *this;
  }
  MapBuilder& time(const char* key, const std::optional<WallTime>& value) {
    if (value.has_value()) node_.set(key, Node::string(format_rfc3339(*value)));
    return *this;
  }
  // Sets key to node unless node is an empty mapping.
  MapBuilder& child(const char* key, Node node) {
    if (!(node.is_mapping() && node.entries().empty())) node_.set(key, std::move(node));
    return *this;
  }
  MapBuilder& always(const char* key, Node node) {
    node_.set(key, std::move(node));
    return *this;
  }
  template <typename T, typename Encode>
  MapBuilder& list(const char* key, const std::vector<T>& values, Encode&& encode) {
    if (values.empty()) return *this;
    Node list = Node::sequence();
    for (const T& value : values) list.push(encode(value));
    node_.set(key, std::move(list));
    return *this;
  }

  // The fields nodrop keeps without acting on, as they were given.
  MapBuilder& preserved(const api::PreservedFields& fields) {
    for (const auto& [key, json] : fields.fields) {
      YamlDocuments parsed = read_yaml_stream(json);
      if (parsed && parsed->size() == 1) node_.set(key, std::move((*parsed)[0].root));
    }
    return *this;
  }

  Node build() { return std::move(node_); }

 private:
  Node node_;
};

Node encode_object_reference(const api::ObjectReference& reference) {
  return MapBuilder()
      .str("apiVersion", reference.api_version)
      .str("kind", reference.kind)
      .str("namespace", reference.namespace_name)
      .str("name", reference.name)
      .str("uid", reference.uid)
      .str("resourceVersion", reference.resource_version)
      .str("fieldPath", reference.field_path)
      .build();
}

Node encode_meta(const api::ObjectMeta& meta) {
  return MapBuilder()
      .str("name", meta.name)
      .str("generateName", meta.generate_name)
      .str("namespace", meta.namespace_name)
      .str("uid", meta.uid)
      .str("resourceVersion", meta.resource_version)
      .integer("generation", meta.generation)
      .time("creationTimestamp", meta.creation_timestamp)
      .time("deletionTimestamp", meta.deletion_timestamp)
      .optional_integer("deletionGracePeriodSeconds", meta.deletion_grace_period_seconds)
      .string_map("labels", meta.labels)
      .string_map("annotations", meta.annotations)
      .list("ownerReferences", meta.owner_references,
            [](const api::OwnerReference& reference) {
              return MapBuilder()
                  .str("apiVersion", reference.api_version)
                  .str("kind", reference.kind)
                  .str("name", reference.name)
                  .str("uid", reference.uid)
                  .boolean("controller", reference.controller)
                  .boolean("blockOwnerDeletion", reference.block_owner_deletion)
                  .build();
            })
      .strings("finalizers", meta.finalizers)
      .build();
}

Node encode_selector(const api::LabelSelector& selector) {
  return MapBuilder()
      .string_map("matchLabels", selector.match_labels)
      .list("matchExpressions", selector.match_expressions,
            [](const api::LabelSelectorRequirement& requirement) {
              return MapBuilder()
                  .str("key", requirement.key)
                  .str("operator", api::selector_operator_name(requirement.op))
                  .strings("values", requirement.values)
                  .build();
            })
      .build();
}

Node encode_condition(const api::Condition& condition) {
  return MapBuilder()
      .str("type", condition.type)
      .str("status", api::condition_status_name(condition.status))
      .time("lastProbeTime", condition.last_probe_time)
      .time("lastUpdateTime", condition.last_update_time)
      .time("lastTransitionTime", condition.last_transition_time)
      .str("reason", condition.reason)
      .str("message", condition.message)
      .build();
}

Node encode_handler(const api::Handler& handler) {
  MapBuilder out;
  if (handler.exec.has_value())
    out.always("exec", MapBuilder().strings("command", handler.exec->command).build());
  if (handler.http_get.has_value()) {
    const api::HttpGetAction& http = *handler.http_get;
    out.always("httpGet", MapBuilder()
                              .str("path", http.path)
                              .int_or_string("port", http.port)
                              .str("host", http.host)
                              .str("scheme", http.scheme)
                              .list("httpHeaders", http.http_headers,
                                    [](const api::HttpHeader& header) {
                                      return MapBuilder()
                                          .str("name", header.name)
                                          .always("value", Node::string(header.value))
                                          .build();
                                    })
                              .build());
  }
  if (handler.tcp_socket.has_value()) {
    out.always("tcpSocket", MapBuilder()
                                .int_or_string("port", handler.tcp_socket->port)
                                .str("host", handler.tcp_socket->host)
                                .build());
  }
  if (handler.grpc.has_value()) {
    out.always("grpc", MapBuilder()
                           .always("port", Node::integer(handler.grpc->port))
                           .optional_str("service", handler.grpc->service)
                           .build());
  }
  if (handler.sleep.has_value()) {
    out.always("sleep",
               MapBuilder().always("seconds", Node::integer(handler.sleep->seconds)).build());
  }
  return out.build();
}

Node encode_key_selector(const api::KeySelector& selector) {
  return MapBuilder()
      .str("name", selector.name)
      .str("key", selector.key)
      .optional_boolean("optional", selector.optional)
      .build();
}

Node encode_env_source_reference(const api::EnvSourceReference& reference) {
  return MapBuilder()
      .str("name", reference.name)
      .optional_boolean("optional", reference.optional)
      .build();
}

Node encode_probe(const api::Probe& probe) {
  Node node = encode_handler(probe.handler);
  MapBuilder timing;
  timing.integer("initialDelaySeconds", probe.initial_delay_seconds)
      .integer("timeoutSeconds", probe.timeout_seconds)
      .integer("periodSeconds", probe.period_seconds)
      .integer("successThreshold", probe.success_threshold)
      .integer("failureThreshold", probe.failure_threshold)
      .optional_integer("terminationGracePeriodSeconds", probe.termination_grace_period_seconds);
  Node timing_node = timing.build();
  for (Node::Entry& entry : timing_node.entries()) node.set(entry.key, std::move(entry.value));
  return node;
}

Node encode_container(const api::Container& container) {
  MapBuilder out;
  out.str("name", container.name)
      .str("image", container.image)
      .strings("command", container.command)
      .strings("args", container.args)
      .str("workingDir", container.working_dir)
      .list("ports", container.ports,
            [](const api::ContainerPort& port) {
              return MapBuilder()
                  .str("name", port.name)
                  .integer("containerPort", port.container_port)
                  .integer("hostPort", port.host_port)
                  .str("protocol", port.protocol)
                  .build();
            })
      .list("envFrom", container.env_from,
            [](const api::EnvFromSource& source) {
              MapBuilder item;
              item.str("prefix", source.prefix);
              if (source.config_map_ref.has_value()) {
                item.always("configMapRef", encode_env_source_reference(*source.config_map_ref));
              }
              if (source.secret_ref.has_value()) {
                item.always("secretRef", encode_env_source_reference(*source.secret_ref));
              }
              return item.build();
            })
      .list("env", container.env,
            [](const api::EnvVar& variable) {
              MapBuilder env;
              env.str("name", variable.name).str("value", variable.value);
              MapBuilder value_from;
              if (variable.field_ref.has_value()) {
                value_from.always("fieldRef",
                                  MapBuilder()
                                      .str("apiVersion", variable.field_ref->api_version)
                                      .str("fieldPath", variable.field_ref->field_path)
                                      .build());
              }
              if (variable.config_map_key_ref.has_value()) {
                value_from.always("configMapKeyRef",
                                  encode_key_selector(*variable.config_map_key_ref));
              }
              if (variable.secret_key_ref.has_value()) {
                value_from.always("secretKeyRef", encode_key_selector(*variable.secret_key_ref));
              }
              value_from.preserved(variable.value_from_preserved);
              env.child("valueFrom", value_from.build());
              return env.build();
            })
      .str("restartPolicy", container.restart_policy);
  if (container.liveness_probe.has_value())
    out.always("livenessProbe", encode_probe(*container.liveness_probe));
  if (container.readiness_probe.has_value())
    out.always("readinessProbe", encode_probe(*container.readiness_probe));
  if (container.startup_probe.has_value())
    out.always("startupProbe", encode_probe(*container.startup_probe));
  if (container.lifecycle.has_value()) {
    MapBuilder lifecycle;
    if (container.lifecycle->post_start.has_value())
      lifecycle.always("postStart", encode_handler(*container.lifecycle->post_start));
    if (container.lifecycle->pre_stop.has_value())
      lifecycle.always("preStop", encode_handler(*container.lifecycle->pre_stop));
    out.always("lifecycle", lifecycle.build());
  }
  out.str("imagePullPolicy", container.image_pull_policy)
      .str("terminationMessagePath", container.termination_message_path)
      .str("terminationMessagePolicy", container.termination_message_policy)
      .preserved(container.preserved);
  return out.build();
}

Node encode_node_selector_term(const api::NodeSelectorTerm& term) {
  auto requirement = [](const api::NodeSelectorRequirement& value) {
    return MapBuilder()
        .str("key", value.key)
        .str("operator", api::node_selector_operator_name(value.op))
        .strings("values", value.values)
        .build();
  };
  return MapBuilder()
      .list("matchExpressions", term.match_expressions, requirement)
      .list("matchFields", term.match_fields, requirement)
      .build();
}

Node encode_pod_spec(const api::PodSpec& spec) {
  MapBuilder out;
  out.list("initContainers", spec.init_containers, encode_container)
      .list("containers", spec.containers, encode_container)
      .str("restartPolicy", spec.restart_policy)
      .optional_integer("terminationGracePeriodSeconds", spec.termination_grace_period_seconds)
      .str("dnsPolicy", spec.dns_policy)
      .string_map("nodeSelector", spec.node_selector)
      .str("nodeName", spec.node_name)
      .str("schedulerName", spec.scheduler_name)
      .optional_boolean("enableServiceLinks", spec.enable_service_links);
  MapBuilder affinity_out;
  if (spec.affinity.has_value() && spec.affinity->node_affinity.has_value()) {
    const api::NodeAffinity& affinity = *spec.affinity->node_affinity;
    MapBuilder node_affinity;
    if (affinity.required_terms.has_value()) {
      Node terms = Node::sequence();
      for (const auto& term : *affinity.required_terms) terms.push(encode_node_selector_term(term));
      node_affinity.always("requiredDuringSchedulingIgnoredDuringExecution",
                           MapBuilder().always("nodeSelectorTerms", std::move(terms)).build());
    }
    node_affinity.list("preferredDuringSchedulingIgnoredDuringExecution", affinity.preferred,
                       [](const api::PreferredSchedulingTerm& term) {
                         return MapBuilder()
                             .integer("weight", term.weight)
                             .always("preference", encode_node_selector_term(term.preference))
                             .build();
                       });
    affinity_out.always("nodeAffinity", node_affinity.build());
  }
  if (spec.affinity.has_value()) {
    affinity_out.preserved(spec.affinity->preserved);
    out.always("affinity", affinity_out.build());
  }
  out.preserved(spec.preserved);
  return out.build();
}

Node encode_template(const api::PodTemplateSpec& template_spec) {
  return MapBuilder()
      .always("metadata", encode_meta(template_spec.metadata))
      .always("spec", encode_pod_spec(template_spec.spec))
      .build();
}

Node encode_container_state(const api::ContainerState& state) {
  MapBuilder out;
  if (state.waiting.has_value()) {
    out.always("waiting", MapBuilder()
                              .str("reason", state.waiting->reason)
                              .str("message", state.waiting->message)
                              .build());
  }
  if (state.running.has_value())
    out.always("running", MapBuilder().time("startedAt", state.running->started_at).build());
  if (state.terminated.has_value()) {
    const api::ContainerStateTerminated& terminated = *state.terminated;
    out.always("terminated", MapBuilder()
                                 .always("exitCode", Node::integer(terminated.exit_code))
                                 .integer("signal", terminated.signal)
                                 .str("reason", terminated.reason)
                                 .str("message", terminated.message)
                                 .time("startedAt", terminated.started_at)
                                 .time("finishedAt", terminated.finished_at)
                                 .build());
  }
  return out.build();
}

Node encode(const api::Deployment& deployment) {
  const api::DeploymentSpec& spec = deployment.spec;
  MapBuilder strategy;
  strategy.str("type", api::strategy_type_name(spec.strategy.type));
  if (spec.strategy.rolling_update.has_value()) {
    strategy.always(
        "rollingUpdate",
        MapBuilder()
            .int_or_string("maxUnavailable", spec.strategy.rolling_update->max_unavailable)
            .int_or_string("maxSurge", spec.strategy.rolling_update->max_surge)
            .build());
  }
  MapBuilder spec_node;
  spec_node.optional_integer("replicas", spec.replicas);
  if (spec.has_selector) spec_node.always("selector", encode_selector(spec.selector));
  spec_node.always("template", encode_template(spec.template_spec))
      .always("strategy", strategy.build())
      .integer("minReadySeconds", spec.min_ready_seconds)
      .optional_integer("revisionHistoryLimit", spec.revision_history_limit)
      .boolean("paused", spec.paused)
      .optional_integer("progressDeadlineSeconds", spec.progress_deadline_seconds);
  const api::DeploymentStatus& status = deployment.status;
  return MapBuilder()
      .always("metadata", encode_meta(deployment.metadata))
      .always("spec", spec_node.build())
      .child("status", MapBuilder()
                           .integer("observedGeneration", status.observed_generation)
                           .integer("replicas", status.replicas)
                           .integer("updatedReplicas", status.updated_replicas)
                           .integer("readyReplicas", status.ready_replicas)
                           .integer("availableReplicas", status.available_replicas)
                           .integer("unavailableReplicas", status.unavailable_replicas)
                           .list("conditions", status.conditions, encode_condition)
                           .optional_integer("collisionCount", status.collision_count)
                           .build())
      .build();
}

Node encode(const api::ReplicaSet& replica_set) {
  const api::ReplicaSetSpec& spec = replica_set.spec;
  MapBuilder spec_node;
  spec_node.optional_integer("replicas", spec.replicas)
      .integer("minReadySeconds", spec.min_ready_seconds);
  if (spec.has_selector) spec_node.always("selector", encode_selector(spec.selector));
  spec_node.always("template", encode_template(spec.template_spec));
  const api::ReplicaSetStatus& status = replica_set.status;
  return MapBuilder()
      .always("metadata", encode_meta(replica_set.metadata))
      .always("spec", spec_node.build())
      .child("status", MapBuilder()
                           .integer("replicas", status.replicas)
                           .integer("fullyLabeledReplicas", status.fully_labeled_replicas)
                           .integer("readyReplicas", status.ready_replicas)
                           .integer("availableReplicas", status.available_replicas)
                           .integer("observedGeneration", status.observed_generation)
                           .list("conditions", status.conditions, encode_condition)
                           .build())
      .build();
}

Node encode_container_status(const api::ContainerStatus& container) {
  return MapBuilder()
      .str("name", container.name)
      .child("state", encode_container_state(container.state))
      .child("lastState", encode_container_state(container.last_state))
      .always("ready", Node::boolean(container.ready))
      .optional_boolean("started", container.started)
      .always("restartCount", Node::integer(container.restart_count))
      .str("image", container.image)
      .str("containerID", container.container_id)
      .build();
}

Node encode(const api::Pod& pod) {
  const api::PodStatus& status = pod.status;
  return MapBuilder()
      .always("metadata", encode_meta(pod.metadata))
      .always("spec", encode_pod_spec(pod.spec))
      .child("status",
             MapBuilder()
                 .str("phase", api::pod_phase_name(status.phase))
                 .list("conditions", status.conditions, encode_condition)
                 .str("message", status.message)
                 .str("reason", status.reason)
                 .str("hostIP", status.host_ip)
                 .str("podIP", status.pod_ip)
                 .time("startTime", status.start_time)
                 .list("initContainerStatuses", status.init_container_statuses,
                       encode_container_status)
                 .list("containerStatuses", status.container_statuses, encode_container_status)
                 .build())
      .build();
}

Node encode(const api::Service& service) {
  const api::ServiceSpec& spec = service.spec;
  return MapBuilder()
      .always("metadata", encode_meta(service.metadata))
      .always("spec", MapBuilder()
                          .str("type", spec.type)
                          .string_map("selector", spec.selector)
                          .list("ports", spec.ports,
                                [](const api::ServicePort& port) {
                                  return MapBuilder()
                                      .str("name", port.name)
                                      .str("protocol", port.protocol)
                                      .integer("port", port.port)
                                      .int_or_string("targetPort", port.target_port)
                                      .integer("nodePort", port.node_port)
                                      .str("appProtocol", port.app_protocol)
                                      .build();
                                })
                          .str("clusterIP", spec.cluster_ip)
                          .str("externalTrafficPolicy", spec.external_traffic_policy)
                          .str("internalTrafficPolicy", spec.internal_traffic_policy)
                          .integer("healthCheckNodePort", spec.health_check_node_port)
                          .str("sessionAffinity", spec.session_affinity)
                          .boolean("publishNotReadyAddresses", spec.publish_not_ready_addresses)
                          .str("loadBalancerIP", spec.load_balancer_ip)
                          .strings("externalIPs", spec.external_ips)
                          .optional_boolean("allocateLoadBalancerNodePorts",
                                            spec.allocate_load_balancer_node_ports)
                          .preserved(spec.preserved)
                          .build())
      .child("status",
             MapBuilder()
                 .child("loadBalancer", MapBuilder()
                                            .list("ingress", service.status.load_balancer_ingress,
                                                  [](const api::LoadBalancerIngress& ingress) {
                                                    return MapBuilder()
                                                        .str("ip", ingress.ip)
                                                        .str("hostname", ingress.hostname)
                                                        .build();
                                                  })
                                            .build())
                 .build())
      .build();
}

Node encode(const api::EndpointSlice& slice) {
  return MapBuilder()
      .always("metadata", encode_meta(slice.metadata))
      .str("addressType", slice.address_type)
      .always(
          "endpoints",
          [&] {
            Node list = Node::sequence();
            for (const api::Endpoint& endpoint : slice.endpoints) {
              list.push(
                  MapBuilder()
                      .strings("addresses", endpoint.addresses)
                      .always("conditions",
                              MapBuilder()
                                  .optional_boolean("ready", endpoint.conditions.ready)
                                  .optional_boolean("serving", endpoint.conditions.serving)
                                  .optional_boolean("terminating", endpoint.conditions.terminating)
                                  .build())
                      .str("nodeName", endpoint.node_name)
                      .child("targetRef", endpoint.target_ref.has_value()
                                              ? encode_object_reference(*endpoint.target_ref)
                                              : Node::mapping())
                      .build());
            }
            return list;
          }())
      .list("ports", slice.ports,
            [](const api::EndpointPort& port) {
              return MapBuilder()
                  .optional_str("name", port.name)
                  .optional_str("protocol", port.protocol)
                  .optional_integer("port", port.port)
                  .optional_str("appProtocol", port.app_protocol)
                  .build();
            })
      .build();
}

Node encode(const api::Node& node) {
  return MapBuilder()
      .always("metadata", encode_meta(node.metadata))
      .child("spec", MapBuilder().boolean("unschedulable", node.spec.unschedulable).build())
      .child("status", MapBuilder()
                           .list("addresses", node.status.addresses,
                                 [](const api::NodeAddress& address) {
                                   return MapBuilder()
                                       .str("type", address.type)
                                       .str("address", address.address)
                                       .build();
                                 })
                           .list("conditions", node.status.conditions, encode_condition)
                           .build())
      .build();
}

Node encode(const api::Event& event) {
  MapBuilder out;
  out.always("metadata", encode_meta(event.metadata))
      .always("involvedObject", encode_object_reference(event.involved_object))
      .str("reason", event.reason)
      .str("message", event.message)
      .str("type", api::event_type_name(event.type))
      .child("source", MapBuilder()
                           .str("component", event.source.component)
                           .str("host", event.source.host)
                           .build())
      .time("firstTimestamp", event.first_timestamp)
      .time("lastTimestamp", event.last_timestamp)
      .integer("count", event.count);
  if (event.event_time) out.str("eventTime", format_rfc3339_micro(*event.event_time));
  return out.str("reportingComponent", event.reporting_component)
      .str("reportingInstance", event.reporting_instance)
      .build();
}

Node encode(const api::ConfigMap& config_map) {
  MapBuilder out;
  out.always("metadata", encode_meta(config_map.metadata))
      .string_map("data", config_map.data)
      .string_map("binaryData", config_map.binary_data);
  return out.optional_boolean("immutable", config_map.immutable).build();
}

Node encode(const api::Secret& secret) {
  return MapBuilder()
      .always("metadata", encode_meta(secret.metadata))
      .str("type", secret.type)
      .string_map("data", secret.data)
      .optional_boolean("immutable", secret.immutable)
      .build();
}

Node encode(const api::ServiceAccount& account) {
  return MapBuilder()
      .always("metadata", encode_meta(account.metadata))
      .preserved(account.preserved)
      .build();
}

}  // namespace

Node encode_object(const api::Object& object) {
  Node body = std::visit([](const auto& typed) { return encode(typed); }, object);
  Node out = Node::mapping();
  out.set("apiVersion", Node::string(api::api_version_of(object)));
  out.set("kind", Node::string(api::kind_of(object)));
  for (Node::Entry& entry : body.entries()) out.set(entry.key, std::move(entry.value));
  return out;
}

}  // namespace nodrop::manifest
