// core/v1 Pod and the parts of PodSpec nodrop runs: containers with command, env, ports, probes
// and preStop hooks; the grace period; scheduling constraints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/int_or_string.h"
#include "api/meta.h"

namespace nodrop::api {

struct ExecAction {
  std::vector<std::string> command;
  bool operator==(const ExecAction&) const = default;
};

struct HttpHeader {
  std::string name;
  std::string value;
  bool operator==(const HttpHeader&) const = default;
};

struct HttpGetAction {
  std::string path;    // defaulted to "/"
  IntOrString port;    // number, or the name of a container port
  std::string host;    // empty: the pod IP
  std::string scheme;  // defaulted to "HTTP"
  std::vector<HttpHeader> http_headers;
  bool operator==(const HttpGetAction&) const = default;
};

struct TcpSocketAction {
  IntOrString port;
  std::string host;
  bool operator==(const TcpSocketAction&) const = default;
};

struct GrpcAction {
  std::int32_t port = 0;
  std::optional<std::string> service;
  bool operator==(const GrpcAction&) const = default;
};

struct SleepAction {
  std::int64_t seconds = 0;
  bool operator==(const SleepAction&) const = default;
};

// ProbeHandler and LifecycleHandler share their actions; exactly one may be set. Probes may not
// use sleep; lifecycle hooks may not use grpc (validation says so with the field path).
struct Handler {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> http_get;
  std::optional<TcpSocketAction> tcp_socket;
  std::optional<GrpcAction> grpc;
  std::optional<SleepAction> sleep;
  bool operator==(const Handler&) const = default;

  int action_count() const {
    return exec.has_value() + http_get.has_value() + tcp_socket.has_value() + grpc.has_value() +
           sleep.has_value();
  }
};

struct Probe {
  Handler handler;
  std::int32_t initial_delay_seconds = 0;
  std::int32_t timeout_seconds = 0;    // defaulted to 1
  std::int32_t period_seconds = 0;     // defaulted to 10
  std::int32_t success_threshold = 0;  // defaulted to 1
  std::int32_t failure_threshold = 0;  // defaulted to 3
  std::optional<std::int64_t> termination_grace_period_seconds;
  bool operator==(const Probe&) const = default;
};

struct Lifecycle {
  std::optional<Handler> post_start;
  std::optional<Handler> pre_stop;
  bool operator==(const Lifecycle&) const = default;
};

struct ObjectFieldSelector {
  std::string api_version;  // defaulted to "v1"
  std::string field_path;
  bool operator==(const ObjectFieldSelector&) const = default;
};

// valueFrom.configMapKeyRef and secretKeyRef: one key of a ConfigMap or Secret of the pod's
// namespace. optional: a missing object or key leaves the variable out instead of failing the
// container's start.
struct KeySelector {
  std::string name;
  std::string key;
  std::optional<bool> optional;
  bool operator==(const KeySelector&) const = default;
};

struct EnvVar {
  std::string name;
  std::string value;
  std::optional<ObjectFieldSelector> field_ref;     // valueFrom.fieldRef
  std::optional<KeySelector> config_map_key_ref{};  // valueFrom.configMapKeyRef
  std::optional<KeySelector> secret_key_ref{};      // valueFrom.secretKeyRef
  PreservedFields value_from_preserved{};           // resourceFieldRef
  bool operator==(const EnvVar&) const = default;
};

// configMapRef and secretRef of envFrom.
struct EnvSourceReference {
  std::string name;
  std::optional<bool> optional;
  bool operator==(const EnvSourceReference&) const = default;
};

// envFrom: every key of a ConfigMap or a Secret as a variable, its name prefixed.
struct EnvFromSource {
  std::string prefix;
  std::optional<EnvSourceReference> config_map_ref;
  std::optional<EnvSourceReference> secret_ref;
  bool operator==(const EnvFromSource&) const = default;
};

struct ContainerPort {
  std::string name;
  std::int32_t container_port = 0;
  std::int32_t host_port = 0;
  std::string protocol;  // defaulted to "TCP"
  bool operator==(const ContainerPort&) const = default;
};

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<ContainerPort> ports;
  std::vector<EnvFromSource> env_from;
  std::vector<EnvVar> env;
  // Init containers only: "Always" makes it a sidecar (a restartable init container, Kubernetes
  // 1.29+), which starts in order and keeps running beside the app. Empty: not set.
  std::string restart_policy;
  std::optional<Probe> liveness_probe;
  std::optional<Probe> readiness_probe;
  std::optional<Probe> startup_probe;
  std::optional<Lifecycle> lifecycle;
  std::string image_pull_policy;           // defaulted from the image tag
  std::string termination_message_path;    // defaulted to /dev/termination-log
  std::string termination_message_policy;  // defaulted to File
  PreservedFields preserved{};             // resources, volumeMounts, securityContext, ...
  bool operator==(const Container&) const = default;
};

// Where a container is in its pod's spec: spec.containers[index] or spec.initContainers[index].
struct ContainerPosition {
  // An app container: implicit, as most code names a container by its index in spec.containers.
  ContainerPosition(std::size_t app_index) : index(app_index) {}  // NOLINT(*explicit*)
  static ContainerPosition init_container(std::size_t init_index) {
    ContainerPosition position(init_index);
    position.init = true;
    return position;
  }
  const char* list_name() const { return init ? "initContainers" : "containers"; }

  bool init = false;
  std::size_t index = 0;
};

// An init container with restartPolicy Always: a sidecar.
inline bool is_sidecar(const Container& container) { return container.restart_policy == "Always"; }

enum class NodeSelectorOperator { kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };
const char* node_selector_operator_name(NodeSelectorOperator op);

struct NodeSelectorRequirement {
  std::string key;
  NodeSelectorOperator op = NodeSelectorOperator::kIn;
  std::vector<std::string> values;
  bool operator==(const NodeSelectorRequirement&) const = default;
};

struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;  // over node labels
  std::vector<NodeSelectorRequirement> match_fields;       // over metadata.name only
  bool operator==(const NodeSelectorTerm&) const = default;
};

struct PreferredSchedulingTerm {
  std::int32_t weight = 0;
  NodeSelectorTerm preference;
  bool operator==(const PreferredSchedulingTerm&) const = default;
};

struct NodeAffinity {
  // requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: any term may match.
  std::optional<std::vector<NodeSelectorTerm>> required_terms;
  std::vector<PreferredSchedulingTerm> preferred;
  bool operator==(const NodeAffinity&) const = default;
};

struct Affinity {
  std::optional<NodeAffinity> node_affinity;
  PreservedFields preserved{};  // podAffinity, podAntiAffinity
  bool operator==(const Affinity&) const = default;
};

struct PodSpec {
  // Run in order before the containers: each to a successful exit, or, a sidecar, until started.
  std::vector<Container> init_containers;
  std::vector<Container> containers;
  std::string restart_policy;                                    // defaulted to "Always"
  std::optional<std::int64_t> termination_grace_period_seconds;  // defaulted to 30
  std::string node_name;
  Labels node_selector;
  std::optional<Affinity> affinity;
  std::string dns_policy;      // defaulted to "ClusterFirst"
  std::string scheduler_name;  // defaulted to "default-scheduler"
  // Whether the containers get the Service environment variables (node/service_links.h);
  // defaulted to true.
  std::optional<bool> enable_service_links;
  PreservedFields preserved{};  // volumes, securityContext, serviceAccountName, tolerations, ...
  bool operator==(const PodSpec&) const = default;
};

// The container at `position`, which must exist.
const Container& container_at(const PodSpec& spec, ContainerPosition position);

struct PodTemplateSpec {
  ObjectMeta metadata;
  PodSpec spec;
  bool operator==(const PodTemplateSpec&) const = default;
};

enum class PodPhase { kPending, kRunning, kSucceeded, kFailed, kUnknown };
const char* pod_phase_name(PodPhase phase);

struct ContainerStateWaiting {
  std::string reason;
  std::string message;
  bool operator==(const ContainerStateWaiting&) const = default;
};
struct ContainerStateRunning {
  std::optional<WallTime> started_at;
  bool operator==(const ContainerStateRunning&) const = default;
};
struct ContainerStateTerminated {
  std::int32_t exit_code = 0;
  std::int32_t signal = 0;
  std::string reason;
  std::string message;
  std::optional<WallTime> started_at;
  std::optional<WallTime> finished_at;
  bool operator==(const ContainerStateTerminated&) const = default;
};
struct ContainerState {
  std::optional<ContainerStateWaiting> waiting;
  std::optional<ContainerStateRunning> running;
  std::optional<ContainerStateTerminated> terminated;
  bool operator==(const ContainerState&) const = default;
};

struct ContainerStatus {
  std::string name;
  ContainerState state;
  ContainerState last_state;
  bool ready = false;
  std::optional<bool> started;
  std::int32_t restart_count = 0;
  std::string image;
  std::string container_id;
  bool operator==(const ContainerStatus&) const = default;
};

struct PodStatus {
  PodPhase phase = PodPhase::kPending;
  std::vector<Condition> conditions;
  std::string message;
  std::string reason;
  std::string host_ip;
  std::string pod_ip;
  std::optional<WallTime> start_time;
  std::vector<ContainerStatus> init_container_statuses;
  std::vector<ContainerStatus> container_statuses;
  bool operator==(const PodStatus&) const = default;
};

struct Pod {
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;
  bool operator==(const Pod&) const = default;
};

// Pod condition types.
inline constexpr const char* kPodScheduled = "PodScheduled";
inline constexpr const char* kPodInitialized = "Initialized";
inline constexpr const char* kContainersReady = "ContainersReady";
inline constexpr const char* kPodReady = "Ready";

// podutil.IsPodReady: the Ready condition is True.
bool is_pod_ready(const Pod& pod);
// podutil.IsPodAvailable: ready, and ready for at least min_ready_seconds (strict '<' on the
// transition time plus minReadySeconds, as Kubernetes compares it).
bool is_pod_available(const Pod& pod, std::int32_t min_ready_seconds, WallTime now);

}  // namespace nodrop::api
