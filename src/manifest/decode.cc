#include "manifest/decode.h"

#include <fmt/format.h>

#include <algorithm>

#include "api/refusals.h"
#include "base/strings.h"
#include "manifest/field_reader.h"

namespace nodrop::manifest {

int SourceMap::line_of(const std::string& path) const {
  std::string current = path;
  while (true) {
    const auto found = lines_.find(current);
    if (found != lines_.end()) return found->second;
    const auto cut = current.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) break;
    current.erase(cut);
  }
  const auto root = lines_.find("");
  return root == lines_.end() ? 0 : root->second;
}

namespace {

void decode_owner_reference(FieldReader& reader, api::OwnerReference& out) {
  reader.str("apiVersion", out.api_version);
  reader.str("kind", out.kind);
  reader.str("name", out.name);
  reader.str("uid", out.uid);
  std::optional<bool> controller;
  reader.optional_boolean("controller", controller);
  out.controller = controller.value_or(false);
  std::optional<bool> block;
  reader.optional_boolean("blockOwnerDeletion", block);
  out.block_owner_deletion = block.value_or(false);
}

void decode_object_reference(FieldReader& reader, api::ObjectReference& out) {
  reader.str("apiVersion", out.api_version);
  reader.str("kind", out.kind);
  reader.str("namespace", out.namespace_name);
  reader.str("name", out.name);
  reader.str("uid", out.uid);
  reader.str("resourceVersion", out.resource_version);
  reader.str("fieldPath", out.field_path);
}

void decode_meta(FieldReader& reader, api::ObjectMeta& out) {
  reader.str("name", out.name);
  reader.str("generateName", out.generate_name);
  reader.str("namespace", out.namespace_name);
  reader.str("uid", out.uid);
  reader.str("resourceVersion", out.resource_version);
  reader.integer("generation", out.generation);
  reader.time("creationTimestamp", out.creation_timestamp);
  reader.time("deletionTimestamp", out.deletion_timestamp);
  reader.optional_integer("deletionGracePeriodSeconds", out.deletion_grace_period_seconds);
  reader.string_map("labels", out.labels);
  reader.string_map("annotations", out.annotations);
  reader.list("ownerReferences", out.owner_references, decode_owner_reference);
  reader.strings("finalizers", out.finalizers);
  reader.ignore({"managedFields", "selfLink"});
}

api::SelectorOperator parse_selector_operator(FieldReader& reader, const std::string& text) {
  if (text == "In") return api::SelectorOperator::kIn;
  if (text == "NotIn") return api::SelectorOperator::kNotIn;
  if (text == "Exists") return api::SelectorOperator::kExists;
  if (text == "DoesNotExist") return api::SelectorOperator::kDoesNotExist;
  reader.context().errors.push_back(
      api::unsupported(reader.path("operator"), text, {"DoesNotExist", "Exists", "In", "NotIn"}));
  return api::SelectorOperator::kIn;
}

void decode_label_selector(FieldReader& reader, api::LabelSelector& out) {
  reader.string_map("matchLabels", out.match_labels);
  reader.list("matchExpressions", out.match_expressions,
              [](FieldReader& item, api::LabelSelectorRequirement& requirement) {
                item.str("key", requirement.key);
                std::string op;
                item.str("operator", op);
                requirement.op = parse_selector_operator(item, op);
                item.strings("values", requirement.values);
              });
}

void decode_condition(FieldReader& reader, api::Condition& out) {
  reader.str("type", out.type);
  std::string status;
  reader.str("status", status);
  out.status = status == "True"    ? api::ConditionStatus::kTrue
               : status == "False" ? api::ConditionStatus::kFalse
                                   : api::ConditionStatus::kUnknown;
  reader.str("reason", out.reason);
  reader.str("message", out.message);
  reader.time("lastUpdateTime", out.last_update_time);
  reader.time("lastTransitionTime", out.last_transition_time);
  reader.time("lastProbeTime", out.last_probe_time);
  reader.ignore({"observedGeneration"});
}

enum class HandlerUse { kProbe, kLifecycle };

void decode_handler_fields(FieldReader& reader, api::Handler& out, HandlerUse use) {
  reader.optional_object("exec", out.exec, [](FieldReader& exec, api::ExecAction& action) {
    exec.strings("command", action.command);
  });
  reader.optional_object("httpGet", out.http_get,
                         [](FieldReader& http, api::HttpGetAction& action) {
                           http.str("path", action.path);
                           http.int_or_string("port", action.port);
                           http.str("host", action.host);
                           http.str("scheme", action.scheme);
                           http.list("httpHeaders", action.http_headers,
                                     [](FieldReader& header, api::HttpHeader& value) {
                                       header.str("name", value.name);
                                       header.str("value", value.value);
                                     });
                         });
  reader.optional_object("tcpSocket", out.tcp_socket,
                         [](FieldReader& tcp, api::TcpSocketAction& action) {
                           tcp.int_or_string("port", action.port);
                           tcp.str("host", action.host);
                         });
  if (use == HandlerUse::kProbe) {
    reader.optional_object("grpc", out.grpc, [](FieldReader& grpc, api::GrpcAction& action) {
      grpc.integer("port", action.port);
      grpc.optional_str("service", action.service);
    });
  } else {
    reader.optional_object("sleep", out.sleep, [](FieldReader& sleep, api::SleepAction& action) {
      sleep.integer("seconds", action.seconds);
    });
  }
}

void decode_probe(FieldReader& reader, api::Probe& out) {
  decode_handler_fields(reader, out.handler, HandlerUse::kProbe);
  reader.integer("initialDelaySeconds", out.initial_delay_seconds);
  reader.integer("timeoutSeconds", out.timeout_seconds);
  reader.integer("periodSeconds", out.period_seconds);
  reader.integer("successThreshold", out.success_threshold);
  reader.integer("failureThreshold", out.failure_threshold);
  reader.optional_integer("terminationGracePeriodSeconds", out.termination_grace_period_seconds);
}

void decode_key_selector(FieldReader& reader, api::KeySelector& out) {
  reader.str("name", out.name);
  reader.str("key", out.key);
  reader.optional_boolean("optional", out.optional);
}

void decode_env_source_reference(FieldReader& reader, api::EnvSourceReference& out) {
  reader.str("name", out.name);
  reader.optional_boolean("optional", out.optional);
}

void decode_container(FieldReader& reader, api::Container& out) {
  reader.str("name", out.name);
  reader.str("image", out.image);
  reader.strings("command", out.command);
  reader.strings("args", out.args);
  reader.str("workingDir", out.working_dir);
  reader.list("ports", out.ports, [](FieldReader& port, api::ContainerPort& value) {
    port.str("name", value.name);
    port.integer("containerPort", value.container_port);
    port.integer("hostPort", value.host_port);
    port.str("protocol", value.protocol);
    port.not_supported({"hostIP"});
  });
  reader.list("env", out.env, [](FieldReader& variable, api::EnvVar& value) {
    variable.str("name", value.name);
    variable.str("value", value.value);
    variable.object("valueFrom", [&](FieldReader& from) {
      from.optional_object("fieldRef", value.field_ref,
                           [](FieldReader& field, api::ObjectFieldSelector& selector) {
                             field.str("apiVersion", selector.api_version);
                             field.str("fieldPath", selector.field_path);
                           });
      from.optional_object("configMapKeyRef", value.config_map_key_ref, decode_key_selector);
      from.optional_object("secretKeyRef", value.secret_key_ref, decode_key_selector);
      from.preserve(value.value_from_preserved, {"resourceFieldRef"});
    });
  });
  reader.list("envFrom", out.env_from, [](FieldReader& source, api::EnvFromSource& value) {
    source.str("prefix", value.prefix);
    source.optional_object("configMapRef", value.config_map_ref, decode_env_source_reference);
    source.optional_object("secretRef", value.secret_ref, decode_env_source_reference);
  });
  reader.str("restartPolicy", out.restart_policy);
  reader.optional_object("livenessProbe", out.liveness_probe, decode_probe);
  reader.optional_object("readinessProbe", out.readiness_probe, decode_probe);
  reader.optional_object("startupProbe", out.startup_probe, decode_probe);
  reader.optional_object("lifecycle", out.lifecycle,
                         [](FieldReader& lifecycle, api::Lifecycle& value) {
                           auto hook = [](FieldReader& handler, api::Handler& action) {
                             decode_handler_fields(handler, action, HandlerUse::kLifecycle);
                           };
                           lifecycle.optional_object("preStop", value.pre_stop, hook);
                           lifecycle.optional_object("postStart", value.post_start, hook);
                           lifecycle.not_supported({"stopSignal"});
                         });
  reader.str("imagePullPolicy", out.image_pull_policy);
  reader.str("terminationMessagePath", out.termination_message_path);
  reader.str("terminationMessagePolicy", out.termination_message_policy);
  // Kept as given, but privileged is refused: there is no container runtime to grant it.
  if (const Node* security = reader.peek("securityContext")) {
    if (const Node* privileged = security->find("privileged");
        privileged && privileged->bool_value()) {
      reader.context().errors.push_back(
          api::refuse_privileged(reader.path("securityContext").child("privileged")));
    }
  }
  reader.drop_if_empty({"resources"});
  reader.preserve(out.preserved, {"resources", "volumeMounts", "volumeDevices", "securityContext",
                                  "stdin", "stdinOnce", "tty", "resizePolicy"});
}

api::NodeSelectorOperator parse_node_operator(FieldReader& reader, const std::string& text) {
  using Op = api::NodeSelectorOperator;
  if (text == "In") return Op::kIn;
  if (text == "NotIn") return Op::kNotIn;
  if (text == "Exists") return Op::kExists;
  if (text == "DoesNotExist") return Op::kDoesNotExist;
  if (text == "Gt") return Op::kGt;
  if (text == "Lt") return Op::kLt;
  reader.context().errors.push_back(api::unsupported(
      reader.path("operator"), text, {"DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"}));
  return Op::kIn;
}

void decode_node_selector_term(FieldReader& reader, api::NodeSelectorTerm& out) {
  auto requirement = [](FieldReader& item, api::NodeSelectorRequirement& value) {
    item.str("key", value.key);
    std::string op;
    item.str("operator", op);
    value.op = parse_node_operator(item, op);
    item.strings("values", value.values);
  };
  reader.list("matchExpressions", out.match_expressions, requirement);
  reader.list("matchFields", out.match_fields, requirement);
}

// Volumes are kept as given (not mounted); a type other than emptyDir, configMap and secret is
// refused (api/refusals.h).
void refuse_volume_types(FieldReader& spec) {
  const Node* volumes = spec.peek("volumes");
  if (volumes == nullptr || !volumes->is_sequence()) return;
  for (std::size_t i = 0; i < volumes->items().size(); ++i) {
    const Node& volume = volumes->items()[i];
    for (const char* type : api::kRefusedVolumeTypes) {
      if (volume.find(type) != nullptr) {
        spec.context().errors.push_back(
            api::refuse_volume_type(spec.path("volumes").index(i).child(type), type));
      }
    }
  }
}

void decode_pod_spec(FieldReader& reader, api::PodSpec& out) {
  reader.list("initContainers", out.init_containers, decode_container);
  reader.list("containers", out.containers, decode_container);
  reader.str("restartPolicy", out.restart_policy);
  reader.optional_integer("terminationGracePeriodSeconds", out.termination_grace_period_seconds);
  reader.str("nodeName", out.node_name);
  reader.string_map("nodeSelector", out.node_selector);
  reader.optional_object("affinity", out.affinity, [](FieldReader& affinity, api::Affinity& value) {
    affinity.optional_object(
        "nodeAffinity", value.node_affinity, [](FieldReader& node, api::NodeAffinity& nodes) {
          node.object("requiredDuringSchedulingIgnoredDuringExecution", [&](FieldReader& required) {
            nodes.required_terms.emplace();
            required.list("nodeSelectorTerms", *nodes.required_terms, decode_node_selector_term);
          });
          node.list("preferredDuringSchedulingIgnoredDuringExecution", nodes.preferred,
                    [](FieldReader& item, api::PreferredSchedulingTerm& term) {
                      item.integer("weight", term.weight);
                      item.object("preference", [&](FieldReader& preference) {
                        decode_node_selector_term(preference, term.preference);
                      });
                    });
        });
    affinity.preserve(value.preserved, {"podAffinity", "podAntiAffinity"});
  });
  reader.str("dnsPolicy", out.dns_policy);
  reader.str("schedulerName", out.scheduler_name);
  bool host_network = false;
  reader.boolean("hostNetwork", host_network);
  if (host_network)
    reader.context().errors.push_back(api::refuse_host_network(reader.path("hostNetwork")));
  refuse_volume_types(reader);
  reader.optional_boolean("enableServiceLinks", out.enable_service_links);
  reader.preserve(out.preserved, {"volumes",
                                  "ephemeralContainers",
                                  "securityContext",
                                  "serviceAccountName",
                                  "serviceAccount",
                                  "automountServiceAccountToken",
                                  "imagePullSecrets",
                                  "hostPID",
                                  "hostIPC",
                                  "tolerations",
                                  "priorityClassName",
                                  "priority",
                                  "runtimeClassName",
                                  "topologySpreadConstraints",
                                  "dnsConfig",
                                  "hostAliases",
                                  "hostname",
                                  "subdomain",
                                  "preemptionPolicy",
                                  "overhead",
                                  "readinessGates",
                                  "shareProcessNamespace",
                                  "activeDeadlineSeconds",
                                  "os",
                                  "schedulingGates",
                                  "resourceClaims",
                                  "setHostnameAsFQDN",
                                  "hostUsers",
                                  "resources"});
}

void decode_template(FieldReader& reader, api::PodTemplateSpec& out) {
  reader.object("metadata", [&](FieldReader& meta) { decode_meta(meta, out.metadata); });
  reader.object("spec", [&](FieldReader& spec) { decode_pod_spec(spec, out.spec); });
}

void decode_container_state(FieldReader& reader, api::ContainerState& out) {
  reader.optional_object("waiting", out.waiting,
                         [](FieldReader& waiting, api::ContainerStateWaiting& value) {
                           waiting.str("reason", value.reason);
                           waiting.str("message", value.message);
                         });
  reader.optional_object("running", out.running,
                         [](FieldReader& running, api::ContainerStateRunning& value) {
                           running.time("startedAt", value.started_at);
                         });
  reader.optional_object("terminated", out.terminated,
                         [](FieldReader& terminated, api::ContainerStateTerminated& value) {
                           terminated.integer("exitCode", value.exit_code);
                           terminated.integer("signal", value.signal);
                           terminated.str("reason", value.reason);
                           terminated.str("message", value.message);
                           terminated.time("startedAt", value.started_at);
                           terminated.time("finishedAt", value.finished_at);
                           terminated.ignore({"containerID"});
                         });
}

void decode_pod_status(FieldReader& reader, api::PodStatus& out) {
  std::string phase;
  reader.str("phase", phase);
  if (phase == "Running")
    out.phase = api::PodPhase::kRunning;
  else if (phase == "Succeeded")
    out.phase = api::PodPhase::kSucceeded;
  else if (phase == "Failed")
    out.phase = api::PodPhase::kFailed;
  else if (phase == "Unknown")
    out.phase = api::PodPhase::kUnknown;
  else
    out.phase = api::PodPhase::kPending;
  reader.list("conditions", out.conditions, decode_condition);
  reader.str("message", out.message);
  reader.str("reason", out.reason);
  reader.str("hostIP", out.host_ip);
  reader.str("podIP", out.pod_ip);
  reader.time("startTime", out.start_time);
  const auto decode_status = [](FieldReader& item, api::ContainerStatus& status) {
    item.str("name", status.name);
    item.object("state", [&](FieldReader& state) { decode_container_state(state, status.state); });
    item.object("lastState",
                [&](FieldReader& state) { decode_container_state(state, status.last_state); });
    item.boolean("ready", status.ready);
    item.optional_boolean("started", status.started);
    item.integer("restartCount", status.restart_count);
    item.str("image", status.image);
    item.str("containerID", status.container_id);
    item.ignore({"imageID"});
  };
  reader.list("initContainerStatuses", out.init_container_statuses, decode_status);
  reader.list("containerStatuses", out.container_statuses, decode_status);
  reader.ignore({"podIPs", "hostIPs", "qosClass", "ephemeralContainerStatuses", "nominatedNodeName",
                 "resize"});
}

void decode_deployment(FieldReader& root, api::Deployment& out) {
  root.object("spec", [&](FieldReader& spec) {
    spec.optional_integer("replicas", out.spec.replicas);
    out.spec.has_selector = spec.object("selector", [&](FieldReader& selector) {
      decode_label_selector(selector, out.spec.selector);
    });
    spec.object("template", [&](FieldReader& template_reader) {
      decode_template(template_reader, out.spec.template_spec);
    });
    spec.object("strategy", [&](FieldReader& strategy) {
      std::string type;
      strategy.str("type", type);
      if (type == "Recreate") {
        out.spec.strategy.type = api::DeploymentStrategyType::kRecreate;
      } else if (type.empty() || type == "RollingUpdate") {
        out.spec.strategy.type = api::DeploymentStrategyType::kRollingUpdate;
      } else {
        strategy.context().errors.push_back(
            api::unsupported(strategy.path("type"), type, {"Recreate", "RollingUpdate"}));
      }
      strategy.optional_object("rollingUpdate", out.spec.strategy.rolling_update,
                               [](FieldReader& rolling, api::RollingUpdateDeployment& value) {
                                 rolling.int_or_string("maxUnavailable", value.max_unavailable);
                                 rolling.int_or_string("maxSurge", value.max_surge);
                               });
    });
    spec.integer("minReadySeconds", out.spec.min_ready_seconds);
    spec.optional_integer("revisionHistoryLimit", out.spec.revision_history_limit);
    spec.boolean("paused", out.spec.paused);
    spec.optional_integer("progressDeadlineSeconds", out.spec.progress_deadline_seconds);
  });
  root.object("status", [&](FieldReader& status) {
    status.integer("observedGeneration", out.status.observed_generation);
    status.integer("replicas", out.status.replicas);
    status.integer("updatedReplicas", out.status.updated_replicas);
    status.integer("readyReplicas", out.status.ready_replicas);
    status.integer("availableReplicas", out.status.available_replicas);
    status.integer("unavailableReplicas", out.status.unavailable_replicas);
    status.list("conditions", out.status.conditions, decode_condition);
    status.optional_integer("collisionCount", out.status.collision_count);
    status.ignore({"terminatingReplicas"});
  });
}

void decode_replica_set(FieldReader& root, api::ReplicaSet& out) {
  root.object("spec", [&](FieldReader& spec) {
    spec.optional_integer("replicas", out.spec.replicas);
    spec.integer("minReadySeconds", out.spec.min_ready_seconds);
    out.spec.has_selector = spec.object("selector", [&](FieldReader& selector) {
      decode_label_selector(selector, out.spec.selector);
    });
    spec.object("template", [&](FieldReader& template_reader) {
      decode_template(template_reader, out.spec.template_spec);
    });
  });
  root.object("status", [&](FieldReader& status) {
    status.integer("replicas", out.status.replicas);
    status.integer("fullyLabeledReplicas", out.status.fully_labeled_replicas);
    status.integer("readyReplicas", out.status.ready_replicas);
    status.integer("availableReplicas", out.status.available_replicas);
    status.integer("observedGeneration", out.status.observed_generation);
    status.list("conditions", out.status.conditions, decode_condition);
    status.ignore({"terminatingReplicas"});
  });
}

void decode_pod(FieldReader& root, api::Pod& out) {
  root.object("spec", [&](FieldReader& spec) { decode_pod_spec(spec, out.spec); });
  root.object("status", [&](FieldReader& status) { decode_pod_status(status, out.status); });
}

void decode_service(FieldReader& root, api::Service& out) {
  root.object("spec", [&](FieldReader& spec) {
    spec.str("type", out.spec.type);
    spec.string_map("selector", out.spec.selector);
    spec.list("ports", out.spec.ports, [](FieldReader& port, api::ServicePort& value) {
      port.str("name", value.name);
      port.str("protocol", value.protocol);
      port.integer("port", value.port);
      port.int_or_string("targetPort", value.target_port);
      port.integer("nodePort", value.node_port);
      port.str("appProtocol", value.app_protocol);
    });
    spec.str("clusterIP", out.spec.cluster_ip);
    spec.str("externalTrafficPolicy", out.spec.external_traffic_policy);
    spec.str("internalTrafficPolicy", out.spec.internal_traffic_policy);
    spec.integer("healthCheckNodePort", out.spec.health_check_node_port);
    spec.str("sessionAffinity", out.spec.session_affinity);
    spec.boolean("publishNotReadyAddresses", out.spec.publish_not_ready_addresses);
    spec.str("loadBalancerIP", out.spec.load_balancer_ip);
    spec.strings("externalIPs", out.spec.external_ips);
    spec.optional_boolean("allocateLoadBalancerNodePorts",
                          out.spec.allocate_load_balancer_node_ports);
    std::vector<std::string> ip_families;
    spec.strings("ipFamilies", ip_families);
    if (!ip_families.empty() &&
        std::find(ip_families.begin(), ip_families.end(), "IPv4") == ip_families.end()) {
      spec.context().errors.push_back(api::refuse_ipv6_only(spec.path("ipFamilies")));
    }
    spec.ignore({"clusterIPs", "ipFamilyPolicy"});
    spec.preserve(out.spec.preserved, {"sessionAffinityConfig", "loadBalancerSourceRanges",
                                       "loadBalancerClass", "externalName", "trafficDistribution"});
  });
  root.object("status", [&](FieldReader& status) {
    status.object("loadBalancer", [&](FieldReader& balancer) {
      balancer.list("ingress", out.status.load_balancer_ingress,
                    [](FieldReader& item, api::LoadBalancerIngress& value) {
                      item.str("ip", value.ip);
                      item.str("hostname", value.hostname);
                      item.ignore({"ipMode", "ports"});
                    });
    });
    status.ignore({"conditions"});
  });
}

void decode_endpoint_slice(FieldReader& root, api::EndpointSlice& out) {
  root.str("addressType", out.address_type);
  root.list("endpoints", out.endpoints, [](FieldReader& item, api::Endpoint& endpoint) {
    item.strings("addresses", endpoint.addresses);
    item.object("conditions", [&](FieldReader& conditions) {
      conditions.optional_boolean("ready", endpoint.conditions.ready);
      conditions.optional_boolean("serving", endpoint.conditions.serving);
      conditions.optional_boolean("terminating", endpoint.conditions.terminating);
    });
    item.str("nodeName", endpoint.node_name);
    item.optional_object("targetRef", endpoint.target_ref, decode_object_reference);
    item.ignore({"hostname", "zone", "hints", "deprecatedTopology"});
  });
  root.list("ports", out.ports, [](FieldReader& item, api::EndpointPort& port) {
    item.optional_str("name", port.name);
    item.optional_str("protocol", port.protocol);
    item.optional_integer("port", port.port);
    item.optional_str("appProtocol", port.app_protocol);
  });
}

void decode_node(FieldReader& root, api::Node& out) {
  root.object("spec", [&](FieldReader& spec) {
    spec.boolean("unschedulable", out.spec.unschedulable);
    spec.not_supported({"taints", "podCIDR", "podCIDRs", "providerID"});
  });
  root.object("status", [&](FieldReader& status) {
    status.list("addresses", out.status.addresses,
                [](FieldReader& item, api::NodeAddress& address) {
                  item.str("type", address.type);
                  item.str("address", address.address);
                });
    status.list("conditions", out.status.conditions, decode_condition);
    status.ignore({"capacity", "allocatable", "nodeInfo", "images", "daemonEndpoints",
                   "volumesInUse", "volumesAttached", "phase", "config", "runtimeHandlers",
                   "features"});
  });
}

void decode_config_map(FieldReader& root, api::ConfigMap& out) {
  root.string_map("data", out.data);
  root.string_map("binaryData", out.binary_data);
  root.optional_boolean("immutable", out.immutable);
}

// stringData is folded into data, base64-encoded, as the API server does on every write (its
// values win over data's); Kubernetes never serves stringData back.
void decode_secret(FieldReader& root, api::Secret& out) {
  root.str("type", out.type);
  root.string_map("data", out.data);
  api::Labels string_data;
  root.string_map("stringData", string_data);
  for (const auto& [key, value] : string_data) out.data[key] = base64_encode(value);
  root.optional_boolean("immutable", out.immutable);
}

void decode_event(FieldReader& root, api::Event& out) {
  root.object("involvedObject", [&](FieldReader& reference) {
    decode_object_reference(reference, out.involved_object);
  });
  root.str("reason", out.reason);
  root.str("message", out.message);
  std::string type;
  root.str("type", type);
  if (type == "Warning") {
    out.type = api::EventType::kWarning;
  } else if (!type.empty() && type != "Normal") {
    root.context().errors.push_back(
        api::unsupported(root.path("type"), type, {"Normal", "Warning"}));
  }
  root.object("source", [&](FieldReader& source) {
    source.str("component", out.source.component);
    source.str("host", out.source.host);
  });
  root.time("firstTimestamp", out.first_timestamp);
  root.time("lastTimestamp", out.last_timestamp);
  root.integer("count", out.count);
  root.time("eventTime", out.event_time);
  root.str("reportingComponent", out.reporting_component);
  root.str("reportingInstance", out.reporting_instance);
  root.not_supported({"series", "action", "related"});
}

struct KindInfo {
  const char* kind;
  const char* api_version;
};

constexpr KindInfo kKinds[] = {
    {"Deployment", "apps/v1"},
    {"ReplicaSet", "apps/v1"},
    {"Pod", "v1"},
    {"Service", "v1"},
    {"EndpointSlice", "discovery.k8s.io/v1"},
    {"Node", "v1"},
    {"Event", "v1"},
    {"ConfigMap", "v1"},
    {"Secret", "v1"},
    {"ServiceAccount", "v1"},
};

}  // namespace

std::size_t decode_budget_for(std::size_t file_bytes) {
  constexpr std::size_t kFloor = 64 * std::size_t{1024 * 1024};
  return std::max(kFloor, file_bytes * 64);
}

DecodeResult decode_object(const Node& root, std::size_t* budget_bytes, SourceLines lines) {
  DecodeResult result;
  FieldContext context;
  context.budget_bytes = budget_bytes;
  context.record_lines = lines == SourceLines::kRecord;
  context.record_line([] { return FieldPath(); }, root.mark.line);
  if (!root.is_mapping()) {
    context.type_error(FieldPath(), root, "a mapping (an object with apiVersion and kind)");
    result.errors = std::move(context.errors);
    return result;
  }
  {
    // Peek at identity first, so messages can name the object even when the rest is broken.
    const Node* kind = root.find("kind");
    const Node* api_version = root.find("apiVersion");
    const Node* metadata = root.find("metadata");
    if (kind != nullptr && kind->type() == Node::Type::kString) result.kind = kind->text();
    if (api_version != nullptr && api_version->type() == Node::Type::kString)
      result.api_version = api_version->text();
    if (metadata != nullptr && metadata->is_mapping()) {
      if (const Node* name = metadata->find("name");
          name != nullptr && name->type() == Node::Type::kString) {
        result.name = name->text();
      }
      if (const Node* ns = metadata->find("namespace");
          ns != nullptr && ns->type() == Node::Type::kString) {
        result.namespace_name = ns->text();
      }
    }
  }
  if (result.kind.empty()) {
    context.errors.push_back(api::required(FieldPath("kind")));
  }
  if (result.api_version.empty()) {
    context.errors.push_back(api::required(FieldPath("apiVersion")));
  }
  if (!context.errors.empty()) {
    result.errors = std::move(context.errors);
    return result;
  }

  const KindInfo* info = nullptr;
  for (const KindInfo& candidate : kKinds) {
    if (result.kind == candidate.kind) info = &candidate;
  }
  if (info == nullptr) {
    result.unsupported_kind = true;
    return result;
  }
  if (result.api_version != info->api_version) {
    context.errors.push_back(
        api::invalid(FieldPath("apiVersion"), result.api_version,
                     fmt::format("no matches for kind \"{}\" in version \"{}\"; nodrop reads {} {}",
                                 result.kind, result.api_version, info->api_version, result.kind)));
    result.errors = std::move(context.errors);
    return result;
  }

  api::Object object = [&]() -> api::Object {
    const std::string& kind = result.kind;
    if (kind == "Deployment") return api::Deployment{};
    if (kind == "ReplicaSet") return api::ReplicaSet{};
    if (kind == "Pod") return api::Pod{};
    if (kind == "Service") return api::Service{};
    if (kind == "EndpointSlice") return api::EndpointSlice{};
    if (kind == "Event") return api::Event{};
    if (kind == "ConfigMap") return api::ConfigMap{};
    if (kind == "Secret") return api::Secret{};
    if (kind == "ServiceAccount") return api::ServiceAccount{};
    return api::Node{};
  }();
  {
    FieldReader reader(context, &root, FieldPath());
    reader.take("apiVersion");
    reader.take("kind");
    reader.object("metadata",
                  [&](FieldReader& meta) { decode_meta(meta, api::metadata_of(object)); });
    std::visit(
        [&](auto& typed) {
          using T = std::decay_t<decltype(typed)>;
          if constexpr (std::is_same_v<T, api::Deployment>) decode_deployment(reader, typed);
          if constexpr (std::is_same_v<T, api::ReplicaSet>) decode_replica_set(reader, typed);
          if constexpr (std::is_same_v<T, api::Pod>) decode_pod(reader, typed);
          if constexpr (std::is_same_v<T, api::Service>) decode_service(reader, typed);
          if constexpr (std::is_same_v<T, api::EndpointSlice>) decode_endpoint_slice(reader, typed);
          if constexpr (std::is_same_v<T, api::Node>) decode_node(reader, typed);
          if constexpr (std::is_same_v<T, api::Event>) decode_event(reader, typed);
          if constexpr (std::is_same_v<T, api::ConfigMap>) decode_config_map(reader, typed);
          if constexpr (std::is_same_v<T, api::Secret>) decode_secret(reader, typed);
          if constexpr (std::is_same_v<T, api::ServiceAccount>) {
            reader.preserve(typed.preserved,
                            {"secrets", "imagePullSecrets", "automountServiceAccountToken"});
          }
        },
        object);
  }
  result.errors = std::move(context.errors);
  result.warnings = std::move(context.warnings);
  result.lines = std::move(context.lines);
  result.object = std::move(object);
  return result;
}

}  // namespace nodrop::manifest
