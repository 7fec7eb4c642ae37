#include "cli/pod_description.h"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "apiserver/tables.h"
#include "cli/describe_sections.h"
#include "cli/node_paths.h"
#include "cli/quantity.h"
#include "cli/table_printer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;
using ResourceTotals = std::map<std::string, Quantity>;

// processResourceList: the positive CPU and memory amounts of list added to totals.
void add_qos_resources(ResourceTotals& totals, const Node* list) {
  if (list == nullptr || !list->is_mapping()) return;
  for (const Node::Entry& entry : list->entries()) {
    if (entry.key != "cpu" && entry.key != "memory") continue;
    const std::optional<Quantity> quantity = Quantity::parse(entry.value.text());
    if (!quantity || quantity->milli_value() <= 0) continue;
    const auto [it, added] = totals.emplace(entry.key, *quantity);
    if (!added) it->second += *quantity;
  }
}

// Whether a limits list limits both CPU and memory to a positive amount.
bool limits_cpu_and_memory(const Node* limits) {
  ResourceTotals positive;
  add_qos_resources(positive, limits);
  return positive.count("cpu") == 1 && positive.count("memory") == 1;
}

}  // namespace

std::string pod_qos_class(const Node& pod) {
  if (const std::string stated = text_at(pod, {"status", "qosClass"}); !stated.empty()) {
    return stated;
  }
  ResourceTotals requests;
  ResourceTotals limits;
  bool guaranteed = true;
  if (const Node* resources = node_at(pod, {"spec", "resources"})) {
    add_qos_resources(requests, node_at(*resources, {"requests"}));
    if (const Node* pod_limits = node_at(*resources, {"limits"})) {
      add_qos_resources(limits, pod_limits);
      guaranteed = limits_cpu_and_memory(pod_limits);
    }
  } else {
    for (const char* list : {"containers", "initContainers"}) {
      const Node* containers = node_at(pod, {"spec", list});
      if (containers == nullptr || !containers->is_sequence()) continue;
      for (const Node& container : containers->items()) {
        add_qos_resources(requests, node_at(container, {"resources", "requests"}));
        add_qos_resources(limits, node_at(container, {"resources", "limits"}));
        if (!limits_cpu_and_memory(node_at(container, {"resources", "limits"}))) {
          guaranteed = false;
        }
      }
    }
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  for (const auto& [name, request] : requests) {
    const auto limit = limits.find(name);
    if (limit == limits.end() || !(limit->second == request)) guaranteed = false;
  }
  return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

std::string describe_pod(const Node& pod, const Node& events, WallTime now) {
  std::string out;
  out += "Name:\t" + text_at(pod, {"metadata", "name"}) + "\n";
  out += "Namespace:\t" + text_at(pod, {"metadata", "namespace"}) + "\n";
  if (node_at(pod, {"spec", "priority"}) != nullptr) {
    out += fmt::format("Priority:\t{}\n", integer_at(pod, {"spec", "priority"}));
  }
  if (const std::string name = text_at(pod, {"spec", "priorityClassName"}); !name.empty()) {
    out += "Priority Class Name:\t" + name + "\n";
  }
  if (const std::string name = text_at(pod, {"spec", "runtimeClassName"}); !name.empty()) {
    out += "Runtime Class Name:\t" + name + "\n";
  }
  if (const std::string account = text_at(pod, {"spec", "serviceAccountName"}); !account.empty()) {
    out += "Service Account:\t" + account + "\n";
  }
  const std::string node_name = text_at(pod, {"spec", "nodeName"});
  out += "Node:\t" +
         (node_name.empty() ? std::string("<none>")
                            : node_name + "/" + text_at(pod, {"status", "hostIP"})) +
         "\n";
  if (const std::string start = text_at(pod, {"status", "startTime"}); !start.empty()) {
    out += "Start Time:\t" + rfc1123z(start) + "\n";
  }
  write_labels(out, "Labels", node_at(pod, {"metadata", "labels"}));
  write_annotations(out, "Annotations", node_at(pod, {"metadata", "annotations"}));
  const std::string phase = text_at(pod, {"status", "phase"});
  WallTime deletion;
  if (parse_rfc3339(text_at(pod, {"metadata", "deletionTimestamp"}), &deletion) &&
      phase != "Failed" && phase != "Succeeded") {
    out += "Status:\tTerminating (lasts " + apiserver::human_duration(now - deletion) + ")\n";
    out += fmt::format("Termination Grace Period:\t{}s\n",
                       integer_at(pod, {"metadata", "deletionGracePeriodSeconds"}));
  } else {
    out += "Status:\t" + phase + "\n";
  }
  if (const std::string reason = text_at(pod, {"status", "reason"}); !reason.empty()) {
    out += "Reason:\t" + reason + "\n";
  }
  if (const std::string message = text_at(pod, {"status", "message"}); !message.empty()) {
    out += "Message:\t" + message + "\n";
  }
  if (const Node* seccomp = node_at(pod, {"spec", "securityContext", "seccompProfile"})) {
    out += "SeccompProfile:\t" + scalar_at(*seccomp, {"type"}) + "\n";
    if (scalar_at(*seccomp, {"type"}) == "Localhost") {
      out += "LocalhostProfile:\t" + scalar_at(*seccomp, {"localhostProfile"}) + "\n";
    }
  }
  out += "IP:\t" + text_at(pod, {"status", "podIP"}) + "\n";
  if (const Node* ips = node_at(pod, {"status", "podIPs"}); non_empty(ips)) {
    out += "IPs:\n";
    for (const Node& ip : ips->items()) out += "  IP:\t" + text_at(ip, {"ip"}) + "\n";
  } else {
    out += "IPs:\t<none>\n";
  }
  if (const std::string controller = controller_text(pod); !controller.empty()) {
    out += "Controlled By:\t" + controller + "\n";
  }
  if (const std::string nominated = text_at(pod, {"status", "nominatedNodeName"});
      !nominated.empty()) {
    out += "NominatedNodeName:\t" + nominated + "\n";
  }
  const ContainerContext context{.pod = &pod};
  if (const Node* init = node_at(pod, {"spec", "initContainers"}); non_empty(init)) {
    write_containers(out, "Init Containers", init, context, "");
  }
  write_containers(out, "Containers", node_at(pod, {"spec", "containers"}), context, "");
  if (const Node* gates = node_at(pod, {"spec", "readinessGates"}); non_empty(gates)) {
    out += "Readiness Gates:\n  Type\tStatus\n";
    for (const Node& gate : gates->items()) {
      std::string status = "<none>";
      for (const Node& condition : items_of(node_at(pod, {"status", "conditions"}))) {
        if (text_at(condition, {"type"}) == text_at(gate, {"conditionType"})) {
          status = text_at(condition, {"status"});
          break;
        }
      }
      out += "  " + text_at(gate, {"conditionType"}) + " \t" + status + " \n";
    }
  }
  if (const Node* conditions = node_at(pod, {"status", "conditions"}); non_empty(conditions)) {
    out += "Conditions:\n  Type\tStatus\n";
    for (const Node& condition : conditions->items()) {
      out += "  " + text_at(condition, {"type"}) + " \t" + text_at(condition, {"status"}) + " \n";
    }
  }
  write_volumes(out, node_at(pod, {"spec", "volumes"}), "");
  out += "QoS Class:\t" + pod_qos_class(pod) + "\n";
  write_labels(out, "Node-Selectors", node_at(pod, {"spec", "nodeSelector"}));
  write_tolerations(out, "Tolerations", node_at(pod, {"spec", "tolerations"}));
  write_topology_spread(out, node_at(pod, {"spec", "topologySpreadConstraints"}), "");
  write_events(out, events, now);
  return format_tabbed(out, {.minimum_width = 0, .padding = 2});
}

std::string describe_replica_set(const Node& replica_set, const Node& pods, const Node& events,
                                 WallTime now) {
  // getPodStatusForController: the pods this ReplicaSet controls, by phase.
  int running = 0;
  int waiting = 0;
  int succeeded = 0;
  int failed = 0;
  const std::string uid = text_at(replica_set, {"metadata", "uid"});
  for (const Node& pod : items_of(node_at(pods, {"items"}))) {
    bool controlled = false;
    for (const Node& owner : items_of(node_at(pod, {"metadata", "ownerReferences"}))) {
      controlled = controlled ||
                   (scalar_at(owner, {"controller"}) == "true" && text_at(owner, {"uid"}) == uid);
    }
    if (!controlled) continue;
    const std::string phase = text_at(pod, {"status", "phase"});
    running += phase == "Running";
    waiting += phase == "Pending";
    succeeded += phase == "Succeeded";
    failed += phase == "Failed";
  }
  std::string out;
  out += "Name:\t" + text_at(replica_set, {"metadata", "name"}) + "\n";
  out += "Namespace:\t" + text_at(replica_set, {"metadata", "namespace"}) + "\n";
  const std::string selector = label_selector_text(node_at(replica_set, {"spec", "selector"}));
  out += "Selector:\t" + (selector.empty() ? std::string("<none>") : selector) + "\n";
  write_labels(out, "Labels", node_at(replica_set, {"metadata", "labels"}));
  write_annotations(out, "Annotations", node_at(replica_set, {"metadata", "annotations"}));
  if (const std::string controller = controller_text(replica_set); !controller.empty()) {
    out += "Controlled By:\t" + controller + "\n";
  }
  out += fmt::format("Replicas:\t{} current / {} desired\n",
                     integer_at(replica_set, {"status", "replicas"}),
                     integer_at(replica_set, {"spec", "replicas"}));
  out += fmt::format("Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n", running,
                     waiting, succeeded, failed);
  const Node* pod_template = node_at(replica_set, {"spec", "template"});
  write_pod_template(out, pod_template != nullptr ? *pod_template : Node::mapping());
  write_reason_conditions(out, replica_set);
  write_events(out, events, now);
  return format_tabbed(out, {.minimum_width = 0, .padding = 2});
}

}  // namespace nodrop::cli
