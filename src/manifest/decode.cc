#include "manifest/decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

namespace nodrop::manifest {

using api::FieldErrorType;
using api::FieldPath;
using api::IntOrString;

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

struct Context {
  api::FieldErrors errors;
  api::FieldErrors warnings;
  SourceMap lines;

  void type_error(const FieldPath& path, const Node& node, const char* expected) {
    errors.push_back({FieldErrorType::kTypeMismatch, path.str(), node.render(),
                      fmt::format("must be {}, not {}", expected, node.type_name())});
  }

  // A string field: the value, or an error. A number or boolean where a string belongs (the YAML
  // 1.1 trap: `version: 1.0`, `value: yes`) gets the quoted form as its fix.
  bool read_string(const FieldPath& path, const Node& node, std::string* out) {
    if (node.type() == Node::Type::kString) {
      *out = node.text();
      return true;
    }
    if (node.is_scalar() && !node.is_null()) {
      errors.push_back({FieldErrorType::kTypeMismatch, path.str(), node.render(),
                        fmt::format("must be a string, not {}; quote it: \"{}\"", node.type_name(),
                                    node.text())});
    } else {
      type_error(path, node, "a string");
    }
    return false;
  }
};

// Reads one mapping. Every key must be taken, declared not supported, or ignored; whatever is
// left when the reader goes out of scope is an unknown field.
class MapReader {
 public:
  MapReader(Context& context, const Node* node, FieldPath path)
      : context_(context), node_(node), path_(std::move(path)) {
    if (node_ != nullptr && !node_->is_mapping()) {
      context_.type_error(path_, *node_, "a mapping");
      node_ = nullptr;
    }
  }
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;
  ~MapReader() {
    if (node_ == nullptr) return;
    for (const Node::Entry& entry : node_->entries()) {
      if (used_.count(entry.key) != 0) continue;
      context_.lines.record(path_.child(entry.key).str(), entry.key_mark.line);
      const std::string suggestion = closest_known(entry.key);
      context_.warnings.push_back(
          {FieldErrorType::kUnknown, path_.child(entry.key).str(), "",
           suggestion.empty() ? "" : "did you mean \"" + suggestion + "\"?"});
    }
  }

  const FieldPath& path() const { return path_; }
  FieldPath path(const char* key) const { return path_.child(key); }
  Context& context() { return context_; }

  // The value of key, marked as read; nullptr when absent or null.
  const Node* take(const char* key) {
    known_.insert(key);
    if (node_ == nullptr) return nullptr;
    for (const Node::Entry& entry : node_->entries()) {
      if (entry.key != key) continue;
      used_.insert(entry.key);
      context_.lines.record(path_.child(key).str(), entry.key_mark.line);
      return entry.value.is_null() ? nullptr : &entry.value;
    }
    return nullptr;
  }
  bool has(const char* key) {
    known_.insert(key);
    return node_ != nullptr && node_->find(key) != nullptr;
  }

  void str(const char* key, std::string& out) {
    if (const Node* node = take(key)) {
      context_.read_string(path(key), *node, &out);
    }
  }
  void optional_str(const char* key, std::optional<std::string>& out) {
    if (has(key) && take(key) != nullptr) {
      std::string value;
      str(key, value);
      out = value;
    } else {
      take(key);
    }
  }

  template <typename Int>
  bool integer(const char* key, Int& out) {
    const Node* node = take(key);
    if (node == nullptr) return false;
    if (node->type() == Node::Type::kFloat &&
        node->float_value() ==
            static_cast<double>(static_cast<std::int64_t>(node->float_value()))) {
      // JSON writers emit 3.0 for 3; Kubernetes accepts integral floats.
      return store_integer(key, *node, static_cast<std::int64_t>(node->float_value()), out);
    }
    if (node->type() != Node::Type::kInt) {
      context_.type_error(path(key), *node, "an integer");
      return false;
    }
    return store_integer(key, *node, node->int_value(), out);
  }
  template <typename Int>
  void optional_integer(const char* key, std::optional<Int>& out) {
    Int value{};
    if (integer(key, value)) out = value;
  }

  void boolean(const char* key, bool& out) {
    if (const Node* node = take(key)) {
      if (node->type() != Node::Type::kBool) {
        context_.type_error(path(key), *node, "a boolean (true or false)");
        return;
      }
      out = node->bool_value();
    }
  }
  void optional_boolean(const char* key, std::optional<bool>& out) {
    if (has(key) && node_->find(key)->type() == Node::Type::kBool) {
      bool value = false;
      boolean(key, value);
      out = value;
    } else {
      bool ignored = false;
      boolean(key, ignored);
    }
  }

  void int_or_string(const char* key, std::optional<IntOrString>& out) {
    const Node* node = take(key);
    if (node == nullptr) return;
    if (node->type() == Node::Type::kInt) {
      std::int32_t value = 0;
      if (store_integer(key, *node, node->int_value(), value)) out = IntOrString::from_int(value);
    } else if (node->type() == Node::Type::kString) {
      out = IntOrString::from_string(node->text());
    } else {
      context_.type_error(path(key), *node, "an integer or a string");
    }
  }
  void int_or_string(const char* key, IntOrString& out) {
    std::optional<IntOrString> value;
    int_or_string(key, value);
    if (value.has_value()) out = *value;
  }

  void strings(const char* key, std::vector<std::string>& out) {
    const Node* node = take(key);
    if (node == nullptr) return;
    if (!node->is_sequence()) {
      context_.type_error(path(key), *node, "a list of strings");
      return;
    }
    for (std::size_t i = 0; i < node->items().size(); ++i) {
      const Node& item = node->items()[i];
      context_.lines.record(path(key).index(i).str(), item.mark.line);
      std::string value;
      if (context_.read_string(path(key).index(i), item, &value)) out.push_back(std::move(value));
    }
  }

  void string_map(const char* key, api::Labels& out) {
    const Node* node = take(key);
    if (node == nullptr) return;
    if (!node->is_mapping()) {
      context_.type_error(path(key), *node, "a mapping of strings");
      return;
    }
    for (const Node::Entry& entry : node->entries()) {
      const FieldPath item = path(key).child(entry.key);
      context_.lines.record(item.str(), entry.key_mark.line);
      if (entry.value.is_null()) {
        out[entry.key] = "";
        continue;
      }
      std::string value;
      if (context_.read_string(item, entry.value, &value)) out[entry.key] = std::move(value);
    }
  }

  void time(const char* key, std::optional<WallTime>& out) {
    const Node* node = take(key);
    if (node == nullptr) return;
    WallTime parsed;
    if (node->type() != Node::Type::kString || !parse_rfc3339(node->text(), &parsed)) {
      context_.type_error(path(key), *node, "an RFC 3339 time such as 2024-01-01T00:00:00Z");
      return;
    }
    out = parsed;
  }

  // Calls decode(MapReader&) on the mapping at key, if present.
  template <typename Decode>
  bool object(const char* key, Decode&& decode) {
    const Node* node = take(key);
    if (node == nullptr) return false;
    MapReader child(context_, node, path(key));
    decode(child);
    return true;
  }
  template <typename T, typename Decode>
  void optional_object(const char* key, std::optional<T>& out, Decode&& decode) {
    T value{};
    if (object(key, [&](MapReader& child) { decode(child, value); })) out = std::move(value);
  }

  // Calls decode(MapReader&, T&) for each mapping in the list at key.
  template <typename T, typename Decode>
  void list(const char* key, std::vector<T>& out, Decode&& decode) {
    const Node* node = take(key);
    if (node == nullptr) return;
    if (!node->is_sequence()) {
      context_.type_error(path(key), *node, "a list");
      return;
    }
    for (std::size_t i = 0; i < node->items().size(); ++i) {
      const Node& item = node->items()[i];
      context_.lines.record(path(key).index(i).str(), item.mark.line);
      MapReader child(context_, &item, path(key).index(i));
      T value{};
      decode(child, value);
      out.push_back(std::move(value));
    }
  }

  // Kubernetes fields nodrop reads past: each one present is a warning naming its path.
  void not_supported(std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
      if (!has(key)) continue;
      take(key);
      context_.warnings.push_back({FieldErrorType::kNotSupported, path(key).str(), "", ""});
    }
  }
  // Fields accepted and dropped without a word (server-managed bookkeeping).
  void ignore(std::initializer_list<const char*> keys) {
    for (const char* key : keys) take(key);
  }

 private:
  // The known field closest to a misspelt one (edit distance at most 2), or "".
  std::string closest_known(const std::string& key) const {
    std::string best;
    std::size_t best_distance = 3;
    for (const std::string& candidate : known_) {
      const std::size_t distance = edit_distance(key, candidate);
      if (distance < best_distance) {
        best_distance = distance;
        best = candidate;
      }
    }
    return best;
  }

  static std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                          std::tolower(static_cast<unsigned char>(b[j - 1]));
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  }

  template <typename Int>
  bool store_integer(const char* key, const Node& node, std::int64_t value, Int& out) {
    if (value < std::numeric_limits<Int>::min() || value > std::numeric_limits<Int>::max()) {
      context_.errors.push_back(
          {FieldErrorType::kTypeMismatch, path(key).str(), node.render(),
           sizeof(Int) == 4 ? "must fit in a 32-bit integer" : "out of range"});
      return false;
    }
    out = static_cast<Int>(value);
    return true;
  }

  Context& context_;
  const Node* node_;
  FieldPath path_;
  std::set<std::string> used_;
  std::set<std::string> known_;  // every field this reader asked for, present or not
};

void decode_owner_reference(MapReader& reader, api::OwnerReference& out) {
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

void decode_object_reference(MapReader& reader, api::ObjectReference& out) {
  reader.str("apiVersion", out.api_version);
  reader.str("kind", out.kind);
  reader.str("namespace", out.namespace_name);
  reader.str("name", out.name);
  reader.str("uid", out.uid);
  reader.str("resourceVersion", out.resource_version);
  reader.str("fieldPath", out.field_path);
}

void decode_meta(MapReader& reader, api::ObjectMeta& out) {
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

api::SelectorOperator parse_selector_operator(MapReader& reader, const std::string& text) {
  if (text == "In") return api::SelectorOperator::kIn;
  if (text == "NotIn") return api::SelectorOperator::kNotIn;
  if (text == "Exists") return api::SelectorOperator::kExists;
  if (text == "DoesNotExist") return api::SelectorOperator::kDoesNotExist;
  reader.context().errors.push_back(
      api::unsupported(reader.path("operator"), text, {"DoesNotExist", "Exists", "In", "NotIn"}));
  return api::SelectorOperator::kIn;
}

void decode_label_selector(MapReader& reader, api::LabelSelector& out) {
  reader.string_map("matchLabels", out.match_labels);
  reader.list("matchExpressions", out.match_expressions,
              [](MapReader& item, api::LabelSelectorRequirement& requirement) {
                item.str("key", requirement.key);
                std::string op;
                item.str("operator", op);
                requirement.op = parse_selector_operator(item, op);
                item.strings("values", requirement.values);
              });
}

void decode_condition(MapReader& reader, api::Condition& out) {
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

void decode_handler_fields(MapReader& reader, api::Handler& out, HandlerUse use) {
  reader.optional_object("exec", out.exec, [](MapReader& exec, api::ExecAction& action) {
    exec.strings("command", action.command);
  });
  reader.optional_object("httpGet", out.http_get, [](MapReader& http, api::HttpGetAction& action) {
    http.str("path", action.path);
    http.int_or_string("port", action.port);
    http.str("host", action.host);
    http.str("scheme", action.scheme);
    http.list("httpHeaders", action.http_headers, [](MapReader& header, api::HttpHeader& value) {
      header.str("name", value.name);
      header.str("value", value.value);
    });
  });
  reader.optional_object("tcpSocket", out.tcp_socket,
                         [](MapReader& tcp, api::TcpSocketAction& action) {
                           tcp.int_or_string("port", action.port);
                           tcp.str("host", action.host);
                         });
  if (use == HandlerUse::kProbe) {
    reader.optional_object("grpc", out.grpc, [](MapReader& grpc, api::GrpcAction& action) {
      grpc.integer("port", action.port);
      grpc.optional_str("service", action.service);
    });
  } else {
    reader.optional_object("sleep", out.sleep, [](MapReader& sleep, api::SleepAction& action) {
      sleep.integer("seconds", action.seconds);
    });
  }
}

void decode_probe(MapReader& reader, api::Probe& out) {
  decode_handler_fields(reader, out.handler, HandlerUse::kProbe);
  reader.integer("initialDelaySeconds", out.initial_delay_seconds);
  reader.integer("timeoutSeconds", out.timeout_seconds);
  reader.integer("periodSeconds", out.period_seconds);
  reader.integer("successThreshold", out.success_threshold);
  reader.integer("failureThreshold", out.failure_threshold);
  reader.optional_integer("terminationGracePeriodSeconds", out.termination_grace_period_seconds);
}

void decode_container(MapReader& reader, api::Container& out) {
  reader.str("name", out.name);
  reader.str("image", out.image);
  reader.strings("command", out.command);
  reader.strings("args", out.args);
  reader.str("workingDir", out.working_dir);
  reader.list("ports", out.ports, [](MapReader& port, api::ContainerPort& value) {
    port.str("name", value.name);
    port.integer("containerPort", value.container_port);
    port.integer("hostPort", value.host_port);
    port.str("protocol", value.protocol);
    port.not_supported({"hostIP"});
  });
  reader.list("env", out.env, [](MapReader& variable, api::EnvVar& value) {
    variable.str("name", value.name);
    variable.str("value", value.value);
    variable.object("valueFrom", [&](MapReader& from) {
      from.optional_object("fieldRef", value.field_ref,
                           [](MapReader& field, api::ObjectFieldSelector& selector) {
                             field.str("apiVersion", selector.api_version);
                             field.str("fieldPath", selector.field_path);
                           });
      from.not_supported({"configMapKeyRef", "secretKeyRef", "resourceFieldRef"});
    });
  });
  reader.optional_object("livenessProbe", out.liveness_probe, decode_probe);
  reader.optional_object("readinessProbe", out.readiness_probe, decode_probe);
  reader.optional_object("startupProbe", out.startup_probe, decode_probe);
  reader.optional_object("lifecycle", out.lifecycle,
                         [](MapReader& lifecycle, api::Lifecycle& value) {
                           auto hook = [](MapReader& handler, api::Handler& action) {
                             decode_handler_fields(handler, action, HandlerUse::kLifecycle);
                           };
                           lifecycle.optional_object("preStop", value.pre_stop, hook);
                           lifecycle.optional_object("postStart", value.post_start, hook);
                           lifecycle.not_supported({"stopSignal"});
                         });
  reader.str("imagePullPolicy", out.image_pull_policy);
  reader.str("terminationMessagePath", out.termination_message_path);
  reader.str("terminationMessagePolicy", out.termination_message_policy);
  reader.not_supported({"resources", "volumeMounts", "volumeDevices", "securityContext", "envFrom",
                        "stdin", "stdinOnce", "tty", "resizePolicy", "restartPolicy"});
}

api::NodeSelectorOperator parse_node_operator(MapReader& reader, const std::string& text) {
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

void decode_node_selector_term(MapReader& reader, api::NodeSelectorTerm& out) {
  auto requirement = [](MapReader& item, api::NodeSelectorRequirement& value) {
    item.str("key", value.key);
    std::string op;
    item.str("operator", op);
    value.op = parse_node_operator(item, op);
    item.strings("values", value.values);
  };
  reader.list("matchExpressions", out.match_expressions, requirement);
  reader.list("matchFields", out.match_fields, requirement);
}

void decode_pod_spec(MapReader& reader, api::PodSpec& out) {
  reader.list("containers", out.containers, decode_container);
  reader.str("restartPolicy", out.restart_policy);
  reader.optional_integer("terminationGracePeriodSeconds", out.termination_grace_period_seconds);
  reader.str("nodeName", out.node_name);
  reader.string_map("nodeSelector", out.node_selector);
  reader.optional_object("affinity", out.affinity, [](MapReader& affinity, api::Affinity& value) {
    affinity.optional_object(
        "nodeAffinity", value.node_affinity, [](MapReader& node, api::NodeAffinity& nodes) {
          node.object("requiredDuringSchedulingIgnoredDuringExecution", [&](MapReader& required) {
            nodes.required_terms.emplace();
            required.list("nodeSelectorTerms", *nodes.required_terms, decode_node_selector_term);
          });
          node.list("preferredDuringSchedulingIgnoredDuringExecution", nodes.preferred,
                    [](MapReader& item, api::PreferredSchedulingTerm& term) {
                      item.integer("weight", term.weight);
                      item.object("preference", [&](MapReader& preference) {
                        decode_node_selector_term(preference, term.preference);
                      });
                    });
        });
    affinity.not_supported({"podAffinity", "podAntiAffinity"});
  });
  reader.str("dnsPolicy", out.dns_policy);
  reader.str("schedulerName", out.scheduler_name);
  reader.not_supported({"volumes",
                        "initContainers",
                        "ephemeralContainers",
                        "securityContext",
                        "serviceAccountName",
                        "serviceAccount",
                        "automountServiceAccountToken",
                        "imagePullSecrets",
                        "hostNetwork",
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
                        "enableServiceLinks",
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

void decode_template(MapReader& reader, api::PodTemplateSpec& out) {
  reader.object("metadata", [&](MapReader& meta) { decode_meta(meta, out.metadata); });
  reader.object("spec", [&](MapReader& spec) { decode_pod_spec(spec, out.spec); });
}

void decode_container_state(MapReader& reader, api::ContainerState& out) {
  reader.optional_object("waiting", out.waiting,
                         [](MapReader& waiting, api::ContainerStateWaiting& value) {
                           waiting.str("reason", value.reason);
                           waiting.str("message", value.message);
                         });
  reader.optional_object("running", out.running,
                         [](MapReader& running, api::ContainerStateRunning& value) {
                           running.time("startedAt", value.started_at);
                         });
  reader.optional_object("terminated", out.terminated,
                         [](MapReader& terminated, api::ContainerStateTerminated& value) {
                           terminated.integer("exitCode", value.exit_code);
                           terminated.integer("signal", value.signal);
                           terminated.str("reason", value.reason);
                           terminated.str("message", value.message);
                           terminated.time("startedAt", value.started_at);
                           terminated.time("finishedAt", value.finished_at);
                           terminated.ignore({"containerID"});
                         });
}

void decode_pod_status(MapReader& reader, api::PodStatus& out) {
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
  reader.list("containerStatuses", out.container_statuses,
              [](MapReader& item, api::ContainerStatus& status) {
                item.str("name", status.name);
                item.object("state",
                            [&](MapReader& state) { decode_container_state(state, status.state); });
                item.object("lastState", [&](MapReader& state) {
                  decode_container_state(state, status.last_state);
                });
                item.boolean("ready", status.ready);
                item.optional_boolean("started", status.started);
                item.integer("restartCount", status.restart_count);
                item.str("image", status.image);
                item.str("containerID", status.container_id);
                item.ignore({"imageID"});
              });
  reader.ignore({"podIPs", "hostIPs", "qosClass", "initContainerStatuses",
                 "ephemeralContainerStatuses", "nominatedNodeName", "resize"});
}

void decode_deployment(MapReader& root, api::Deployment& out) {
  root.object("spec", [&](MapReader& spec) {
    spec.optional_integer("replicas", out.spec.replicas);
    out.spec.has_selector = spec.object("selector", [&](MapReader& selector) {
      decode_label_selector(selector, out.spec.selector);
    });
    spec.object("template", [&](MapReader& template_reader) {
      decode_template(template_reader, out.spec.template_spec);
    });
    spec.object("strategy", [&](MapReader& strategy) {
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
                               [](MapReader& rolling, api::RollingUpdateDeployment& value) {
                                 rolling.int_or_string("maxUnavailable", value.max_unavailable);
                                 rolling.int_or_string("maxSurge", value.max_surge);
                               });
    });
    spec.integer("minReadySeconds", out.spec.min_ready_seconds);
    spec.optional_integer("revisionHistoryLimit", out.spec.revision_history_limit);
    spec.boolean("paused", out.spec.paused);
    spec.optional_integer("progressDeadlineSeconds", out.spec.progress_deadline_seconds);
  });
  root.object("status", [&](MapReader& status) {
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

void decode_replica_set(MapReader& root, api::ReplicaSet& out) {
  root.object("spec", [&](MapReader& spec) {
    spec.optional_integer("replicas", out.spec.replicas);
    spec.integer("minReadySeconds", out.spec.min_ready_seconds);
    out.spec.has_selector = spec.object("selector", [&](MapReader& selector) {
      decode_label_selector(selector, out.spec.selector);
    });
    spec.object("template", [&](MapReader& template_reader) {
      decode_template(template_reader, out.spec.template_spec);
    });
  });
  root.object("status", [&](MapReader& status) {
    status.integer("replicas", out.status.replicas);
    status.integer("fullyLabeledReplicas", out.status.fully_labeled_replicas);
    status.integer("readyReplicas", out.status.ready_replicas);
    status.integer("availableReplicas", out.status.available_replicas);
    status.integer("observedGeneration", out.status.observed_generation);
    status.list("conditions", out.status.conditions, decode_condition);
    status.ignore({"terminatingReplicas"});
  });
}

void decode_pod(MapReader& root, api::Pod& out) {
  root.object("spec", [&](MapReader& spec) { decode_pod_spec(spec, out.spec); });
  root.object("status", [&](MapReader& status) { decode_pod_status(status, out.status); });
}

void decode_service(MapReader& root, api::Service& out) {
  root.object("spec", [&](MapReader& spec) {
    spec.str("type", out.spec.type);
    spec.string_map("selector", out.spec.selector);
    spec.list("ports", out.spec.ports, [](MapReader& port, api::ServicePort& value) {
      port.str("name", value.name);
      port.str("protocol", value.protocol);
      port.integer("port", value.port);
      port.int_or_string("targetPort", value.target_port);
      port.integer("nodePort", value.node_port);
      port.not_supported({"appProtocol"});
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
    spec.ignore({"clusterIPs", "ipFamilies", "ipFamilyPolicy"});
    spec.not_supported({"sessionAffinityConfig", "loadBalancerSourceRanges", "loadBalancerClass",
                        "externalName", "trafficDistribution"});
  });
  root.object("status", [&](MapReader& status) {
    status.object("loadBalancer", [&](MapReader& balancer) {
      balancer.list("ingress", out.status.load_balancer_ingress,
                    [](MapReader& item, api::LoadBalancerIngress& value) {
                      item.str("ip", value.ip);
                      item.str("hostname", value.hostname);
                      item.ignore({"ipMode", "ports"});
                    });
    });
    status.ignore({"conditions"});
  });
}

void decode_endpoint_slice(MapReader& root, api::EndpointSlice& out) {
  root.str("addressType", out.address_type);
  root.list("endpoints", out.endpoints, [](MapReader& item, api::Endpoint& endpoint) {
    item.strings("addresses", endpoint.addresses);
    item.object("conditions", [&](MapReader& conditions) {
      conditions.optional_boolean("ready", endpoint.conditions.ready);
      conditions.optional_boolean("serving", endpoint.conditions.serving);
      conditions.optional_boolean("terminating", endpoint.conditions.terminating);
    });
    item.str("nodeName", endpoint.node_name);
    item.optional_object("targetRef", endpoint.target_ref, decode_object_reference);
    item.ignore({"hostname", "zone", "hints", "deprecatedTopology"});
  });
  root.list("ports", out.ports, [](MapReader& item, api::EndpointPort& port) {
    item.optional_str("name", port.name);
    item.optional_str("protocol", port.protocol);
    item.optional_integer("port", port.port);
    item.ignore({"appProtocol"});
  });
}

void decode_node(MapReader& root, api::Node& out) {
  root.object("spec", [&](MapReader& spec) {
    spec.boolean("unschedulable", out.spec.unschedulable);
    spec.not_supported({"taints", "podCIDR", "podCIDRs", "providerID"});
  });
  root.object("status", [&](MapReader& status) {
    status.list("addresses", out.status.addresses, [](MapReader& item, api::NodeAddress& address) {
      item.str("type", address.type);
      item.str("address", address.address);
    });
    status.list("conditions", out.status.conditions, decode_condition);
    status.ignore({"capacity", "allocatable", "nodeInfo", "images", "daemonEndpoints",
                   "volumesInUse", "volumesAttached", "phase", "config", "runtimeHandlers",
                   "features"});
  });
}

void decode_event(MapReader& root, api::Event& out) {
  root.object("involvedObject", [&](MapReader& reference) {
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
  root.object("source", [&](MapReader& source) {
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
};

}  // namespace

DecodeResult decode_object(const Node& root) {
  DecodeResult result;
  Context context;
  context.lines.record("", root.mark.line);
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
    return api::Node{};
  }();
  {
    MapReader reader(context, &root, FieldPath());
    reader.take("apiVersion");
    reader.take("kind");
    reader.object("metadata",
                  [&](MapReader& meta) { decode_meta(meta, api::metadata_of(object)); });
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
