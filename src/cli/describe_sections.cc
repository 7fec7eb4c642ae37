#include "cli/describe_sections.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/event_times.h"
#include "cli/node_paths.h"
#include "cli/quantity.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kLastAppliedAnnotation[] = "kubectl.kubernetes.io/last-applied-configuration";
// printAnnotationsMultiline's maxAnnotationLen.
constexpr std::size_t kAnnotationLengthMax = 140;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  lines.push_back(text.substr(start));
  return lines;
}

std::string joined(const std::vector<std::string>& parts, const char* separator) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : separator) + part;
  return text;
}

// Go's %t of an optional bool: false when unset.
const char* optional_text(const Node& node, std::initializer_list<const char*> path) {
  return scalar_at(node, path) == "true" ? "true" : "false";
}

// A resource quantity as Quantity.String() writes it; as given when it is not one.
std::string quantity_text(const Node& value) {
  const std::optional<Quantity> quantity = Quantity::parse(value.text());
  return quantity ? quantity->to_string() : value.text();
}

// Go's %q of a string without control characters.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// "http-get http://:http/ready delay=0s timeout=1s period=1s #success=1 #failure=3"
std::string probe_text(const Node& probe) {
  std::string action = "unknown";
  if (const Node* get = node_at(probe, {"httpGet"})) {
    std::string scheme = scalar_at(*get, {"scheme"});
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme.empty()) scheme = "http";
    const std::string port = scalar_at(*get, {"port"});
    action = "http-get " + scheme + "://" + scalar_at(*get, {"host"}) +
             (port.empty() ? "" : ":" + port) + scalar_at(*get, {"path"});
  } else if (const Node* tcp = node_at(probe, {"tcpSocket"})) {
    action = "tcp-socket " + scalar_at(*tcp, {"host"}) + ":" + scalar_at(*tcp, {"port"});
  } else if (const Node* command = node_at(probe, {"exec", "command"})) {
    std::vector<std::string> words;
    for (const Node& word : items_of(command)) words.push_back(word.text());
    action = "exec [" + joined(words, " ") + "]";
  } else if (const Node* grpc = node_at(probe, {"grpc"})) {
    action = "grpc <pod>:" + scalar_at(*grpc, {"port"}) + " " + scalar_at(*grpc, {"service"});
  }
  return fmt::format("{} delay={}s timeout={}s period={}s #success={} #failure={}", action,
                     integer_at(probe, {"initialDelaySeconds"}),
                     integer_at(probe, {"timeoutSeconds"}), integer_at(probe, {"periodSeconds"}),
                     integer_at(probe, {"successThreshold"}),
                     integer_at(probe, {"failureThreshold"}));
}

// describeResources at an indent: "Limits:" and "Requests:", each resource below, sorted.
void write_resources(std::string& out, const Node* resources, const std::string& indent) {
  if (resources == nullptr) return;
  for (const auto& [key, title] : {std::pair{"limits", "Limits"}, {"requests", "Requests"}}) {
    const Node* list = node_at(*resources, {key});
    if (list == nullptr || !list->is_mapping() || list->entries().empty()) continue;
    std::vector<std::pair<std::string, std::string>> entries;
    for (const Node::Entry& entry : list->entries()) {
      entries.emplace_back(entry.key, quantity_text(entry.value));
    }
    std::sort(entries.begin(), entries.end());
    out += indent + title + ":\n";
    for (const auto& [name, value] : entries) out += indent + "  " + name + ":\t" + value + "\n";
  }
}

// fieldpath.ExtractFieldPathAsString, as kubectl resolves a fieldRef variable against a pod: the
// metadata fields only (others, status.podIP among them, resolve to "").
std::string resolved_field(const Node& pod, const std::string& field_path) {
  const std::size_t open = field_path.find("['");
  if (open != std::string::npos && field_path.size() > open + 4 &&
      field_path.compare(field_path.size() - 2, 2, "']") == 0) {
    const std::string map = field_path.substr(0, open);
    const std::string key = field_path.substr(open + 2, field_path.size() - open - 4);
    if (map != "metadata.labels" && map != "metadata.annotations") return "";
    const Node* value = node_at(
        pod, {"metadata", map == "metadata.labels" ? "labels" : "annotations", key.c_str()});
    return value != nullptr ? value->text() : "";
  }
  if (field_path == "metadata.labels" || field_path == "metadata.annotations") {
    std::string text;
    for (const auto& [key, value] : sorted_entries(node_at(
             pod, {"metadata", field_path == "metadata.labels" ? "labels" : "annotations"}))) {
      text += (text.empty() ? "" : "\n") + key + "=" + quoted(value);
    }
    return text;
  }
  if (field_path == "metadata.name") return text_at(pod, {"metadata", "name"});
  if (field_path == "metadata.namespace") return text_at(pod, {"metadata", "namespace"});
  if (field_path == "metadata.uid") return text_at(pod, {"metadata", "uid"});
  return "";
}

// resourcehelper.ExtractContainerResourceValue with the default divisor of 1: CPU in whole
// cores rounded up, anything else in whole units; "node allocatable" for an unset limit.
std::string resource_field_value(const Node& container, const std::string& resource) {
  const std::size_t dot = resource.find('.');
  if (dot == std::string::npos) return "";
  const std::string kind = resource.substr(0, dot);  // limits, requests
  const std::string name = resource.substr(dot + 1);
  const Node* value = node_at(container, {"resources", kind.c_str(), name.c_str()});
  const std::optional<Quantity> quantity =
      value != nullptr ? Quantity::parse(value->text()) : Quantity();
  const std::string text = quantity ? std::to_string(quantity->value()) : "";
  if (text == "0" && (resource == "limits.cpu" || resource == "limits.memory")) {
    return "node allocatable";
  }
  return text;
}

void write_environment(std::string& out, const Node& container, const ContainerContext& context) {
  if (const Node* sources = node_at(container, {"envFrom"}); non_empty(sources)) {
    out += "    Environment Variables from:\n";
    for (const Node& source : items_of(sources)) {
      std::string from;
      const Node* reference = nullptr;
      if ((reference = node_at(source, {"configMapRef"})) != nullptr) {
        from = "ConfigMap";
      } else if ((reference = node_at(source, {"secretRef"})) != nullptr) {
        from = "Secret";
      }
      const std::string name = reference != nullptr ? scalar_at(*reference, {"name"}) : "";
      const char* optional =
          reference != nullptr ? optional_text(*reference, {"optional"}) : "false";
      const std::string prefix = scalar_at(source, {"prefix"});
      out += "      " + name + "\t" + from +
             (prefix.empty() ? "" : " with prefix '" + prefix + "'") + "\tOptional: " + optional +
             "\n";
    }
  }
  const Node* env = node_at(container, {"env"});
  if (!non_empty(env)) {
    out += "    Environment:\t<none>\n";
    return;
  }
  out += "    Environment:\n";
  for (const Node& variable : items_of(env)) {
    const std::string name = scalar_at(variable, {"name"});
    const Node* from = node_at(variable, {"valueFrom"});
    if (from == nullptr) {
      const std::vector<std::string> lines = split_lines(scalar_at(variable, {"value"}));
      out += "      " + name + ":\t" + lines[0] + "\n";
      for (std::size_t i = 1; i < lines.size(); ++i) out += "      \t" + lines[i] + "\n";
    } else if (const Node* field = node_at(*from, {"fieldRef"})) {
      const std::string path = scalar_at(*field, {"fieldPath"});
      const std::string value = context.pod != nullptr ? resolved_field(*context.pod, path) : "";
      out += "      " + name + ":\t" + value + " (" + scalar_at(*field, {"apiVersion"}) + ":" +
             path + ")\n";
    } else if (const Node* resource = node_at(*from, {"resourceFieldRef"})) {
      const std::string which = scalar_at(*resource, {"resource"});
      out +=
          "      " + name + ":\t" + resource_field_value(container, which) + " (" + which + ")\n";
    } else if (const Node* secret = node_at(*from, {"secretKeyRef"})) {
      out += "      " + name + ":\t<set to the key '" + scalar_at(*secret, {"key"}) +
             "' in secret '" + scalar_at(*secret, {"name"}) +
             "'>\tOptional: " + optional_text(*secret, {"optional"}) + "\n";
    } else if (const Node* key = node_at(*from, {"configMapKeyRef"})) {
      out += "      " + name + ":\t<set to the key '" + scalar_at(*key, {"key"}) +
             "' of config map '" + scalar_at(*key, {"name"}) +
             "'>\tOptional: " + optional_text(*key, {"optional"}) + "\n";
    }
  }
}

void write_mounts(std::string& out, const Node& container) {
  const Node* mounts = node_at(container, {"volumeMounts"});
  if (!non_empty(mounts)) {
    out += "    Mounts:\t<none>\n";
    return;
  }
  out += "    Mounts:\n";
  std::vector<const Node*> sorted;
  for (const Node& mount : items_of(mounts)) sorted.push_back(&mount);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Node* a, const Node* b) {
    return text_at(*a, {"mountPath"}) < text_at(*b, {"mountPath"});
  });
  for (const Node* mount : sorted) {
    std::string flags = scalar_at(*mount, {"readOnly"}) == "true" ? "ro" : "rw";
    if (const std::string sub_path = text_at(*mount, {"subPath"}); !sub_path.empty()) {
      flags += ",path=" + quoted(sub_path);
    }
    out += "      " + text_at(*mount, {"mountPath"}) + " from " + text_at(*mount, {"name"}) + " (" +
           flags + ")\n";
  }
}

// describeStatus: a container's state, or its last state.
void write_container_state(std::string& out, const char* title, const Node& state) {
  if (const Node* running = node_at(state, {"running"})) {
    out += std::string("    ") + title + ":\tRunning\n";
    out += "      Started:\t" + rfc1123z(text_at(*running, {"startedAt"})) + "\n";
  } else if (const Node* waiting = node_at(state, {"waiting"})) {
    out += std::string("    ") + title + ":\tWaiting\n";
    if (const std::string reason = text_at(*waiting, {"reason"}); !reason.empty()) {
      out += "      Reason:\t" + reason + "\n";
    }
  } else if (const Node* terminated = node_at(state, {"terminated"})) {
    out += std::string("    ") + title + ":\tTerminated\n";
    if (const std::string reason = text_at(*terminated, {"reason"}); !reason.empty()) {
      out += "      Reason:\t" + reason + "\n";
    }
    if (const std::string message = text_at(*terminated, {"message"}); !message.empty()) {
      out += "      Message:\t" + message + "\n";
    }
    out += fmt::format("      Exit Code:\t{}\n", integer_at(*terminated, {"exitCode"}));
    if (const std::int64_t signal = integer_at(*terminated, {"signal"}); signal > 0) {
      out += fmt::format("      Signal:\t{}\n", signal);
    }
    out += "      Started:\t" + rfc1123z(text_at(*terminated, {"startedAt"})) + "\n";
    out += "      Finished:\t" + rfc1123z(text_at(*terminated, {"finishedAt"})) + "\n";
  } else {
    out += std::string("    ") + title + ":\tWaiting\n";
  }
}

void write_container(std::string& out, const Node& container, const Node* status,
                     const ContainerContext& context, const std::string& space) {
  out += "  " + std::string(space.empty() ? "" : " ") + scalar_at(container, {"name"}) + ":\n";
  if (status != nullptr) out += "    Container ID:\t" + text_at(*status, {"containerID"}) + "\n";
  out += "    Image:\t" + scalar_at(container, {"image"}) + "\n";
  if (status != nullptr) out += "    Image ID:\t" + text_at(*status, {"imageID"}) + "\n";
  std::vector<std::string> container_ports;
  std::vector<std::string> host_ports;
  for (const Node& port : items_of(node_at(container, {"ports"}))) {
    const std::string protocol = scalar_at(port, {"protocol"});
    container_ports.push_back(fmt::format("{}/{}", integer_at(port, {"containerPort"}), protocol));
    host_ports.push_back(fmt::format("{}/{}", integer_at(port, {"hostPort"}), protocol));
  }
  // kubectl tells one port from several by a comma in the joined text.
  const std::string ports_text = joined(container_ports, ", ");
  const std::string host_ports_text = joined(host_ports, ", ");
  out += ports_text.find(',') != std::string::npos
             ? "    Ports:\t" + ports_text + "\n"
             : "    Port:\t" + (ports_text.empty() ? "<none>" : ports_text) + "\n";
  out += host_ports_text.find(',') != std::string::npos
             ? "    Host Ports:\t" + host_ports_text + "\n"
             : "    Host Port:\t" + (host_ports_text.empty() ? "<none>" : host_ports_text) + "\n";
  if (const Node* seccomp = node_at(container, {"securityContext", "seccompProfile"})) {
    out += "    SeccompProfile:\t" + scalar_at(*seccomp, {"type"}) + "\n";
    if (scalar_at(*seccomp, {"type"}) == "Localhost") {
      out += "      LocalhostProfile:\t" + scalar_at(*seccomp, {"localhostProfile"}) + "\n";
    }
  }
  for (const auto& [key, title] : {std::pair{"command", "Command"}, {"args", "Args"}}) {
    const Node* words = node_at(container, {key});
    if (!non_empty(words)) continue;
    out += std::string("    ") + title + ":\n";
    for (const Node& word : items_of(words)) {
      for (const std::string& line : split_lines(word.text())) out += "      " + line + "\n";
    }
  }
  if (status != nullptr) {
    write_container_state(
        out, "State",
        node_at(*status, {"state"}) != nullptr ? *node_at(*status, {"state"}) : Node::mapping());
    if (const Node* last = node_at(*status, {"lastState"});
        last != nullptr && node_at(*last, {"terminated"}) != nullptr) {
      write_container_state(out, "Last State", *last);
    }
    out += std::string("    Ready:\t") +
           (scalar_at(*status, {"ready"}) == "true" ? "True" : "False") + "\n";
    out += fmt::format("    Restart Count:\t{}\n", integer_at(*status, {"restartCount"}));
  }
  write_resources(out, node_at(container, {"resources"}), "    ");
  for (const auto& [key, title] : {std::pair{"livenessProbe", "Liveness"},
                                   {"readinessProbe", "Readiness"},
                                   {"startupProbe", "Startup"}}) {
    if (const Node* probe = node_at(container, {key})) {
      out += std::string("    ") + title + ":\t" + probe_text(*probe) + "\n";
    }
  }
  write_environment(out, container, context);
  write_mounts(out, container);
}

// "key=value,key in (a,b)" for a list of requirements in LabelSelectorRequirement's form.
std::vector<std::pair<std::string, std::string>> requirements_of(const Node& selector) {
  std::vector<std::pair<std::string, std::string>> requirements;
  for (const auto& [key, value] : sorted_entries(node_at(selector, {"matchLabels"}))) {
    requirements.emplace_back(key, key + "=" + value);
  }
  for (const Node& expression : items_of(node_at(selector, {"matchExpressions"}))) {
    const std::string key = scalar_at(expression, {"key"});
    const std::string op = scalar_at(expression, {"operator"});
    std::vector<std::string> values;
    for (const Node& value : items_of(node_at(expression, {"values"}))) {
      values.push_back(value.text());
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    if (op == "In") {
      requirements.emplace_back(key, key + " in (" + joined(values, ",") + ")");
    } else if (op == "NotIn") {
      requirements.emplace_back(key, key + " notin (" + joined(values, ",") + ")");
    } else if (op == "Exists") {
      requirements.emplace_back(key, key);
    } else if (op == "DoesNotExist") {
      requirements.emplace_back(key, "!" + key);
    }
  }
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return requirements;
}

}  // namespace

std::string rfc1123z(const std::string& rfc3339) {
  WallTime time;
  if (!parse_rfc3339(rfc3339, &time)) return rfc3339;
  const auto days = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date(days);
  const std::chrono::hh_mm_ss clock(std::chrono::floor<std::chrono::seconds>(time - days));
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return fmt::format(
      "{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[std::chrono::weekday(days).c_encoding()],
      static_cast<unsigned>(date.day()), kMonths[static_cast<unsigned>(date.month()) - 1],
      static_cast<int>(date.year()), clock.hours().count(), clock.minutes().count(),
      clock.seconds().count());
}

std::vector<std::pair<std::string, std::string>> sorted_entries(const Node* map) {
  std::vector<std::pair<std::string, std::string>> entries;
  if (map != nullptr && map->is_mapping()) {
    for (const Node::Entry& entry : map->entries()) {
      entries.emplace_back(entry.key, entry.value.text());
    }
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

const std::vector<Node>& items_of(const Node* node) {
  static const std::vector<Node> kNone;
  return node != nullptr && node->is_sequence() ? node->items() : kNone;
}

bool non_empty(const Node* node) {
  return node != nullptr && ((node->is_sequence() && !node->items().empty()) ||
                             (node->is_mapping() && !node->entries().empty()));
}

void write_labels(std::string& out, const std::string& title, const Node* labels) {
  const auto entries = sorted_entries(labels);
  out += title + ":\t";
  if (entries.empty()) {
    out += "<none>\n";
    return;
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    out += (i > 0 ? "\t" : "") + entries[i].first + "=" + entries[i].second + "\n";
  }
}

void write_annotations(std::string& out, const std::string& title, const Node* annotations) {
  auto entries = sorted_entries(annotations);
  std::erase_if(entries, [](const auto& entry) { return entry.first == kLastAppliedAnnotation; });
  out += title + ":\t";
  if (entries.empty()) {
    out += "<none>\n";
    return;
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += "\t";
    const std::string& key = entries[i].first;
    std::string value = entries[i].second;
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (value.size() + key.size() + 2 > kAnnotationLengthMax ||
        value.find('\n') != std::string::npos) {
      out += key + ":\n";
      for (const std::string& line : split_lines(value)) {
        out += "\t  " +
               (line.size() > kAnnotationLengthMax - 2
                    ? line.substr(0, kAnnotationLengthMax - 2) + "..."
                    : line) +
               "\n";
      }
    } else {
      out += key + ": " + value + "\n";
    }
  }
}

void write_name_and_metadata(std::string& out, const Node& object) {
  out += "Name:\t" + text_at(object, {"metadata", "name"}) + "\n";
  out += "Namespace:\t" + text_at(object, {"metadata", "namespace"}) + "\n";
  write_labels(out, "Labels", node_at(object, {"metadata", "labels"}));
  write_annotations(out, "Annotations", node_at(object, {"metadata", "annotations"}));
}

std::string label_selector_text(const Node* selector) {
  if (selector == nullptr) return "";
  std::vector<std::string> parts;
  for (const auto& [key, text] : requirements_of(*selector)) parts.push_back(text);
  return joined(parts, ",");
}

std::string labels_text(const Node* labels) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : sorted_entries(labels)) parts.push_back(key + "=" + value);
  return parts.empty() ? "<none>" : joined(parts, ",");
}

std::string controller_text(const Node& object) {
  for (const Node& owner : items_of(node_at(object, {"metadata", "ownerReferences"}))) {
    if (scalar_at(owner, {"controller"}) == "true") {
      return text_at(owner, {"kind"}) + "/" + text_at(owner, {"name"});
    }
  }
  return "";
}

void write_containers(std::string& out, const char* label, const Node* containers,
                      const ContainerContext& context, const std::string& space) {
  out += space + label + ":" + (non_empty(containers) ? "" : " <none>") + "\n";
  const bool init = std::string_view(label) == "Init Containers";
  const Node* statuses =
      context.pod != nullptr
          ? node_at(*context.pod, {"status", init ? "initContainerStatuses" : "containerStatuses"})
          : nullptr;
  for (const Node& container : items_of(containers)) {
    const Node* status = nullptr;
    for (const Node& candidate : items_of(statuses)) {
      if (text_at(candidate, {"name"}) == text_at(container, {"name"})) status = &candidate;
    }
    write_container(out, container, status, context, space);
  }
}

void write_volumes(std::string& out, const Node* volumes, const std::string& space) {
  if (!non_empty(volumes)) {
    out += space + "Volumes:\t<none>\n";
    return;
  }
  out += space + "Volumes:\n";
  for (const Node& volume : items_of(volumes)) {
    out += "  " + std::string(space.empty() ? "" : " ") + text_at(volume, {"name"}) + ":\n";
    if (const Node* empty_dir = node_at(volume, {"emptyDir"})) {
      const Node* limit = node_at(*empty_dir, {"sizeLimit"});
      const std::optional<Quantity> size =
          limit != nullptr ? Quantity::parse(limit->text()) : std::nullopt;
      out += "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n";
      out += "    Medium:\t" + scalar_at(*empty_dir, {"medium"}) + "\n";
      out += "    SizeLimit:\t" +
             (size && size->milli_value() > 0 ? size->to_string() : std::string("<unset>")) + "\n";
    } else if (const Node* secret = node_at(volume, {"secret"})) {
      out += "    Type:\tSecret (a volume populated by a Secret)\n";
      out += "    SecretName:\t" + scalar_at(*secret, {"secretName"}) + "\n";
      out += std::string("    Optional:\t") + optional_text(*secret, {"optional"}) + "\n";
    } else if (const Node* config_map = node_at(volume, {"configMap"})) {
      out += "    Type:\tConfigMap (a volume populated by a ConfigMap)\n";
      out += "    Name:\t" + scalar_at(*config_map, {"name"}) + "\n";
      out += std::string("    Optional:\t") + optional_text(*config_map, {"optional"}) + "\n";
    } else if (const Node* host_path = node_at(volume, {"hostPath"})) {
      const std::string type = scalar_at(*host_path, {"type"});
      out += "    Type:\tHostPath (bare host directory volume)\n";
      out += "    Path:\t" + scalar_at(*host_path, {"path"}) + "\n";
      out += "    HostPathType:\t" + (type.empty() ? std::string("<none>") : type) + "\n";
    } else {
      // The API refuses every other volume type (api/refusals.h), so none is stored to show.
      out += "  <unknown>\n";
    }
  }
}

void write_tolerations(std::string& out, const std::string& title, const Node* tolerations) {
  out += title + ":\t";
  if (!non_empty(tolerations)) {
    out += "<none>\n";
    return;
  }
  std::vector<const Node*> sorted;
  for (const Node& toleration : items_of(tolerations)) sorted.push_back(&toleration);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Node* a, const Node* b) {
    return scalar_at(*a, {"key"}) < scalar_at(*b, {"key"});
  });
  bool first = true;
  for (const Node* toleration : sorted) {
    if (!first) out += "\t";
    first = false;
    const std::string key = scalar_at(*toleration, {"key"});
    const std::string value = scalar_at(*toleration, {"value"});
    const std::string effect = scalar_at(*toleration, {"effect"});
    out += key;
    if (!value.empty()) out += "=" + value;
    if (!effect.empty()) out += ":" + effect;
    // An Exists toleration with neither key nor effect tolerates everything.
    if (scalar_at(*toleration, {"operator"}) == "Exists" && value.empty()) {
      out += key.empty() && effect.empty() ? "op=Exists" : " op=Exists";
    }
    if (node_at(*toleration, {"tolerationSeconds"}) != nullptr) {
      out += fmt::format(" for {}s", integer_at(*toleration, {"tolerationSeconds"}));
    }
    out += "\n";
  }
}

void write_topology_spread(std::string& out, const Node* constraints, const std::string& space) {
  if (!non_empty(constraints)) return;
  std::vector<const Node*> sorted;
  for (const Node& constraint : items_of(constraints)) sorted.push_back(&constraint);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Node* a, const Node* b) {
    return scalar_at(*a, {"topologyKey"}) < scalar_at(*b, {"topologyKey"});
  });
  out += space + "Topology Spread Constraints:\t";
  bool first = true;
  for (const Node* constraint : sorted) {
    if (!first) out += space + "\t";
    first = false;
    out += scalar_at(*constraint, {"topologyKey"}) + ":" +
           scalar_at(*constraint, {"whenUnsatisfiable"}) +
           fmt::format(" when max skew {} is exceeded", integer_at(*constraint, {"maxSkew"}));
    if (const Node* selector = node_at(*constraint, {"labelSelector"})) {
      const std::string text = label_selector_text(selector);
      out += " for selector " + (text.empty() ? std::string("<none>") : text);
    }
    out += "\n";
  }
}

void write_pod_template(std::string& out, const Node& pod_template) {
  out += "Pod Template:\n";
  write_labels(out, "  Labels", node_at(pod_template, {"metadata", "labels"}));
  if (const Node* annotations = node_at(pod_template, {"metadata", "annotations"});
      non_empty(annotations)) {
    write_annotations(out, "  Annotations", annotations);
  }
  if (const std::string account = scalar_at(pod_template, {"spec", "serviceAccountName"});
      !account.empty()) {
    out += "  Service Account:\t" + account + "\n";
  }
  if (const Node* init = node_at(pod_template, {"spec", "initContainers"}); non_empty(init)) {
    write_containers(out, "Init Containers", init, {}, "  ");
  }
  write_containers(out, "Containers", node_at(pod_template, {"spec", "containers"}), {}, "  ");
  write_volumes(out, node_at(pod_template, {"spec", "volumes"}), "  ");
  write_topology_spread(out, node_at(pod_template, {"spec", "topologySpreadConstraints"}), "  ");
  if (const std::string priority_class = scalar_at(pod_template, {"spec", "priorityClassName"});
      !priority_class.empty()) {
    out += "  Priority Class Name:\t" + priority_class + "\n";
  }
  write_labels(out, "  Node-Selectors", node_at(pod_template, {"spec", "nodeSelector"}));
  write_tolerations(out, "  Tolerations", node_at(pod_template, {"spec", "tolerations"}));
}

void write_reason_conditions(std::string& out, const Node& object) {
  const Node* conditions = node_at(object, {"status", "conditions"});
  if (!non_empty(conditions)) return;
  out += "Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n";
  for (const Node& condition : items_of(conditions)) {
    out += "  " + scalar_at(condition, {"type"}) + " \t" + scalar_at(condition, {"status"}) + "\t" +
           scalar_at(condition, {"reason"}) + "\n";
  }
}

void write_events(std::string& out, const Node& events, WallTime now) {
  const std::vector<const Node*> sorted = events_by_last_seen(events);
  if (sorted.empty()) {
    out += "Events:\t<none>\n";
    return;
  }
  out += "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n";
  for (const Node* event : sorted) {
    std::string from = text_at(*event, {"source", "component"});
    if (from.empty()) from = text_at(*event, {"reportingController"});
    out += "  " + text_at(*event, {"type"}) + "\t" + text_at(*event, {"reason"}) + "\t" +
           event_interval(*event, now) + "\t" + from + "\t" + event_message(*event) + "\n";
  }
}

}  // namespace nodrop::cli
