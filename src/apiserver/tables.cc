#include "apiserver/tables.h"

#include <fmt/format.h>

#include "apiserver/json.h"

namespace nodrop::apiserver {
namespace {

struct Column {
  const char* name;
  const char* type;  // "string", "integer", "date"
  int priority;      // 0: always; 1: -o wide
  const char* format = "";
};

std::vector<Column> columns_of(const std::string& kind) {
  if (kind == "Deployment") {
    return {{"Name", "string", 0, "name"}, {"Ready", "string", 0},   {"Up-to-date", "integer", 0},
            {"Available", "integer", 0},   {"Age", "string", 0},     {"Containers", "string", 1},
            {"Images", "string", 1},       {"Selector", "string", 1}};
  }
  if (kind == "ReplicaSet") {
    return {{"Name", "string", 0, "name"}, {"Desired", "integer", 0}, {"Current", "integer", 0},
            {"Ready", "integer", 0},       {"Age", "string", 0},      {"Containers", "string", 1},
            {"Images", "string", 1},       {"Selector", "string", 1}};
  }
  if (kind == "Pod") {
    return {{"Name", "string", 0, "name"},
            {"Ready", "string", 0},
            {"Status", "string", 0},
            {"Restarts", "string", 0},
            {"Age", "string", 0},
            {"IP", "string", 1},
            {"Node", "string", 1},
            {"Nominated Node", "string", 1},
            {"Readiness Gates", "string", 1}};
  }
  if (kind == "Service") {
    return {{"Name", "string", 0, "name"}, {"Type", "string", 0},    {"Cluster-IP", "string", 0},
            {"External-IP", "string", 0},  {"Port(s)", "string", 0}, {"Age", "string", 0},
            {"Selector", "string", 1}};
  }
  if (kind == "Node") {
    return {{"Name", "string", 0, "name"},   {"Status", "string", 0},
            {"Roles", "string", 0},          {"Age", "string", 0},
            {"Version", "string", 0},        {"Internal-IP", "string", 1},
            {"External-IP", "string", 1},    {"OS-Image", "string", 1},
            {"Kernel-Version", "string", 1}, {"Container-Runtime", "string", 1}};
  }
  if (kind == "Event") {
    return {{"Last Seen", "string", 0},   {"Type", "string", 0},       {"Reason", "string", 0},
            {"Object", "string", 0},      {"Subobject", "string", 1},  {"Source", "string", 1},
            {"Message", "string", 0},     {"First Seen", "string", 1}, {"Count", "string", 1},
            {"Name", "string", 1, "name"}};
  }
  if (kind == "EndpointSlice") {
    return {{"Name", "string", 0, "name"},
            {"AddressType", "string", 0},
            {"Ports", "string", 0},
            {"Endpoints", "string", 0},
            {"Age", "string", 0}};
  }
  if (kind == "ConfigMap") {
    return {{"Name", "string", 0, "name"}, {"Data", "string", 0}, {"Age", "string", 0}};
  }
  if (kind == "Secret") {
    return {{"Name", "string", 0, "name"},
            {"Type", "string", 0},
            {"Data", "string", 0},
            {"Age", "string", 0}};
  }
  if (kind == "ServiceAccount") {
    return {{"Name", "string", 0, "name"}, {"Secrets", "string", 0}, {"Age", "string", 0}};
  }
  if (kind == "Namespace") {
    return {{"Name", "string", 0, "name"}, {"Status", "string", 0}, {"Age", "string", 0}};
  }
  return {{"Name", "string", 0, "name"}, {"Age", "string", 0}};
}

std::string age(const api::ObjectMeta& meta, WallTime now) {
  if (!meta.creation_timestamp) return "<unknown>";
  return human_duration(now - *meta.creation_timestamp);
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

std::string selector_text(const api::LabelSelector& selector) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : selector.match_labels) parts.push_back(key + "=" + value);
  for (const api::LabelSelectorRequirement& requirement : selector.match_expressions) {
    switch (requirement.op) {
      case api::SelectorOperator::kIn:
        parts.push_back(requirement.key + " in (" + join(requirement.values, ",") + ")");
        break;
      case api::SelectorOperator::kNotIn:
        parts.push_back(requirement.key + " notin (" + join(requirement.values, ",") + ")");
        break;
      case api::SelectorOperator::kExists:
        parts.push_back(requirement.key);
        break;
      case api::SelectorOperator::kDoesNotExist:
        parts.push_back("!" + requirement.key);
        break;
    }
  }
  return parts.empty() ? "<none>" : join(parts, ",");
}

std::string containers_of(const api::PodSpec& spec) {
  std::vector<std::string> names;
  for (const api::Container& container : spec.containers) names.push_back(container.name);
  return join(names, ",");
}

std::string images_of(const api::PodSpec& spec) {
  std::vector<std::string> images;
  for (const api::Container& container : spec.containers) images.push_back(container.image);
  return join(images, ",");
}

// printPod's STATUS: the phase, or a reason that says more (a waiting container's reason, a
// terminated one's), or Terminating.
const api::Container* init_container_named(const api::Pod& pod, const std::string& name) {
  for (const api::Container& container : pod.spec.init_containers) {
    if (container.name == name) return &container;
  }
  return nullptr;
}

bool is_sidecar_named(const api::Pod& pod, const std::string& name) {
  const api::Container* container = init_container_named(pod, name);
  return container != nullptr && api::is_sidecar(*container);
}

// kubectl's READY, STATUS and RESTARTS columns (printPod, with sidecars as in 1.29+). While the
// pod initializes, the first init container that is not done names the STATUS:
//
//   init container state                     STATUS
//   terminated, exit 0 / started sidecar     (done: the next one decides)
//   terminated, reason R                     Init:R               (Init:Error)
//   terminated, no reason                    Init:Signal:N or Init:ExitCode:N
//   waiting, reason R other than             Init:R               (Init:CrashLoopBackOff)
//     PodInitializing
//   otherwise (running, or not yet run)      Init:i/n             (i done of n)
//
// and RESTARTS counts the init containers' restarts. Once every one is done, or Initialized is
// True, the app containers name the STATUS as before and RESTARTS counts theirs and the
// sidecars'. READY counts the sidecars with the app containers.
struct PodSummary {
  int ready = 0;
  std::size_t total = 0;
  std::string status;
  int restarts = 0;
};

PodSummary summarize_pod(const api::Pod& pod) {
  PodSummary summary;
  summary.total = pod.spec.containers.size();
  for (const api::Container& container : pod.spec.init_containers) {
    summary.total += api::is_sidecar(container) ? 1 : 0;
  }
  std::string reason = api::pod_phase_name(pod.status.phase);
  if (!pod.status.reason.empty()) reason = pod.status.reason;
  bool initializing = false;
  int sidecar_restarts = 0;
  const auto& init_statuses = pod.status.init_container_statuses;
  for (std::size_t i = 0; i < init_statuses.size(); ++i) {
    const api::ContainerStatus& status = init_statuses[i];
    const bool sidecar = is_sidecar_named(pod, status.name);
    summary.restarts += status.restart_count;
    if (sidecar) sidecar_restarts += status.restart_count;
    const auto& terminated = status.state.terminated;
    const auto& waiting = status.state.waiting;
    if (terminated && terminated->exit_code == 0) continue;
    if (sidecar && status.started.value_or(false)) {
      summary.ready += status.ready ? 1 : 0;
      continue;
    }
    initializing = true;
    if (terminated) {
      if (!terminated->reason.empty()) {
        reason = "Init:" + terminated->reason;
      } else if (terminated->signal != 0) {
        reason = fmt::format("Init:Signal:{}", terminated->signal);
      } else {
        reason = fmt::format("Init:ExitCode:{}", terminated->exit_code);
      }
    } else if (waiting && !waiting->reason.empty() && waiting->reason != "PodInitializing") {
      reason = "Init:" + waiting->reason;
    } else {
      reason = fmt::format("Init:{}/{}", i, pod.spec.init_containers.size());
    }
    break;
  }
  const api::Condition* initialized =
      api::find_condition(pod.status.conditions, api::kPodInitialized);
  if (!initializing ||
      (initialized != nullptr && initialized->status == api::ConditionStatus::kTrue)) {
    summary.restarts = sidecar_restarts;
    for (const api::ContainerStatus& status : pod.status.container_statuses) {
      summary.ready += status.ready ? 1 : 0;
      summary.restarts += status.restart_count;
      if (status.state.waiting && !status.state.waiting->reason.empty()) {
        reason = status.state.waiting->reason;
      } else if (status.state.terminated && !status.state.terminated->reason.empty()) {
        reason = status.state.terminated->reason;
      } else if (status.state.terminated) {
        reason = status.state.terminated->signal != 0
                     ? fmt::format("Signal:{}", status.state.terminated->signal)
                     : fmt::format("ExitCode:{}", status.state.terminated->exit_code);
      }
    }
  }
  if (pod.metadata.deletion_timestamp) reason = "Terminating";
  summary.status = reason;
  return summary;
}

std::string service_ports(const api::Service& service) {
  std::vector<std::string> ports;
  for (const api::ServicePort& port : service.spec.ports) {
    std::string text = std::to_string(port.port);
    if (port.node_port != 0) text += ":" + std::to_string(port.node_port);
    text += "/" + (port.protocol.empty() ? std::string("TCP") : port.protocol);
    ports.push_back(text);
  }
  return ports.empty() ? "<none>" : join(ports, ",");
}

std::string external_ip(const api::Service& service) {
  std::vector<std::string> addresses = service.spec.external_ips;
  for (const api::LoadBalancerIngress& ingress : service.status.load_balancer_ingress) {
    addresses.push_back(ingress.ip.empty() ? ingress.hostname : ingress.ip);
  }
  if (!addresses.empty()) return join(addresses, ",");
  if (service.spec.type == api::kServiceTypeLoadBalancer) return "<pending>";
  return "<none>";
}

Node cells_of(const api::Object& object, WallTime now) {
  Node cells = Node::sequence();
  const auto add = [&](Node value) { cells.push(std::move(value)); };
  const api::ObjectMeta& meta = api::metadata_of(object);
  if (const auto* deployment = std::get_if<api::Deployment>(&object)) {
    add(text(meta.name));
    add(text(fmt::format("{}/{}", deployment->status.ready_replicas,
                         deployment->spec.replicas.value_or(1))));
    add(Node::integer(deployment->status.updated_replicas));
    add(Node::integer(deployment->status.available_replicas));
    add(text(age(meta, now)));
    add(text(containers_of(deployment->spec.template_spec.spec)));
    add(text(images_of(deployment->spec.template_spec.spec)));
    add(text(selector_text(deployment->spec.selector)));
  } else if (const auto* replica_set = std::get_if<api::ReplicaSet>(&object)) {
    add(text(meta.name));
    add(Node::integer(replica_set->spec.replicas.value_or(1)));
    add(Node::integer(replica_set->status.replicas));
    add(Node::integer(replica_set->status.ready_replicas));
    add(text(age(meta, now)));
    add(text(containers_of(replica_set->spec.template_spec.spec)));
    add(text(images_of(replica_set->spec.template_spec.spec)));
    add(text(selector_text(replica_set->spec.selector)));
  } else if (const auto* pod = std::get_if<api::Pod>(&object)) {
    const PodSummary summary = summarize_pod(*pod);
    add(text(meta.name));
    add(text(fmt::format("{}/{}", summary.ready, summary.total)));
    add(text(summary.status));
    add(text(std::to_string(summary.restarts)));
    add(text(age(meta, now)));
    add(text(pod->status.pod_ip.empty() ? "<none>" : pod->status.pod_ip));
    add(text(pod->spec.node_name.empty() ? "<none>" : pod->spec.node_name));
    add(text("<none>"));
    add(text("<none>"));
  } else if (const auto* service = std::get_if<api::Service>(&object)) {
    add(text(meta.name));
    add(text(service->spec.type.empty() ? "ClusterIP" : service->spec.type));
    add(text(service->spec.cluster_ip.empty() ? "<none>" : service->spec.cluster_ip));
    add(text(external_ip(*service)));
    add(text(service_ports(*service)));
    add(text(age(meta, now)));
    std::vector<std::string> selector;
    for (const auto& [key, value] : service->spec.selector) selector.push_back(key + "=" + value);
    add(text(selector.empty() ? "<none>" : join(selector, ",")));
  } else if (const auto* node = std::get_if<api::Node>(&object)) {
    const api::Condition* ready = api::find_condition(node->status.conditions, "Ready");
    std::string status =
        ready != nullptr && ready->status == api::ConditionStatus::kTrue ? "Ready" : "NotReady";
    if (node->spec.unschedulable) status += ",SchedulingDisabled";
    std::string internal_ip = "<none>";
    for (const api::NodeAddress& address : node->status.addresses) {
      if (address.type == "InternalIP") internal_ip = address.address;
    }
    add(text(meta.name));
    add(text(status));
    add(text("<none>"));
    add(text(age(meta, now)));
    add(text("nodrop"));
    add(text(internal_ip));
    add(text("<none>"));
    add(text("<unknown>"));
    add(text("<unknown>"));
    add(text("nodrop"));
  } else if (const auto* event = std::get_if<api::Event>(&object)) {
    const WallTime last = event->last_timestamp.value_or(event->event_time.value_or(WallTime{}));
    const WallTime first = event->first_timestamp.value_or(event->event_time.value_or(WallTime{}));
    std::string kind = event->involved_object.kind;
    for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    add(text(human_duration(now - last)));
    add(text(api::event_type_name(event->type)));
    add(text(event->reason));
    add(text(kind + "/" + event->involved_object.name));
    add(text(event->involved_object.field_path));
    add(text(event->source.component +
             (event->source.host.empty() ? "" : ", " + event->source.host)));
    add(text(event->message));
    add(text(human_duration(now - first)));
    add(text(std::to_string(std::max(event->count, 1))));
    add(text(meta.name));
  } else if (const auto* slice = std::get_if<api::EndpointSlice>(&object)) {
    std::vector<std::string> ports;
    for (const api::EndpointPort& port : slice->ports) {
      ports.push_back(port.port ? std::to_string(*port.port) : "<unset>");
    }
    std::vector<std::string> addresses;
    for (const api::Endpoint& endpoint : slice->endpoints) {
      for (const std::string& address : endpoint.addresses) addresses.push_back(address);
    }
    std::string endpoints = "<unset>";
    if (!addresses.empty()) {
      const std::size_t shown = std::min<std::size_t>(addresses.size(), 3);
      endpoints = join({addresses.begin(), addresses.begin() + static_cast<long>(shown)}, ",");
      if (addresses.size() > shown) {
        endpoints += fmt::format(" + {} more...", addresses.size() - shown);
      }
    }
    add(text(meta.name));
    add(text(slice->address_type));
    add(text(ports.empty() ? "<unset>" : join(ports, ",")));
    add(text(endpoints));
    add(text(age(meta, now)));
  } else if (const auto* config_map = std::get_if<api::ConfigMap>(&object)) {
    add(text(meta.name));
    add(text(std::to_string(config_map->data.size() + config_map->binary_data.size())));
    add(text(age(meta, now)));
  } else if (const auto* secret = std::get_if<api::Secret>(&object)) {
    add(text(meta.name));
    add(text(secret->type));
    add(text(std::to_string(secret->data.size())));
    add(text(age(meta, now)));
  } else if (std::holds_alternative<api::ServiceAccount>(object)) {
    add(text(meta.name));
    add(text("0"));
    add(text(age(meta, now)));
  } else {
    add(text(meta.name));
    add(text(age(meta, now)));
  }
  return cells;
}

Node partial_metadata(const Node& encoded) {
  Node partial =
      object_of({{"kind", text("PartialObjectMetadata")}, {"apiVersion", text("meta.k8s.io/v1")}});
  if (const Node* metadata = encoded.find("metadata")) partial.set("metadata", *metadata);
  return partial;
}

}  // namespace

std::string human_duration(std::chrono::nanoseconds elapsed) {
  using std::chrono::duration_cast;
  const auto seconds = duration_cast<std::chrono::seconds>(elapsed).count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return fmt::format("{}s", seconds);
  const auto minutes = seconds / 60;
  if (minutes < 10) {
    const auto rest = seconds % 60;
    return rest == 0 ? fmt::format("{}m", minutes) : fmt::format("{}m{}s", minutes, rest);
  }
  if (minutes < 60 * 3) return fmt::format("{}m", minutes);
  const auto hours = minutes / 60;
  if (hours < 8) {
    const auto rest = minutes % 60;
    return rest == 0 ? fmt::format("{}h", hours) : fmt::format("{}h{}m", hours, rest);
  }
  if (hours < 48) return fmt::format("{}h", hours);
  if (hours < 24 * 8) {
    const auto rest = hours % 24;
    return rest == 0 ? fmt::format("{}d", hours / 24) : fmt::format("{}d{}h", hours / 24, rest);
  }
  if (hours < 24 * 365 * 2) return fmt::format("{}d", hours / 24);
  const auto years = hours / 24 / 365;
  if (years < 8) {
    const auto days = (hours / 24) % 365;
    return days == 0 ? fmt::format("{}y", years) : fmt::format("{}y{}d", years, days);
  }
  return fmt::format("{}y", years);
}

Node table_of(const std::string& kind, const std::vector<store::ObjectPtr>& objects,
              const std::vector<Node>& encoded, WallTime now, const TableOptions& options) {
  Node metadata = Node::mapping();
  if (!options.resource_version.empty()) {
    metadata.set("resourceVersion", text(options.resource_version));
  }
  if (!options.continue_token.empty()) metadata.set("continue", text(options.continue_token));
  Node table = object_of({{"kind", text("Table")},
                          {"apiVersion", text("meta.k8s.io/v1")},
                          {"metadata", std::move(metadata)}});
  Node columns = Node::sequence();
  if (options.include_columns) {
    for (const Column& column : columns_of(kind)) {
      Node definition = object_of({{"name", text(column.name)},
                                   {"type", text(column.type)},
                                   {"format", text(column.format)},
                                   {"description", text("")},
                                   {"priority", Node::integer(column.priority)}});
      columns.push(std::move(definition));
    }
  }
  table.set("columnDefinitions", std::move(columns));
  Node rows = Node::sequence();
  for (std::size_t i = 0; i < objects.size(); ++i) {
    Node row = object_of({{"cells", cells_of(*objects[i], now)}});
    switch (options.objects) {
      case TableObjects::kNone:
        break;
      case TableObjects::kMetadata:
        row.set("object", partial_metadata(encoded[i]));
        break;
      case TableObjects::kObject:
        row.set("object", encoded[i]);
        break;
    }
    rows.push(std::move(row));
  }
  table.set("rows", std::move(rows));
  return table;
}

}  // namespace nodrop::apiserver
