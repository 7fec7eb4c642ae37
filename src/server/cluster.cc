#include "server/cluster.h"

#include <fmt/format.h>

namespace nodrop::server {
namespace {

Ipv4Address address_of(std::uint32_t value) { return Ipv4Address{value}; }

// The existing object with what a user's manifest sets of it: labels, annotations (added to those
// the system keeps there, as the deployment controller's revision), and the spec.
api::Object merge_for_apply(const api::Object& existing, const api::Object& given) {
  api::Object merged = existing;
  std::visit(
      [&](auto& typed) {
        using T = std::decay_t<decltype(typed)>;
        const T& from = std::get<T>(given);
        typed.metadata.labels = from.metadata.labels;
        for (const auto& [key, value] : from.metadata.annotations) {
          typed.metadata.annotations[key] = value;
        }
        typed.metadata.owner_references = from.metadata.owner_references.empty()
                                              ? typed.metadata.owner_references
                                              : from.metadata.owner_references;
        if constexpr (std::is_same_v<T, api::EndpointSlice>) {
          typed.endpoints = from.endpoints;
          typed.ports = from.ports;
          typed.address_type = from.address_type;
        } else if constexpr (std::is_same_v<T, api::Event> || std::is_same_v<T, api::ConfigMap> ||
                             std::is_same_v<T, api::Secret> ||
                             std::is_same_v<T, api::ServiceAccount>) {
          const api::ObjectMeta metadata = typed.metadata;
          typed = from;
          typed.metadata = metadata;
        } else {
          typed.spec = from.spec;
        }
      },
      merged);
  api::metadata_of(merged).resource_version.clear();
  return merged;
}

}  // namespace

const char* apply_outcome_name(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::kCreated:
      return "created";
    case ApplyOutcome::kConfigured:
      return "configured";
    case ApplyOutcome::kUnchanged:
      return "unchanged";
  }
  return "unknown";
}

Cluster::Cluster(ClusterPorts ports, ClusterConfig config, std::string log_directory)
    : ports_(std::move(ports)),
      config_(std::move(config)),
      service_registry_(config_.cluster_ip_addresses),
      store_(ports_.loop.clock(), ports_.random,
             {.registry = &service_registry_, .persistence = ports_.persistence}),
      events_(store_, ports_.loop),
      deployments_(store_, ports_.post, {.kind = "Deployment"}),
      replica_sets_(store_, ports_.post, {.kind = "ReplicaSet"}),
      pods_(store_, ports_.post, {.kind = "Pod"}),
      nodes_(store_, ports_.post, {.kind = "Node"}),
      services_(store_, ports_.post, {.kind = "Service"}),
      endpoint_slices_(store_, ports_.post, {.kind = "EndpointSlice"}),
      open_drain_gate_(ports_.loop),
      pod_addresses_(address_of(config_.pod_addresses.first),
                     address_of(config_.pod_addresses.last),
                     node::LoopbackPool::kDefaultQuarantine) {
  const controller::ControllerContext context{store_, ports_.loop, ports_.post, events_};
  const controller::SharedInformers informers{deployments_, replica_sets_, pods_,
                                              nodes_,       services_,     endpoint_slices_};
  deployment_controller_ = std::make_unique<controller::DeploymentController>(context, informers);
  replica_set_controller_ = std::make_unique<controller::ReplicaSetController>(context, informers);
  scheduler_ = std::make_unique<controller::SchedulingController>(context, informers);
  garbage_collector_ = std::make_unique<controller::GarbageCollector>(
      context, std::vector<store::Informer*>{&deployments_, &replica_sets_, &pods_, &services_,
                                             &endpoint_slices_});
  const ProfilePolicies policies = policies_for(config_.profile, config_.kubernetes);
  node::DrainGate* drain_gate = &open_drain_gate_;
  DataPlane* data_plane = &ports_.data_plane;
  if (policies.wait_for_drain) {
    data_plane_drain_gate_ = std::make_unique<DataPlaneDrainGate>(
        DrainGatePorts{ports_.loop, ports_.post, events_, ports_.data_plane});
    drain_gate = data_plane_drain_gate_.get();
    data_plane = &data_plane_drain_gate_->data_plane();
  }
  endpoint_slice_controller_ = std::make_unique<controller::EndpointSliceController>(
      context, informers, policies.endpoint_publication);
  for (int i = 0; i < config_.nodes; ++i) {
    kubelets_.push_back(std::make_unique<node::Kubelet>(
        node::KubeletPorts{ports_.loop, ports_.processes, ports_.prober, *drain_gate, store_,
                           ports_.post, events_, pod_addresses_, &every_address_ports_},
        node::KubeletOptions{.node_name = fmt::format("node-{}", i + 1),
                             .node_ip = node_address(i),
                             .log_directory = log_directory,
                             .ready_when_listening = policies.ready_when_listening,
                             .images = config_.images}));
    node_proxies_.push_back(std::make_unique<NodeProxy>(
        NodeProxyPorts{ports_.loop, events_, services_, endpoint_slices_, *data_plane},
        NodeProxyOptions{
            .node_name = fmt::format("node-{}", i + 1),
            .node_address =
                address_of(config_.node_addresses.first + static_cast<std::uint32_t>(i)),
            .min_sync_period = std::chrono::duration_cast<runtime::Duration>(policies.proxy_sync),
            .http_ports_l7 = policies.http_ports_l7,
            // On one host every node's ClusterIP rules are the same listeners: node-1's proxy
            // serves them for the cluster.
            .serves_cluster_ips = i == 0,
            .retry = policies.retry,
            .hold = policies.hold}));
  }
  load_balancers_ = std::make_unique<LoadBalancers>(
      LoadBalancerPorts{ports_.loop, store_, events_, services_, nodes_, endpoint_slices_,
                        *data_plane},
      LoadBalancerOptions{
          .addresses = config_.load_balancer_addresses,
          .api_latency = std::chrono::duration_cast<runtime::Duration>(policies.load_balancer_api),
          .health_check_interval =
              std::chrono::duration_cast<runtime::Duration>(policies.health_check_interval),
          .healthy_threshold = policies.healthy_threshold,
          .unhealthy_threshold = policies.unhealthy_threshold,
          .http_ports_l7 = policies.http_ports_l7,
          .retry = policies.retry,
          .hold = policies.hold,
          .keep_removed_connections = policies.wait_for_drain});
}

Cluster::~Cluster() = default;

std::string Cluster::node_address(int index) const {
  return address_of(config_.node_addresses.first + static_cast<std::uint32_t>(index)).to_string();
}

ControllerSyncs Cluster::controller_syncs() const {
  return {deployment_controller_->syncs(), replica_set_controller_->syncs(), scheduler_->syncs(),
          garbage_collector_->syncs()};
}

Status Cluster::start() {
  if (ports_.persistence != nullptr) {
    if (Status loaded = store_.load(); !loaded.is_ok()) return loaded;
    restored_version_ = store_.resource_version();
    events_.track_stored();
  }
  for (store::Informer* informer :
       {&deployments_, &replica_sets_, &pods_, &nodes_, &services_, &endpoint_slices_}) {
    if (Status started = informer->start(); !started.is_ok()) return started;
  }
  // The pods that ran before a restart keep their addresses: reserved before any kubelet
  // allocates one for a new pod.
  const store::ListResult pods = store_.list({.kind = "Pod"}).value();
  for (const store::ObjectPtr& object : pods.items) {
    const api::Pod& pod = std::get<api::Pod>(*object);
    const bool ended =
        pod.status.phase == api::PodPhase::kSucceeded || pod.status.phase == api::PodPhase::kFailed;
    if (Result<Ipv4Address> address = parse_ipv4_address(pod.status.pod_ip);
        address && pod.status.start_time && !ended) {
      (void)pod_addresses_.reserve(*address);
    }
  }
  for (const auto& kubelet : kubelets_) {
    if (Status started = kubelet->start(); !started.is_ok()) return started;
  }
  for (const auto& node_proxy : node_proxies_) node_proxy->start();
  load_balancers_->start();
  return Status::ok();
}

Result<ApplyOutcome> Cluster::apply(const api::Object& object) {
  Result<store::ObjectPtr> existing = store_.get(store::key_of(object));
  if (!existing) {
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    Result<store::ObjectPtr> created = store_.create(object);
    if (!created) return created.status();
    return ApplyOutcome::kCreated;
  }
  Result<store::ObjectPtr> updated = store_.update(merge_for_apply(**existing, object));
  if (!updated) return updated.status();
  return updated->get() == existing->get() ? ApplyOutcome::kUnchanged : ApplyOutcome::kConfigured;
}

void Cluster::shut_down(std::function<void()> done) {
  // The control plane stops first: pods that end because their node shuts down are not replaced
  // (nowhere to run them), and what the store holds stays as the cluster was running.
  deployment_controller_->stop();
  replica_set_controller_->stop();
  scheduler_->stop();
  garbage_collector_->stop();
  endpoint_slice_controller_->stop();
  // With the control plane stopped no table changes again: the gate would hold every pod for its
  // whole grace period.
  if (data_plane_drain_gate_) data_plane_drain_gate_->open();
  nodes_shutting_down_ = static_cast<int>(kubelets_.size());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  if (kubelets_.empty()) {
    ports_.loop.post(std::move(*shared_done));
    return;
  }
  for (const auto& kubelet : kubelets_) {
    kubelet->shut_down([this, shared_done] {
      if (--nodes_shutting_down_ != 0) return;
      // The data plane goes last: it kept routing while the pods finished.
      for (const auto& node_proxy : node_proxies_) node_proxy->stop();
      load_balancers_->stop();
      if (*shared_done) (*shared_done)();
    });
  }
}

}  // namespace nodrop::server
