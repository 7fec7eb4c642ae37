#include "node/kubelet.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "node/service_links.h"

namespace nodrop::node {
namespace {

const api::Pod& as_pod(const store::ObjectPtr& object) { return std::get<api::Pod>(*object); }

bool has_ended(const api::Pod& pod) {
  return pod.status.phase == api::PodPhase::kSucceeded ||
         pod.status.phase == api::PodPhase::kFailed;
}

}  // namespace

Kubelet::Kubelet(KubeletPorts ports, KubeletOptions options)
    : ports_(std::move(ports)),
      options_(std::move(options)),
      pods_(ports_.store, ports_.post,
            {.kind = "Pod", .filter = [node = options_.node_name](const api::Object& object) {
               return std::get<api::Pod>(object).spec.node_name == node;
             }}) {
  pods_.add_handlers(
      {.on_add = [this](const store::ObjectPtr& pod) { on_pod(pod); },
       .on_update = [this](const store::ObjectPtr&, const store::ObjectPtr& pod) { on_pod(pod); },
       .on_delete = [this](const store::ObjectPtr& pod) { on_pod_removed(pod); }});
}

Kubelet::~Kubelet() { *alive_ = false; }

Status Kubelet::start() {
  // Register the node, Ready: this kubelet is running and posts its status (there is no lease to
  // renew on one host; the node is as alive as nodrop).
  api::Node node;
  node.metadata.name = options_.node_name;
  node.metadata.labels = {{"kubernetes.io/hostname", options_.node_name},
                          {"kubernetes.io/os", "linux"}};
  node.status.addresses = {{"InternalIP", options_.node_ip}, {"Hostname", options_.node_name}};
  api::Condition ready;
  ready.type = "Ready";
  ready.status = api::ConditionStatus::kTrue;
  ready.reason = "KubeletReady";
  ready.message = "kubelet is posting ready status";
  ready.last_transition_time = ports_.loop.clock().wall_now();
  node.status.conditions = {ready};
  Result<store::ObjectPtr> registered = ports_.store.create(node);
  if (!registered && registered.status().code() == StatusCode::kAlreadyExists) {
    registered = ports_.store.update_status(node);
  }
  if (!registered) return registered.status();
  ports_.events.record({kComponent, options_.node_name}, **registered, api::EventType::kNormal,
                       "NodeReady",
                       fmt::format("Node {} status is now: NodeReady", options_.node_name));
  return pods_.start();
}

std::size_t Kubelet::running_pods() const {
  std::size_t count = 0;
  for (const auto& [uid, running] : running_) {
    if (!running.worker->finished()) ++count;
  }
  return count;
}

void Kubelet::on_pod(const store::ObjectPtr& object) {
  const api::Pod& pod = as_pod(object);
  const std::string& uid = pod.metadata.uid;
  keys_[uid] = {pod.metadata.namespace_name, pod.metadata.name};
  const auto found = running_.find(uid);
  if (found != running_.end()) {
    RunningPod& running = found->second;
    if (pod.metadata.deletion_timestamp.has_value()) {
      if (running.worker->finished()) {
        after_finish(uid);
      } else {
        running.worker->terminate(pod.metadata.deletion_grace_period_seconds);
      }
    }
    return;
  }
  if (pod.metadata.deletion_timestamp.has_value()) {
    if (!pod.status.start_time || has_ended(pod) || shutting_down_) {
      // Deleted before it ever ran here, or after it ended: nothing to stop.
      (void)ports_.store.remove(store::key_of(*object), {.grace_period_seconds = 0});
      return;
    }
    // Being deleted when nodrop stopped: finished as it would have been (PodWorker resumes it).
    admit(pod);
    if (running_.contains(uid)) {
      running_.at(uid).worker->terminate(pod.metadata.deletion_grace_period_seconds);
    }
    return;
  }
  if (has_ended(pod) || shutting_down_) return;
  admit(pod);
}

void Kubelet::admit(const api::Pod& pod) {
  const std::string uid = pod.metadata.uid;
  const store::EventSourceName source{kComponent, options_.node_name};
  // A pod that ran before a restart keeps its address (reserved for it when the cluster started).
  Result<Ipv4Address> address = parse_ipv4_address(pod.status.pod_ip);
  if (!pod.status.start_time || !address || !ports_.pod_addresses.is_allocated(*address)) {
    address = ports_.pod_addresses.allocate(ports_.loop.clock().now());
  }
  if (!address) {
    ports_.events.record(
        source, api::Object(pod), api::EventType::kWarning, "FailedCreatePodSandBox",
        "Failed to create pod sandbox: no pod address left: " + address.status().message());
    return;
  }
  PodPlacement placement;
  placement.node_name = options_.node_name;
  placement.addresses = {address->to_string(), options_.node_ip};
  placement.log_directory = fmt::format("{}/{}_{}_{}", options_.log_directory,
                                        pod.metadata.namespace_name, pod.metadata.name, uid);
  // The pod's own directory beside its logs, named by its uid alone as the kubelet's
  // /var/lib/kubelet/pods/<uid> (its logs' directory is <namespace>_<name>_<uid>).
  placement.pod_directory = fmt::format("{}/{}", options_.log_directory, uid);
  placement.ready_when_listening = options_.ready_when_listening;
  placement.images = options_.images;
  RunningPod& running = running_[uid];
  running.address = *address;
  running.address_held = true;
  running.worker = std::make_unique<PodWorker>(
      PodWorkerPorts{ports_.loop, ports_.processes, ports_.prober, backoff_, ports_.drain_gate,
                     [this](const api::Pod& of) { return environment_sources(of); },
                     ports_.every_address_ports},
      pod, placement, [this, uid] { mark_changed(uid); });
  running.worker->set_event_listener([this, uid, source](const PodEvent& event) {
    // The scheduler records Scheduled; the worker's own (for when it runs alone) is not repeated.
    if (event.reason == "Scheduled") return;
    if (store::ObjectPtr current = cached(uid)) {
      ports_.events.record(source, *current, event.type, event.reason, event.message);
    }
  });
  running.worker->start();
}

EnvironmentSources Kubelet::environment_sources(const api::Pod& pod) const {
  EnvironmentSources sources;
  if (pod.spec.enable_service_links.value_or(true)) {
    Result<store::ListResult> listed =
        ports_.store.list({.kind = "Service", .namespace_name = pod.metadata.namespace_name});
    if (listed) {
      std::vector<api::Service> services;
      for (const store::ObjectPtr& object : listed->items) {
        services.push_back(std::get<api::Service>(*object));
      }
      sources.service_variables = pod_service_variables(pod, services);
    }
  }
  sources.config = [&store = ports_.store, namespace_name = pod.metadata.namespace_name](
                       ConfigKind kind, const std::string& name) -> std::optional<ConfigData> {
    const bool config_map = kind == ConfigKind::kConfigMap;
    Result<store::ObjectPtr> found =
        store.get({config_map ? "ConfigMap" : "Secret", namespace_name, name});
    if (!found) return std::nullopt;
    if (config_map) return std::get<api::ConfigMap>(**found).data;
    ConfigData decoded;
    for (const auto& [key, value] : std::get<api::Secret>(**found).data) {
      // Stored Secrets hold base64 (validated on write); a value that is not is left out.
      if (std::optional<std::string> bytes = base64_decode(value)) decoded[key] = *bytes;
    }
    return decoded;
  };
  return sources;
}

store::ObjectPtr Kubelet::cached(const std::string& uid) const {
  const auto key = keys_.find(uid);
  if (key == keys_.end()) return nullptr;
  store::ObjectPtr pod = pods_.get(key->second.first, key->second.second);
  return pod != nullptr && api::metadata_of(*pod).uid == uid ? pod : nullptr;
}

void Kubelet::mark_changed(const std::string& uid) {
  changed_.insert(uid);
  if (flush_posted_) return;
  flush_posted_ = true;
  ports_.loop.post([this, alive = alive_] {
    if (*alive) flush();
  });
}

void Kubelet::flush() {
  flush_posted_ = false;
  // During a node shutdown the store keeps each pod as it was running: the node is going away,
  // not the pods, which run again when it comes back.
  if (shutting_down_) {
    changed_.clear();
    for (const auto& [uid, running] : running_) {
      if (running.worker->finished()) check_shutdown_done();
    }
    return;
  }
  std::set<std::string> changed;
  changed.swap(changed_);
  for (const std::string& uid : changed) {
    const auto found = running_.find(uid);
    if (found == running_.end()) continue;
    RunningPod& running = found->second;
    if (const store::ObjectPtr current = running.removed ? nullptr : cached(uid)) {
      // The kubelet owns the status: written without a version, as its status manager patches.
      api::Pod updated = as_pod(current);
      updated.status = running.worker->status();
      updated.metadata.resource_version.clear();
      (void)ports_.store.update_status(updated);
    }
    if (running.worker->finished()) after_finish(uid);
  }
}

void Kubelet::after_finish(const std::string& uid) {
  const auto found = running_.find(uid);
  if (found == running_.end()) return;
  RunningPod& running = found->second;
  if (running.address_held) {
    (void)ports_.pod_addresses.release(running.address, ports_.loop.clock().now());
    running.address_held = false;
  }
  const store::ObjectPtr current = cached(uid);
  const bool deleting = current != nullptr && api::metadata_of(*current).deletion_timestamp;
  if (running.removed || deleting) {
    running.worker->remove_logs();
    // Its deletion ends here: grace 0 removes it from the store. The worker goes after this turn
    // (this may run inside one of its callbacks).
    if (!running.removed && !running.finishing) {
      running.finishing = true;
      (void)ports_.store.remove(store::key_of(*current), {.grace_period_seconds = 0});
    }
    ports_.loop.post([this, alive = alive_, uid] {
      if (!*alive) return;
      running_.erase(uid);
      keys_.erase(uid);
      check_shutdown_done();
    });
    return;
  }
  check_shutdown_done();
}

void Kubelet::on_pod_removed(const store::ObjectPtr& object) {
  const std::string& uid = api::metadata_of(*object).uid;
  const auto found = running_.find(uid);
  if (found == running_.end()) {
    keys_.erase(uid);
    return;
  }
  RunningPod& running = found->second;
  running.removed = true;
  if (running.worker->finished()) {
    after_finish(uid);
  } else {
    running.worker->terminate(0);  // removed while running: a force delete
  }
}

void Kubelet::shut_down(std::function<void()> done) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  for (auto& [uid, running] : running_) {
    if (!running.worker->finished()) running.worker->terminate();
  }
  check_shutdown_done();
}

void Kubelet::check_shutdown_done() {
  if (!shutting_down_ || !shutdown_done_ || running_pods() > 0) return;
  ports_.loop.post(std::move(shutdown_done_));
  shutdown_done_ = nullptr;
}

}  // namespace nodrop::node
