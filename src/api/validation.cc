#include "api/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <regex>
#include <set>

#include "api/refusals.h"
#include "base/strings.h"

namespace nodrop::api {
namespace {

const std::regex& dns1123_label_regex() {
  static const std::regex pattern("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  return pattern;
}

bool is_alnum_lower(char c) {
  return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
}

std::string max_length_message(std::size_t length) {
  return fmt::format("must be no more than {} characters", length);
}

void add_messages(FieldErrors& errors, const FieldPath& path, const std::string& value,
                  const std::vector<std::string>& messages) {
  for (const std::string& message : messages) errors.push_back(invalid(path, value, message));
}

void validate_non_negative(FieldErrors& errors, const FieldPath& path, std::int64_t value) {
  if (value < 0) errors.push_back(invalid(path, value, "must be greater than or equal to 0"));
}

void validate_port_number(FieldErrors& errors, const FieldPath& path, std::int64_t port) {
  if (port < 1 || port > 65535) {
    errors.push_back(invalid(path, port, "must be between 1 and 65535, inclusive"));
  }
}

// validatePortNumOrName: a number in range, or a valid IANA service name.
void validate_port_number_or_name(FieldErrors& errors, const FieldPath& path,
                                  const IntOrString& port) {
  if (!port.is_string()) {
    validate_port_number(errors, path, port.int_value());
  } else if (port.string_value().empty()) {
    errors.push_back(required(path));
  } else {
    add_messages(errors, path, port.string_value(), is_valid_port_name(port.string_value()));
  }
}

std::string render_labels(const Labels& labels) {
  std::string text = "map[string]string{";
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) text += ", ";
    first = false;
    text += quote(key) + ":" + quote(value);
  }
  return text + "}";
}

void validate_labels(FieldErrors& errors, const FieldPath& path, const Labels& labels) {
  for (const auto& [key, value] : labels) {
    add_messages(errors, path, key, is_qualified_name(key));
    add_messages(errors, path, value, is_valid_label_value(value));
  }
}

void validate_annotations(FieldErrors& errors, const FieldPath& path, const Labels& annotations) {
  std::size_t total = 0;
  for (const auto& [key, value] : annotations) {
    add_messages(errors, path, key, is_qualified_name(key));
    total += key.size() + value.size();
  }
  constexpr std::size_t kTotalAnnotationSizeLimit = std::size_t{256} * 1024;
  if (total > kTotalAnnotationSizeLimit) {
    errors.push_back({FieldErrorType::kTooLong, path.str(), "",
                      fmt::format("may not be more than {} bytes", kTotalAnnotationSizeLimit)});
  }
}

enum class NameRule { kDns1123Subdomain, kDns1035Label };

void validate_object_meta(FieldErrors& errors, const ObjectMeta& metadata, bool namespaced,
                          NameRule rule) {
  const FieldPath path("metadata");
  if (metadata.name.empty() && metadata.generate_name.empty()) {
    errors.push_back(required(path.child("name"), "name or generateName is required"));
  } else if (!metadata.name.empty()) {
    add_messages(errors, path.child("name"), metadata.name,
                 rule == NameRule::kDns1035Label ? is_dns1035_label(metadata.name)
                                                 : is_dns1123_subdomain(metadata.name));
  }
  if (namespaced && !metadata.namespace_name.empty()) {
    add_messages(errors, path.child("namespace"), metadata.namespace_name,
                 is_dns1123_label(metadata.namespace_name));
  }
  if (!namespaced && !metadata.namespace_name.empty()) {
    errors.push_back(forbidden(path.child("namespace"), "not allowed on this type"));
  }
  validate_non_negative(errors, path.child("generation"), metadata.generation);
  validate_labels(errors, path.child("labels"), metadata.labels);
  validate_annotations(errors, path.child("annotations"), metadata.annotations);
}

void validate_label_selector(FieldErrors& errors, const FieldPath& path,
                             const LabelSelector& selector) {
  validate_labels(errors, path.child("matchLabels"), selector.match_labels);
  for (std::size_t i = 0; i < selector.match_expressions.size(); ++i) {
    const LabelSelectorRequirement& requirement = selector.match_expressions[i];
    const FieldPath item = path.child("matchExpressions").index(i);
    switch (requirement.op) {
      case SelectorOperator::kIn:
      case SelectorOperator::kNotIn:
        if (requirement.values.empty()) {
          errors.push_back(required(item.child("values"),
                                    "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case SelectorOperator::kExists:
      case SelectorOperator::kDoesNotExist:
        if (!requirement.values.empty()) {
          errors.push_back(
              forbidden(item.child("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
    }
    add_messages(errors, item.child("key"), requirement.key, is_qualified_name(requirement.key));
  }
}

void validate_handler(FieldErrors& errors, const FieldPath& path, const Handler& handler,
                      std::optional<std::int64_t> grace_period_seconds) {
  if (handler.action_count() == 0) {
    errors.push_back(required(path, "must specify a handler type"));
    return;
  }
  if (handler.action_count() > 1) {
    // Kubernetes names the second handler it finds.
    const char* second = nullptr;
    int seen = 0;
    for (const auto& [present, name] : std::initializer_list<std::pair<bool, const char*>>{
             {handler.exec.has_value(), "exec"},
             {handler.http_get.has_value(), "httpGet"},
             {handler.tcp_socket.has_value(), "tcpSocket"},
             {handler.grpc.has_value(), "grpc"},
             {handler.sleep.has_value(), "sleep"}}) {
      if (present && ++seen == 2) second = name;
    }
    errors.push_back(forbidden(path.child(second), "may not specify more than 1 handler type"));
  }
  if (handler.exec.has_value() && handler.exec->command.empty()) {
    errors.push_back(required(path.child("exec").child("command")));
  }
  if (handler.http_get.has_value()) {
    const FieldPath http = path.child("httpGet");
    if (handler.http_get->path.empty()) errors.push_back(required(http.child("path")));
    validate_port_number_or_name(errors, http.child("port"), handler.http_get->port);
    const std::string& scheme = handler.http_get->scheme;
    if (scheme != "HTTP" && scheme != "HTTPS") {
      errors.push_back(unsupported(http.child("scheme"), scheme, {"HTTP", "HTTPS"}));
    }
    for (std::size_t i = 0; i < handler.http_get->http_headers.size(); ++i) {
      const std::string& name = handler.http_get->http_headers[i].name;
      const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      });
      if (!token) {
        errors.push_back(invalid(
            http.child("httpHeaders").index(i).child("name"), name,
            "a valid HTTP header must consist of alphanumeric characters, '-', '_' or '.'"));
      }
    }
  }
  if (handler.tcp_socket.has_value()) {
    validate_port_number_or_name(errors, path.child("tcpSocket").child("port"),
                                 handler.tcp_socket->port);
  }
  if (handler.grpc.has_value()) {
    validate_port_number(errors, path.child("grpc").child("port"), handler.grpc->port);
  }
  if (handler.sleep.has_value() && grace_period_seconds.has_value()) {
    // validateSleepAction with PodLifecycleSleepActionAllowZero (beta, on since 1.33).
    const std::int64_t seconds = handler.sleep->seconds;
    if (seconds < 0 || seconds > *grace_period_seconds) {
      errors.push_back(invalid(
          path.child("sleep").child("seconds"), seconds,
          fmt::format("must be non-negative and less than terminationGracePeriodSeconds ({})",
                      *grace_period_seconds)));
    }
  }
}

enum class ProbeKind { kLiveness, kReadiness, kStartup };

void validate_probe(FieldErrors& errors, const FieldPath& path, const Probe& probe,
                    ProbeKind kind) {
  validate_handler(errors, path, probe.handler, std::nullopt);
  validate_non_negative(errors, path.child("initialDelaySeconds"), probe.initial_delay_seconds);
  validate_non_negative(errors, path.child("timeoutSeconds"), probe.timeout_seconds);
  validate_non_negative(errors, path.child("periodSeconds"), probe.period_seconds);
  validate_non_negative(errors, path.child("successThreshold"), probe.success_threshold);
  validate_non_negative(errors, path.child("failureThreshold"), probe.failure_threshold);
  if (kind != ProbeKind::kReadiness && probe.success_threshold != 1) {
    errors.push_back(invalid(path.child("successThreshold"), probe.success_threshold, "must be 1"));
  }
  if (probe.termination_grace_period_seconds.has_value()) {
    if (kind == ProbeKind::kReadiness) {
      errors.push_back(invalid(path.child("terminationGracePeriodSeconds"),
                               *probe.termination_grace_period_seconds,
                               "must not be set for readinessProbes"));
    } else if (*probe.termination_grace_period_seconds <= 0) {
      errors.push_back(invalid(path.child("terminationGracePeriodSeconds"),
                               *probe.termination_grace_period_seconds, "must be greater than 0"));
    }
  }
}

const std::set<std::string>& supported_field_paths() {
  static const std::set<std::string> paths = {"metadata.name",
                                              "metadata.namespace",
                                              "metadata.uid",
                                              "metadata.labels",
                                              "metadata.annotations",
                                              "spec.nodeName",
                                              "spec.serviceAccountName",
                                              "status.hostIP",
                                              "status.hostIPs",
                                              "status.podIP",
                                              "status.podIPs"};
  return paths;
}

bool is_env_var_name(const std::string& name) {
  // Kubernetes 1.30+ (RelaxedEnvironmentVariableValidation off): a C identifier-like name that may
  // also contain '-' and '.', not starting with a digit.
  static const std::regex pattern("[-._a-zA-Z][-._a-zA-Z0-9]*");
  return std::regex_match(name, pattern);
}

// A ConfigMap's or Secret's key (IsConfigMapKey): letters, digits, '-', '_' and '.', at most 253,
// not "." or "..".
bool is_config_map_key(const std::string& key) {
  static const std::regex pattern("[-._a-zA-Z0-9]+");
  return key.size() <= 253 && key != "." && key != ".." && std::regex_match(key, pattern);
}

// valueFrom.configMapKeyRef and secretKeyRef (validateConfigMapKeySelector, ...SecretKeySelector).
void validate_key_selector(FieldErrors& errors, const FieldPath& path,
                           const KeySelector& selector) {
  if (selector.name.empty()) errors.push_back(required(path.child("name")));
  if (selector.key.empty()) {
    errors.push_back(required(path.child("key")));
  } else if (!is_config_map_key(selector.key)) {
    errors.push_back(invalid(path.child("key"), selector.key,
                             "a valid config key must consist of alphanumeric characters, '-', "
                             "'_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex "
                             "used for validation is '[-._a-zA-Z0-9]+')"));
  }
}

void validate_env_from(FieldErrors& errors, const FieldPath& path,
                       const std::vector<EnvFromSource>& sources) {
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const EnvFromSource& source = sources[i];
    const FieldPath item = path.index(i);
    if (!source.prefix.empty() && !is_env_var_name(source.prefix)) {
      errors.push_back(invalid(item.child("prefix"), source.prefix,
                               "a valid environment variable name must consist of alphabetic "
                               "characters, digits, '_', '-', or '.', and must not start with a "
                               "digit"));
    }
    const int references = source.config_map_ref.has_value() + source.secret_ref.has_value();
    if (references == 0) {
      errors.push_back(
          invalid(item, std::string(""), "must specify one of: `configMapRef` or `secretRef`"));
    } else if (references > 1) {
      errors.push_back(invalid(item.child("secretRef"), std::string(""),
                               "may not have more than one field specified at a time"));
    }
    for (const auto& [reference, field] : {std::pair{&source.config_map_ref, "configMapRef"},
                                           std::pair{&source.secret_ref, "secretRef"}}) {
      if (!reference->has_value()) continue;
      if ((*reference)->name.empty()) {
        errors.push_back(required(item.child(field).child("name")));
      } else {
        add_messages(errors, item.child(field).child("name"), (*reference)->name,
                     is_dns1123_subdomain((*reference)->name));
      }
    }
  }
}

void validate_pull_policy(FieldErrors& errors, const FieldPath& path, const Container& container) {
  const std::string& pull = container.image_pull_policy;
  if (pull != "Always" && pull != "IfNotPresent" && pull != "Never") {
    errors.push_back(
        unsupported(path.child("imagePullPolicy"), pull, {"Always", "IfNotPresent", "Never"}));
  }
}

// Probes and lifecycle hooks: an app container's or a sidecar's.
void validate_probes_and_lifecycle(FieldErrors& errors, const FieldPath& path,
                                   const Container& container,
                                   std::optional<std::int64_t> grace_period_seconds) {
  if (container.liveness_probe.has_value()) {
    validate_probe(errors, path.child("livenessProbe"), *container.liveness_probe,
                   ProbeKind::kLiveness);
  }
  if (container.readiness_probe.has_value()) {
    validate_probe(errors, path.child("readinessProbe"), *container.readiness_probe,
                   ProbeKind::kReadiness);
  }
  if (container.startup_probe.has_value()) {
    validate_probe(errors, path.child("startupProbe"), *container.startup_probe,
                   ProbeKind::kStartup);
  }
  if (container.lifecycle.has_value()) {
    if (container.lifecycle->pre_stop.has_value()) {
      validate_handler(errors, path.child("lifecycle").child("preStop"),
                       *container.lifecycle->pre_stop, grace_period_seconds);
    }
    if (container.lifecycle->post_start.has_value()) {
      validate_handler(errors, path.child("lifecycle").child("postStart"),
                       *container.lifecycle->post_start, grace_period_seconds);
    }
  }
}

// Which list a container is in: a regular init container may have no probes or lifecycle; only
// an init container may have a restartPolicy, and only Always (validateInitContainers,
// validateContainers).
enum class ContainerKind { kApp, kInit };

void validate_container(FieldErrors& errors, const FieldPath& path, const Container& container,
                        std::optional<std::int64_t> grace_period_seconds, ContainerKind kind) {
  if (container.name.empty()) {
    errors.push_back(required(path.child("name")));
  } else {
    add_messages(errors, path.child("name"), container.name, is_dns1123_label(container.name));
  }
  if (container.image.empty()) errors.push_back(required(path.child("image")));

  std::set<std::string> port_names;
  for (std::size_t i = 0; i < container.ports.size(); ++i) {
    const ContainerPort& port = container.ports[i];
    const FieldPath item = path.child("ports").index(i);
    if (!port.name.empty()) {
      add_messages(errors, item.child("name"), port.name, is_valid_port_name(port.name));
      if (!port_names.insert(port.name).second)
        errors.push_back(duplicate(item.child("name"), port.name));
    }
    if (port.container_port == 0) {
      errors.push_back(required(item.child("containerPort")));
    } else {
      validate_port_number(errors, item.child("containerPort"), port.container_port);
    }
    if (port.host_port != 0) errors.push_back(refuse_host_port(item.child("hostPort")));
    if (port.protocol != "TCP" && port.protocol != "UDP" && port.protocol != "SCTP") {
      errors.push_back(unsupported(item.child("protocol"), port.protocol, {"SCTP", "TCP", "UDP"}));
    }
  }

  validate_env_from(errors, path.child("envFrom"), container.env_from);
  for (std::size_t i = 0; i < container.env.size(); ++i) {
    const EnvVar& variable = container.env[i];
    const FieldPath item = path.child("env").index(i);
    if (variable.name.empty()) {
      errors.push_back(required(item.child("name")));
    } else if (!is_env_var_name(variable.name)) {
      errors.push_back(
          invalid(item.child("name"), variable.name,
                  "a valid environment variable name must consist of alphabetic characters, "
                  "digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  "
                  "or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
                  "'[-._a-zA-Z][-._a-zA-Z0-9]*')"));
    }
    const int sources = variable.field_ref.has_value() + variable.config_map_key_ref.has_value() +
                        variable.secret_key_ref.has_value() +
                        !variable.value_from_preserved.empty();
    if (sources > 0 && !variable.value.empty()) {
      errors.push_back(invalid(item.child("valueFrom"), std::string(""),
                               "may not be specified when `value` is not empty"));
    }
    if (sources > 1) {
      errors.push_back(invalid(item.child("valueFrom"), std::string(""),
                               "may not have more than one field specified at a time"));
    }
    if (variable.config_map_key_ref.has_value()) {
      validate_key_selector(errors, item.child("valueFrom").child("configMapKeyRef"),
                            *variable.config_map_key_ref);
    }
    if (variable.secret_key_ref.has_value()) {
      validate_key_selector(errors, item.child("valueFrom").child("secretKeyRef"),
                            *variable.secret_key_ref);
    }
    if (variable.field_ref.has_value()) {
      const FieldPath reference = item.child("valueFrom").child("fieldRef");
      if (variable.field_ref->field_path.empty()) {
        errors.push_back(required(reference.child("fieldPath")));
      } else if (supported_field_paths().count(variable.field_ref->field_path) == 0 &&
                 variable.field_ref->field_path.rfind("metadata.labels[", 0) != 0 &&
                 variable.field_ref->field_path.rfind("metadata.annotations[", 0) != 0) {
        errors.push_back(unsupported(reference.child("fieldPath"), variable.field_ref->field_path,
                                     {"metadata.name", "metadata.namespace", "metadata.uid",
                                      "spec.nodeName", "spec.serviceAccountName", "status.hostIP",
                                      "status.hostIPs", "status.podIP", "status.podIPs"}));
      }
      if (variable.field_ref->api_version != "v1") {
        errors.push_back(
            unsupported(reference.child("apiVersion"), variable.field_ref->api_version, {"v1"}));
      }
    }
  }

  validate_pull_policy(errors, path, container);
  switch (kind) {
    case ContainerKind::kApp:
      validate_probes_and_lifecycle(errors, path, container, grace_period_seconds);
      if (!container.restart_policy.empty()) {
        errors.push_back(
            forbidden(path.child("restartPolicy"), "may not be set for non-init containers"));
      }
      break;
    case ContainerKind::kInit:
      break;  // validate_pod_spec goes on, around the duplicate-name check
  }
}

void validate_node_selector_term(FieldErrors& errors, const FieldPath& path,
                                 const NodeSelectorTerm& term) {
  auto check = [&](const std::vector<NodeSelectorRequirement>& requirements,
                   const FieldPath& list) {
    for (std::size_t i = 0; i < requirements.size(); ++i) {
      const NodeSelectorRequirement& requirement = requirements[i];
      const FieldPath item = list.index(i);
      switch (requirement.op) {
        case NodeSelectorOperator::kIn:
        case NodeSelectorOperator::kNotIn:
          if (requirement.values.empty()) {
            errors.push_back(required(item.child("values"),
                                      "must be specified when `operator` is 'In' or 'NotIn'"));
          }
          break;
        case NodeSelectorOperator::kExists:
        case NodeSelectorOperator::kDoesNotExist:
          if (!requirement.values.empty()) {
            errors.push_back(
                forbidden(item.child("values"),
                          "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
          }
          break;
        case NodeSelectorOperator::kGt:
        case NodeSelectorOperator::kLt: {
          const bool one_integer = requirement.values.size() == 1 &&
                                   std::regex_match(requirement.values[0], std::regex("-?[0-9]+"));
          if (!one_integer) {
            errors.push_back(
                required(item.child("values"),
                         "must be specified single value when `operator` is 'Lt' or 'Gt'"));
          }
          break;
        }
      }
      add_messages(errors, item.child("key"), requirement.key, is_qualified_name(requirement.key));
    }
  };
  check(term.match_expressions, path.child("matchExpressions"));
  check(term.match_fields, path.child("matchFields"));
  for (std::size_t i = 0; i < term.match_fields.size(); ++i) {
    if (term.match_fields[i].key != "metadata.name") {
      errors.push_back(invalid(path.child("matchFields").index(i).child("key"),
                               term.match_fields[i].key, "not a valid field selector key"));
    }
  }
}

void validate_pod_spec(FieldErrors& errors, const FieldPath& path, const PodSpec& spec) {
  if (spec.containers.empty()) errors.push_back(required(path.child("containers")));
  std::set<std::string> names;
  for (std::size_t i = 0; i < spec.containers.size(); ++i) {
    const Container& container = spec.containers[i];
    validate_container(errors, path.child("containers").index(i), container,
                       spec.termination_grace_period_seconds, ContainerKind::kApp);
    if (!container.name.empty() && !names.insert(container.name).second) {
      errors.push_back(duplicate(path.child("containers").index(i).child("name"), container.name));
    }
  }
  // validateInitContainers: its restartPolicy, its name unique among both lists (the duplicate
  // reported on the init container), then its probes and lifecycle, in Kubernetes' order.
  for (std::size_t i = 0; i < spec.init_containers.size(); ++i) {
    const Container& container = spec.init_containers[i];
    const FieldPath item = path.child("initContainers").index(i);
    validate_container(errors, item, container, spec.termination_grace_period_seconds,
                       ContainerKind::kInit);
    if (!container.restart_policy.empty() && !is_sidecar(container)) {
      errors.push_back(
          unsupported(item.child("restartPolicy"), container.restart_policy, {"Always"}));
    }
    if (!container.name.empty() && !names.insert(container.name).second) {
      errors.push_back(duplicate(item.child("name"), container.name));
    }
    if (is_sidecar(container)) {
      validate_probes_and_lifecycle(errors, item, container, spec.termination_grace_period_seconds);
      continue;
    }
    // Not validated further: a regular init container may not have them at all.
    for (const auto& [field, set] : {std::pair{"lifecycle", container.lifecycle.has_value()},
                                     {"livenessProbe", container.liveness_probe.has_value()},
                                     {"readinessProbe", container.readiness_probe.has_value()},
                                     {"startupProbe", container.startup_probe.has_value()}}) {
      if (set) {
        errors.push_back(forbidden(item.child(field),
                                   "may not be set for init containers without "
                                   "restartPolicy=Always"));
      }
    }
  }
  const std::string& restart = spec.restart_policy;
  if (restart != "Always" && restart != "OnFailure" && restart != "Never") {
    errors.push_back(
        unsupported(path.child("restartPolicy"), restart, {"Always", "OnFailure", "Never"}));
  }
  if (spec.termination_grace_period_seconds.has_value()) {
    validate_non_negative(errors, path.child("terminationGracePeriodSeconds"),
                          *spec.termination_grace_period_seconds);
  }
  const std::string& dns = spec.dns_policy;
  if (dns != "ClusterFirst" && dns != "ClusterFirstWithHostNet" && dns != "Default" &&
      dns != "None") {
    errors.push_back(unsupported(path.child("dnsPolicy"), dns,
                                 {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}));
  }
  validate_labels(errors, path.child("nodeSelector"), spec.node_selector);
  if (spec.affinity.has_value() && spec.affinity->node_affinity.has_value()) {
    const NodeAffinity& affinity = *spec.affinity->node_affinity;
    const FieldPath affinity_path = path.child("affinity").child("nodeAffinity");
    if (affinity.required_terms.has_value()) {
      const FieldPath terms = affinity_path.child("requiredDuringSchedulingIgnoredDuringExecution")
                                  .child("nodeSelectorTerms");
      if (affinity.required_terms->empty()) {
        errors.push_back(required(terms, "must have at least one node selector term"));
      }
      for (std::size_t i = 0; i < affinity.required_terms->size(); ++i) {
        validate_node_selector_term(errors, terms.index(i), (*affinity.required_terms)[i]);
      }
    }
    for (std::size_t i = 0; i < affinity.preferred.size(); ++i) {
      const FieldPath item =
          affinity_path.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
      const std::int32_t weight = affinity.preferred[i].weight;
      if (weight < 1 || weight > 100) {
        errors.push_back(invalid(item.child("weight"), weight, "must be in the range 1-100"));
      }
      validate_node_selector_term(errors, item.child("preference"),
                                  affinity.preferred[i].preference);
    }
  }
}

// ValidatePodTemplateSpecForReplicaSet: the template's labels must satisfy the selector, and a
// controller's pods must always restart.
void validate_template_for_replicas(FieldErrors& errors, const FieldPath& path,
                                    const PodTemplateSpec& template_spec,
                                    const LabelSelector& selector) {
  const FieldPath labels = path.child("metadata").child("labels");
  validate_labels(errors, labels, template_spec.metadata.labels);
  validate_annotations(errors, path.child("metadata").child("annotations"),
                       template_spec.metadata.annotations);
  if (!selector.empty() && !selector.matches(template_spec.metadata.labels)) {
    errors.push_back(invalid_rendered(labels, render_labels(template_spec.metadata.labels),
                                      "`selector` does not match template `labels`"));
  }
  validate_pod_spec(errors, path.child("spec"), template_spec.spec);
  if (template_spec.spec.restart_policy != "Always" &&
      (template_spec.spec.restart_policy == "OnFailure" ||
       template_spec.spec.restart_policy == "Never")) {
    errors.push_back(unsupported(path.child("spec").child("restartPolicy"),
                                 template_spec.spec.restart_policy, {"Always"}));
  }
}

void validate_selector_present(FieldErrors& errors, const FieldPath& path,
                               const LabelSelector& selector, bool has_selector, const char* kind) {
  if (!has_selector) {
    errors.push_back(required(path));
    return;
  }
  validate_label_selector(errors, path, selector);
  if (selector.empty()) {
    errors.push_back(
        invalid_rendered(path, "{}", fmt::format("empty selector is invalid for {}", kind)));
  }
}

// ValidateRollingUpdateDeployment: non-negative ints or valid percents; maxUnavailable at most
// 100%; both literally zero is an error.
void validate_rolling_update(FieldErrors& errors, const FieldPath& path,
                             const RollingUpdateDeployment& rolling) {
  auto check = [&](const std::optional<IntOrString>& value,
                   const FieldPath& field) -> std::optional<std::int32_t> {
    if (!value.has_value()) return std::nullopt;
    if (!value->is_string()) {
      validate_non_negative(errors, field, value->int_value());
      return value->int_value();
    }
    static const std::regex percent("[0-9]+%");
    if (!std::regex_match(value->string_value(), percent)) {
      errors.push_back(
          invalid(field, value->string_value(),
                  "a valid percent string must be a numeric string followed by an ending "
                  "'%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
      return std::nullopt;
    }
    // The pattern matched, so only a number too large for an int fails to parse: the largest, as
    // the API server's getPercentValue reads it (strconv.Atoi's value with its range error), so
    // that "99999999999%" is over 100%.
    const Result<std::int32_t> number = parse_percent(value->string_value());
    return number ? *number : std::numeric_limits<std::int32_t>::max();
  };
  const FieldPath unavailable_path = path.child("maxUnavailable");
  const auto unavailable = check(rolling.max_unavailable, unavailable_path);
  const auto surge = check(rolling.max_surge, path.child("maxSurge"));
  if (rolling.max_unavailable.has_value() && rolling.max_unavailable->is_string() &&
      unavailable.has_value() && *unavailable > 100) {
    errors.push_back(invalid(unavailable_path, rolling.max_unavailable->string_value(),
                             "must not be greater than 100%"));
  }
  if (unavailable == 0 && surge == 0) {
    errors.push_back(invalid_rendered(unavailable_path, rolling.max_unavailable->to_string(),
                                      "may not be 0 when maxSurge is 0"));
  }
}

}  // namespace

std::vector<std::string> is_dns1123_label(const std::string& value) {
  std::vector<std::string> messages;
  if (value.size() > 63) messages.push_back(max_length_message(63));
  if (!std::regex_match(value, dns1123_label_regex())) {
    messages.push_back(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
        "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
        "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  }
  return messages;
}

std::vector<std::string> is_dns1123_subdomain(const std::string& value) {
  static const std::regex pattern(
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  std::vector<std::string> messages;
  if (value.size() > 253) messages.push_back(max_length_message(253));
  if (!std::regex_match(value, pattern)) {
    messages.push_back(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
        "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
        "used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return messages;
}

std::vector<std::string> is_dns1035_label(const std::string& value) {
  static const std::regex pattern("[a-z]([-a-z0-9]*[a-z0-9])?");
  std::vector<std::string> messages;
  if (value.size() > 63) messages.push_back(max_length_message(63));
  if (!std::regex_match(value, pattern)) {
    messages.push_back(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
        "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  return messages;
}

std::vector<std::string> is_qualified_name(const std::string& value) {
  static const std::regex name_pattern("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  std::vector<std::string> messages;
  std::string name = value;
  const auto slash = value.find('/');
  if (slash != std::string::npos) {
    const std::string prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      messages.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& message : is_dns1123_subdomain(prefix))
        messages.push_back("prefix part " + message);
    }
  }
  if (name.empty()) {
    messages.push_back("name part must be non-empty");
  } else {
    if (name.size() > 63) messages.push_back("name part " + max_length_message(63));
    if (!std::regex_match(name, name_pattern)) {
      messages.push_back(
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
          "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
          "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
    }
  }
  return messages;
}

std::vector<std::string> is_valid_label_value(const std::string& value) {
  static const std::regex pattern("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  std::vector<std::string> messages;
  if (value.size() > 63) messages.push_back(max_length_message(63));
  if (!std::regex_match(value, pattern)) {
    messages.push_back(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
        "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
        "'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  }
  return messages;
}

std::vector<std::string> is_valid_port_name(const std::string& value) {
  std::vector<std::string> messages;
  if (value.size() > 15) messages.push_back(max_length_message(15));
  const bool charset =
      std::all_of(value.begin(), value.end(), [](char c) { return is_alnum_lower(c) || c == '-'; });
  if (!charset)
    messages.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (value.find("--") != std::string::npos)
    messages.push_back("must not contain consecutive hyphens");
  const bool has_letter = std::any_of(value.begin(), value.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c));
  });
  if (!has_letter) messages.push_back("must contain at least one letter (a-z)");
  if (!value.empty() && (value.front() == '-' || value.back() == '-')) {
    messages.push_back("must not begin or end with a hyphen");
  }
  return messages;
}

FieldErrors validate_deployment(const Deployment& deployment) {
  FieldErrors errors;
  validate_object_meta(errors, deployment.metadata, true, NameRule::kDns1123Subdomain);
  const DeploymentSpec& spec = deployment.spec;
  const FieldPath path("spec");
  if (spec.replicas.has_value())
    validate_non_negative(errors, path.child("replicas"), *spec.replicas);
  validate_selector_present(errors, path.child("selector"), spec.selector, spec.has_selector,
                            "deployment");
  validate_template_for_replicas(errors, path.child("template"), spec.template_spec, spec.selector);
  const FieldPath strategy = path.child("strategy");
  if (spec.strategy.type == DeploymentStrategyType::kRecreate &&
      spec.strategy.rolling_update.has_value()) {
    errors.push_back(forbidden(strategy.child("rollingUpdate"),
                               "may not be specified when strategy `type` is 'Recreate'"));
  }
  if (spec.strategy.type == DeploymentStrategyType::kRollingUpdate &&
      spec.strategy.rolling_update.has_value()) {
    validate_rolling_update(errors, strategy.child("rollingUpdate"), *spec.strategy.rolling_update);
  }
  validate_non_negative(errors, path.child("minReadySeconds"), spec.min_ready_seconds);
  if (spec.revision_history_limit.has_value()) {
    validate_non_negative(errors, path.child("revisionHistoryLimit"), *spec.revision_history_limit);
  }
  if (spec.progress_deadline_seconds.has_value()) {
    validate_non_negative(errors, path.child("progressDeadlineSeconds"),
                          *spec.progress_deadline_seconds);
    if (*spec.progress_deadline_seconds <= spec.min_ready_seconds) {
      errors.push_back(invalid(path.child("progressDeadlineSeconds"),
                               *spec.progress_deadline_seconds,
                               "must be greater than minReadySeconds"));
    }
  }
  return errors;
}

FieldErrors validate_replica_set(const ReplicaSet& replica_set) {
  FieldErrors errors;
  validate_object_meta(errors, replica_set.metadata, true, NameRule::kDns1123Subdomain);
  const ReplicaSetSpec& spec = replica_set.spec;
  const FieldPath path("spec");
  if (spec.replicas.has_value())
    validate_non_negative(errors, path.child("replicas"), *spec.replicas);
  validate_non_negative(errors, path.child("minReadySeconds"), spec.min_ready_seconds);
  validate_selector_present(errors, path.child("selector"), spec.selector, spec.has_selector,
                            "replicaset");
  validate_template_for_replicas(errors, path.child("template"), spec.template_spec, spec.selector);
  return errors;
}

FieldErrors validate_pod(const Pod& pod) {
  FieldErrors errors;
  validate_object_meta(errors, pod.metadata, true, NameRule::kDns1123Subdomain);
  validate_pod_spec(errors, FieldPath("spec"), pod.spec);
  return errors;
}

FieldErrors validate_service(const Service& service) {
  FieldErrors errors;
  validate_object_meta(errors, service.metadata, true, NameRule::kDns1035Label);
  const ServiceSpec& spec = service.spec;
  const FieldPath path("spec");
  const std::string& type = spec.type;
  const bool known_type = type == kServiceTypeClusterIp || type == kServiceTypeNodePort ||
                          type == kServiceTypeLoadBalancer || type == kServiceTypeExternalName;
  if (!known_type) {
    errors.push_back(unsupported(path.child("type"), type,
                                 {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));
  }
  if (type != kServiceTypeExternalName && spec.ports.empty() && spec.cluster_ip != "None") {
    errors.push_back(required(path.child("ports")));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < spec.ports.size(); ++i) {
    const ServicePort& port = spec.ports[i];
    const FieldPath item = path.child("ports").index(i);
    if (spec.ports.size() > 1 && port.name.empty()) {
      errors.push_back(required(item.child("name")));
    } else if (!port.name.empty()) {
      add_messages(errors, item.child("name"), port.name, is_dns1123_label(port.name));
      if (!names.insert(port.name).second)
        errors.push_back(duplicate(item.child("name"), port.name));
    }
    validate_port_number(errors, item.child("port"), port.port);
    if (port.protocol != "TCP" && port.protocol != "UDP" && port.protocol != "SCTP") {
      errors.push_back(unsupported(item.child("protocol"), port.protocol, {"SCTP", "TCP", "UDP"}));
    }
    if (port.target_port.has_value())
      validate_port_number_or_name(errors, item.child("targetPort"), *port.target_port);
    if (port.node_port != 0) {
      if (type == kServiceTypeClusterIp) {
        errors.push_back(
            forbidden(item.child("nodePort"), "may not be used when `type` is 'ClusterIP'"));
      } else if (port.node_port < 30000 || port.node_port > 32767) {
        errors.push_back(invalid(
            item.child("nodePort"), port.node_port,
            "provided port is not in the valid range. The range of valid ports is 30000-32767"));
      }
    }
  }
  validate_labels(errors, path.child("selector"), spec.selector);
  const bool external = type == kServiceTypeNodePort || type == kServiceTypeLoadBalancer;
  const FieldPath external_policy = path.child("externalTrafficPolicy");
  if (!external && !spec.external_traffic_policy.empty()) {
    errors.push_back(invalid(external_policy, spec.external_traffic_policy,
                             "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
  } else if (external && spec.external_traffic_policy != kTrafficPolicyCluster &&
             spec.external_traffic_policy != kTrafficPolicyLocal) {
    errors.push_back(
        unsupported(external_policy, spec.external_traffic_policy, {"Cluster", "Local"}));
  }
  if (!spec.internal_traffic_policy.empty() &&
      spec.internal_traffic_policy != kTrafficPolicyCluster &&
      spec.internal_traffic_policy != kTrafficPolicyLocal) {
    errors.push_back(unsupported(path.child("internalTrafficPolicy"), spec.internal_traffic_policy,
                                 {"Cluster", "Local"}));
  }
  if (spec.health_check_node_port != 0) {
    if (type != kServiceTypeLoadBalancer || spec.external_traffic_policy != kTrafficPolicyLocal) {
      errors.push_back(invalid(
          path.child("healthCheckNodePort"), spec.health_check_node_port,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    } else {
      validate_port_number(errors, path.child("healthCheckNodePort"), spec.health_check_node_port);
    }
  }
  if (spec.session_affinity != "None" && spec.session_affinity != "ClientIP") {
    errors.push_back(
        unsupported(path.child("sessionAffinity"), spec.session_affinity, {"ClientIP", "None"}));
  }
  return errors;
}

FieldErrors validate_endpoint_slice(const EndpointSlice& slice) {
  FieldErrors errors;
  validate_object_meta(errors, slice.metadata, true, NameRule::kDns1123Subdomain);
  const std::string& type = slice.address_type;
  if (type.empty()) {
    errors.push_back(required(FieldPath("addressType")));
  } else if (type != "IPv4" && type != "IPv6" && type != "FQDN") {
    errors.push_back(unsupported(FieldPath("addressType"), type, {"FQDN", "IPv4", "IPv6"}));
  }
  for (std::size_t i = 0; i < slice.endpoints.size(); ++i) {
    const FieldPath item = FieldPath("endpoints").index(i);
    const std::size_t count = slice.endpoints[i].addresses.size();
    if (count < 1 || count > 100) {
      errors.push_back(invalid(item.child("addresses"), static_cast<std::int64_t>(count),
                               "must contain at least 1 address but no more than 100"));
    }
  }
  for (std::size_t i = 0; i < slice.ports.size(); ++i) {
    const EndpointPort& port = slice.ports[i];
    const FieldPath item = FieldPath("ports").index(i);
    if (port.port.has_value() && (*port.port < 0 || *port.port > 65535)) {
      errors.push_back(
          invalid(item.child("port"), *port.port, "must be between 0 and 65535, inclusive"));
    }
  }
  return errors;
}

FieldErrors validate_node(const Node& node) {
  FieldErrors errors;
  validate_object_meta(errors, node.metadata, false, NameRule::kDns1123Subdomain);
  return errors;
}

FieldErrors validate_event(const Event& event) {
  // pkg/apis/core/validation ValidateEvent (core/v1, without the events.k8s.io/v1 rules).
  FieldErrors errors;
  validate_object_meta(errors, event.metadata, true, NameRule::kDns1123Subdomain);
  if (!event.involved_object.namespace_name.empty() &&
      event.involved_object.namespace_name != event.metadata.namespace_name) {
    errors.push_back(invalid(FieldPath("involvedObject").child("namespace"),
                             event.involved_object.namespace_name,
                             "does not match event.namespace"));
  }
  if (event.reason.size() > 128) {
    errors.push_back(invalid(FieldPath("reason"), event.reason, "can have at most 128 characters"));
  }
  if (event.message.size() > 4096) {
    errors.push_back(invalid(FieldPath("message"), event.message.substr(0, 64) + "...",
                             "can have at most 4096 characters"));
  }
  return errors;
}

// IsConfigMapKey: the keys of ConfigMaps' and Secrets' data.
void validate_config_keys(FieldErrors& errors, const FieldPath& path,
                          const std::map<std::string, std::string>& data) {
  for (const auto& [key, value] : data) {
    const bool valid_characters = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.';
    });
    if (!valid_characters) {
      errors.push_back(invalid(path, key,
                               "a valid config key must consist of alphanumeric characters, '-', "
                               "'_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex "
                               "used for validation is '[-._a-zA-Z0-9]+')"));
    } else if (key.size() > 253) {
      errors.push_back(invalid(path, key, "must be no more than 253 characters"));
    } else if (key == "." || key == ".." || key.rfind("..", 0) == 0) {
      errors.push_back(invalid(path, key, "must not be '.' or '..' or start with '..'"));
    }
  }
}

// The API server's limit on a ConfigMap's or a Secret's data (1 MiB).
constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

FieldErrors validate_config_map(const ConfigMap& config_map) {
  FieldErrors errors;
  validate_object_meta(errors, config_map.metadata, true, NameRule::kDns1123Subdomain);
  validate_config_keys(errors, FieldPath("data"), config_map.data);
  validate_config_keys(errors, FieldPath("binaryData"), config_map.binary_data);
  std::size_t total = 0;
  for (const auto& [key, value] : config_map.data) {
    total += value.size();
    if (config_map.binary_data.count(key) > 0) {
      errors.push_back(invalid(FieldPath("data"), key, "duplicate of key present in binaryData"));
    }
  }
  for (const auto& [key, value] : config_map.binary_data) {
    total += value.size() / 4 * 3;
    if (!is_base64(value)) {
      errors.push_back(
          invalid_rendered(FieldPath("binaryData").key(key), "<binary>", "illegal base64 data"));
    }
  }
  if (total > kMaxConfigBytes) {
    errors.push_back({FieldErrorType::kTooLong, "data", "",
                      fmt::format("must have at most {} bytes", kMaxConfigBytes)});
  }
  return errors;
}

FieldErrors validate_secret(const Secret& secret) {
  FieldErrors errors;
  validate_object_meta(errors, secret.metadata, true, NameRule::kDns1123Subdomain);
  validate_config_keys(errors, FieldPath("data"), secret.data);
  std::size_t total = 0;
  for (const auto& [key, value] : secret.data) {
    total += value.size() / 4 * 3;
    if (!is_base64(value)) {
      errors.push_back(invalid_rendered(FieldPath("data").key(key), "<secret contents redacted>",
                                        "illegal base64 data"));
    }
  }
  if (total > kMaxConfigBytes) {
    errors.push_back({FieldErrorType::kTooLong, "data", "",
                      fmt::format("must have at most {} bytes", kMaxConfigBytes)});
  }
  return errors;
}

FieldErrors validate_service_account(const ServiceAccount& account) {
  FieldErrors errors;
  validate_object_meta(errors, account.metadata, true, NameRule::kDns1123Subdomain);
  return errors;
}

FieldErrors validate(const Object& object) {
  return std::visit(
      [](const auto& typed) -> FieldErrors {
        using T = std::decay_t<decltype(typed)>;
        if constexpr (std::is_same_v<T, Deployment>) return validate_deployment(typed);
        if constexpr (std::is_same_v<T, ReplicaSet>) return validate_replica_set(typed);
        if constexpr (std::is_same_v<T, Pod>) return validate_pod(typed);
        if constexpr (std::is_same_v<T, Service>) return validate_service(typed);
        if constexpr (std::is_same_v<T, EndpointSlice>) return validate_endpoint_slice(typed);
        if constexpr (std::is_same_v<T, Node>) return validate_node(typed);
        if constexpr (std::is_same_v<T, Event>) return validate_event(typed);
        if constexpr (std::is_same_v<T, ConfigMap>) return validate_config_map(typed);
        if constexpr (std::is_same_v<T, Secret>) return validate_secret(typed);
        if constexpr (std::is_same_v<T, ServiceAccount>) return validate_service_account(typed);
      },
      object);
}

std::string invalid_object_message(const Object& object, const FieldErrors& errors) {
  // The kind qualified by its group, as the API server's NewInvalid names it: "Deployment.apps".
  std::string kind = kind_of(object);
  const std::string api_version = api_version_of(object);
  if (const auto slash = api_version.find('/'); slash != std::string::npos) {
    kind += "." + api_version.substr(0, slash);
  }
  std::string message = kind + " \"" + metadata_of(object).name + "\" is invalid: ";
  if (errors.size() == 1) return message + errors.front().to_string();
  message += "[";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) message += ", ";
    message += errors[i].to_string();
  }
  return message + "]";
}

}  // namespace nodrop::api
