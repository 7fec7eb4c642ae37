#include "cli/deployment_description.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "apiserver/patch.h"
#include "cli/event_times.h"
#include "cli/node_paths.h"
#include "cli/rollout_history.h"
#include "cli/table_printer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kLastAppliedAnnotation[] = "kubectl.kubernetes.io/last-applied-configuration";

// A scalar as %v prints it: strings bare, numbers as written.
std::string scalar_at(const Node& node, std::initializer_list<const char*> path) {
  const Node* value = node_at(node, path);
  if (value == nullptr || !value->is_scalar() || value->is_null()) return "";
  if (value->type() == Node::Type::kBool) return value->bool_value() ? "true" : "false";
  return value->text();
}

// "Mon, 30 Nov 2026 23:23:16 +0000": Go's time.RFC1123Z, in UTC.
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

// printLabelsMultiline / printAnnotationsMultiline: the first on the title's line, the others
// each on a line of their own in the value's column; "<none>" for none.
void write_map(std::string& out, const std::string& indent, const std::string& title,
               const Node* map, const char* separator, bool skip_last_applied) {
  std::vector<std::pair<std::string, std::string>> entries;
  if (map != nullptr && map->is_mapping()) {
    for (const Node::Entry& entry : map->entries()) {
      if (skip_last_applied && entry.key == kLastAppliedAnnotation) continue;
      entries.emplace_back(entry.key, entry.value.text());
    }
  }
  std::sort(entries.begin(), entries.end());
  out += indent + title + ":\t";
  if (entries.empty()) {
    out += "<none>\n";
    return;
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += indent + "\t";
    out += entries[i].first + separator + entries[i].second + "\n";
  }
}

std::string selector_text(const Node& deployment) {
  const Node* labels = node_at(deployment, {"spec", "selector", "matchLabels"});
  std::vector<std::string> parts;
  if (labels != nullptr && labels->is_mapping()) {
    for (const Node::Entry& entry : labels->entries()) {
      parts.push_back(entry.key + "=" + entry.value.text());
    }
  }
  std::sort(parts.begin(), parts.end());
  const Node* expressions = node_at(deployment, {"spec", "selector", "matchExpressions"});
  if (expressions != nullptr && expressions->is_sequence() && !expressions->items().empty()) {
    parts.push_back("(expressions not shown by nodrop yet)");
  }
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : ",") + part;
  return text;
}

// "http-get http://:http/ready delay=0s timeout=1s period=1s #success=1 #failure=3"
std::string probe_text(const Node& probe) {
  std::string action = "unknown";
  if (const Node* get = node_at(probe, {"httpGet"})) {
    const std::string scheme = scalar_at(*get, {"scheme"}).empty() ? "http" : [&] {
      std::string lower = scalar_at(*get, {"scheme"});
      for (char& c : lower) c = static_cast<char>(std::tolower(c));
      return lower;
    }();
    action = "http-get " + scheme + "://" + scalar_at(*get, {"host"}) + ":" +
             scalar_at(*get, {"port"}) + scalar_at(*get, {"path"});
  } else if (const Node* tcp = node_at(probe, {"tcpSocket"})) {
    action = "tcp-socket " + scalar_at(*tcp, {"host"}) + ":" + scalar_at(*tcp, {"port"});
  } else if (const Node* command = node_at(probe, {"exec", "command"})) {
    std::string words;
    for (const Node& word : command->items()) words += (words.empty() ? "" : " ") + word.text();
    action = "exec [" + words + "]";
  } else if (const Node* grpc = node_at(probe, {"grpc"})) {
    action = "grpc <pod>:" + scalar_at(*grpc, {"port"}) + " " + scalar_at(*grpc, {"service"});
  }
  return fmt::format("{} delay={}s timeout={}s period={}s #success={} #failure={}", action,
                     integer_at(probe, {"initialDelaySeconds"}),
                     integer_at(probe, {"timeoutSeconds"}), integer_at(probe, {"periodSeconds"}),
                     integer_at(probe, {"successThreshold"}),
                     integer_at(probe, {"failureThreshold"}));
}

void write_resources(std::string& out, const Node& container, const char* key, const char* title) {
  const Node* resources = node_at(container, {"resources", key});
  if (resources == nullptr || !resources->is_mapping() || resources->entries().empty()) return;
  std::vector<std::pair<std::string, std::string>> entries;
  for (const Node::Entry& entry : resources->entries()) {
    entries.emplace_back(entry.key, entry.value.text());
  }
  std::sort(entries.begin(), entries.end());
  out += std::string("    ") + title + ":\n";
  for (const auto& [name, value] : entries) out += "      " + name + ":\t" + value + "\n";
}

void write_environment(std::string& out, const Node& container) {
  const Node* env = node_at(container, {"env"});
  const Node* env_from = node_at(container, {"envFrom"});
  const bool has_from =
      env_from != nullptr && env_from->is_sequence() && !env_from->items().empty();
  if (has_from) out += "    Environment Variables from:\t(not shown by nodrop yet)\n";
  if (env == nullptr || !env->is_sequence() || env->items().empty()) {
    out += "    Environment:\t<none>\n";
    return;
  }
  out += "    Environment:\n";
  for (const Node& variable : env->items()) {
    const std::string name = scalar_at(variable, {"name"});
    if (const Node* value = node_at(variable, {"value"})) {
      out += "      " + name + ":\t" + value->text() + "\n";
    } else if (const Node* field = node_at(variable, {"valueFrom", "fieldRef"})) {
      const std::string version = scalar_at(*field, {"apiVersion"});
      out += "      " + name + ":\t (" + (version.empty() ? "v1" : version) + ":" +
             scalar_at(*field, {"fieldPath"}) + ")\n";
    } else if (const Node* key = node_at(variable, {"valueFrom", "configMapKeyRef"})) {
      out += "      " + name + ":\t<set to the key '" + scalar_at(*key, {"key"}) +
             "' of config map '" + scalar_at(*key, {"name"}) +
             "'>\tOptional: " + (scalar_at(*key, {"optional"}) == "true" ? "true" : "false") + "\n";
    } else if (const Node* secret = node_at(variable, {"valueFrom", "secretKeyRef"})) {
      out += "      " + name + ":\t<set to the key '" + scalar_at(*secret, {"key"}) +
             "' in secret '" + scalar_at(*secret, {"name"}) +
             "'>\tOptional: " + (scalar_at(*secret, {"optional"}) == "true" ? "true" : "false") +
             "\n";
    } else {
      out += "      " + name + ":\t\n";
    }
  }
}

void write_container(std::string& out, const Node& container) {
  out += "   " + scalar_at(container, {"name"}) + ":\n";
  out += "    Image:\t" + scalar_at(container, {"image"}) + "\n";
  const Node* ports = node_at(container, {"ports"});
  std::vector<std::string> container_ports;
  std::vector<std::string> host_ports;
  if (ports != nullptr && ports->is_sequence()) {
    for (const Node& port : ports->items()) {
      std::string protocol = scalar_at(port, {"protocol"});
      if (protocol.empty()) protocol = "TCP";
      container_ports.push_back(
          fmt::format("{}/{}", integer_at(port, {"containerPort"}), protocol));
      host_ports.push_back(fmt::format("{}/{}", integer_at(port, {"hostPort"}), protocol));
    }
  }
  const auto joined = [](const std::vector<std::string>& parts) {
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
    return text;
  };
  if (container_ports.empty()) {
    out += "    Port:\t<none>\n    Host Port:\t<none>\n";
  } else if (container_ports.size() == 1) {
    out += "    Port:\t" + container_ports[0] + "\n    Host Port:\t" + host_ports[0] + "\n";
  } else {
    out += "    Ports:\t" + joined(container_ports) + "\n    Host Ports:\t" + joined(host_ports) +
           "\n";
  }
  for (const auto& [key, title] : {std::pair{"command", "Command"}, std::pair{"args", "Args"}}) {
    const Node* words = node_at(container, {key});
    if (words == nullptr || !words->is_sequence() || words->items().empty()) continue;
    out += std::string("    ") + title + ":\n";
    for (const Node& word : words->items()) out += "      " + word.text() + "\n";
  }
  write_resources(out, container, "limits", "Limits");
  write_resources(out, container, "requests", "Requests");
  for (const auto& [key, title] :
       {std::pair{"livenessProbe", "Liveness"}, std::pair{"readinessProbe", "Readiness"},
        std::pair{"startupProbe", "Startup"}}) {
    if (const Node* probe = node_at(container, {key})) {
      out += std::string("    ") + title + ":\t" + probe_text(*probe) + "\n";
    }
  }
  write_environment(out, container);
  const Node* mounts = node_at(container, {"volumeMounts"});
  out += mounts != nullptr && mounts->is_sequence() && !mounts->items().empty()
             ? "    Mounts:\t(not shown by nodrop yet)\n"
             : "    Mounts:\t<none>\n";
}

bool non_empty(const Node* node) {
  return node != nullptr && ((node->is_sequence() && !node->items().empty()) ||
                             (node->is_mapping() && !node->entries().empty()));
}

void write_pod_template(std::string& out, const Node& pod_template) {
  out += "Pod Template:\n";
  write_map(out, "  ", "Labels", node_at(pod_template, {"metadata", "labels"}), "=", false);
  if (non_empty(node_at(pod_template, {"metadata", "annotations"}))) {
    write_map(out, "  ", "Annotations", node_at(pod_template, {"metadata", "annotations"}), ": ",
              false);
  }
  if (const std::string account = scalar_at(pod_template, {"spec", "serviceAccountName"});
      !account.empty()) {
    out += "  Service Account:\t" + account + "\n";
  }
  if (non_empty(node_at(pod_template, {"spec", "initContainers"}))) {
    out += "  Init Containers:\t(not shown by nodrop yet)\n";
  }
  out += "  Containers:\n";
  if (const Node* containers = node_at(pod_template, {"spec", "containers"})) {
    for (const Node& container : containers->items()) write_container(out, container);
  }
  out += non_empty(node_at(pod_template, {"spec", "volumes"}))
             ? "  Volumes:\t(not shown by nodrop yet)\n"
             : "  Volumes:\t<none>\n";
  out += non_empty(node_at(pod_template, {"spec", "nodeSelector"}))
             ? "  Node-Selectors:\t(not shown by nodrop yet)\n"
             : "  Node-Selectors:\t<none>\n";
  out += non_empty(node_at(pod_template, {"spec", "tolerations"}))
             ? "  Tolerations:\t(not shown by nodrop yet)\n"
             : "  Tolerations:\t<none>\n";
}

std::string replica_sets_text(const std::vector<const Node*>& replica_sets) {
  if (replica_sets.empty()) return "<none>";
  std::string text;
  for (const Node* replica_set : replica_sets) {
    text += (text.empty() ? "" : ", ") +
            fmt::format("{} ({}/{} replicas created)", text_at(*replica_set, {"metadata", "name"}),
                        integer_at(*replica_set, {"status", "replicas"}),
                        integer_at(*replica_set, {"spec", "replicas"}));
  }
  return text;
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

}  // namespace

std::string describe_deployment(const Node& deployment, const Node& replica_sets,
                                const Node& events, WallTime now) {
  std::string out;
  out += "Name:\t" + text_at(deployment, {"metadata", "name"}) + "\n";
  out += "Namespace:\t" + text_at(deployment, {"metadata", "namespace"}) + "\n";
  out += "CreationTimestamp:\t" + rfc1123z(text_at(deployment, {"metadata", "creationTimestamp"})) +
         "\n";
  write_map(out, "", "Labels", node_at(deployment, {"metadata", "labels"}), "=", false);
  write_map(out, "", "Annotations", node_at(deployment, {"metadata", "annotations"}), ": ", true);
  out += "Selector:\t" + selector_text(deployment) + "\n";
  out +=
      fmt::format("Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
                  integer_at(deployment, {"spec", "replicas"}),
                  integer_at(deployment, {"status", "updatedReplicas"}),
                  integer_at(deployment, {"status", "replicas"}),
                  integer_at(deployment, {"status", "availableReplicas"}),
                  integer_at(deployment, {"status", "unavailableReplicas"}));
  const std::string strategy = scalar_at(deployment, {"spec", "strategy", "type"});
  out += "StrategyType:\t" + strategy + "\n";
  out += fmt::format("MinReadySeconds:\t{}\n", integer_at(deployment, {"spec", "minReadySeconds"}));
  if (strategy == "RollingUpdate") {
    out += "RollingUpdateStrategy:\t" +
           scalar_at(deployment, {"spec", "strategy", "rollingUpdate", "maxUnavailable"}) +
           " max unavailable, " +
           scalar_at(deployment, {"spec", "strategy", "rollingUpdate", "maxSurge"}) +
           " max surge\n";
  }
  const Node* pod_template = node_at(deployment, {"spec", "template"});
  write_pod_template(out, pod_template != nullptr ? *pod_template : Node::mapping());
  if (const Node* conditions = node_at(deployment, {"status", "conditions"});
      conditions != nullptr && conditions->is_sequence() && !conditions->items().empty()) {
    out += "Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n";
    for (const Node& condition : conditions->items()) {
      out += "  " + scalar_at(condition, {"type"}) + " \t" + scalar_at(condition, {"status"}) +
             "\t" + scalar_at(condition, {"reason"}) + "\n";
    }
  }
  // As deploymentutil.GetAllReplicaSets: the ReplicaSets the Deployment owns; the new one has its
  // template; every other is old, scaled to zero or not, in the order the API lists them.
  std::vector<const Node*> old_sets;
  std::vector<const Node*> new_set;
  const std::string uid = text_at(deployment, {"metadata", "uid"});
  const Node wanted =
      pod_template != nullptr ? pod_template_without_hash(*pod_template) : Node::mapping();
  if (const Node* items = node_at(replica_sets, {"items"}); items != nullptr) {
    for (const Node& replica_set : items->items()) {
      if (!owned_by(replica_set, uid)) continue;
      const Node* its_template = node_at(replica_set, {"spec", "template"});
      if (new_set.empty() && its_template != nullptr &&
          apiserver::json_equal(pod_template_without_hash(*its_template), wanted)) {
        new_set.push_back(&replica_set);
      } else {
        old_sets.push_back(&replica_set);
      }
    }
  }
  out += "OldReplicaSets:\t" + replica_sets_text(old_sets) + "\n";
  out += "NewReplicaSet:\t" + replica_sets_text(new_set) + "\n";
  write_events(out, events, now);
  return format_tabbed(out, {.minimum_width = 0, .padding = 2});
}

}  // namespace nodrop::cli
