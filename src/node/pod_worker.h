// The kubelet's work for one pod (reference/k8s-semantics.md §2), over runtime ports: it starts
// the containers' processes, runs their probes, restarts them per restartPolicy with
// CrashLoopBackOff, terminates them in Kubernetes' order, and reports the pod's status and an
// event for every transition.
//
// Container lifecycle (one per container):
//
//   kWaiting ──start ok──► kRunning ──exit──► kTerminated ──restart policy──► kWaiting ...
//      │                      │                               (at once, or after its backoff)
//      └─start failed─► kTerminated (StartError, exit code 128)
//   kRunning ──liveness/startup Failure, or pod deletion──► kill: [drain gate] → preStop →
//            stop signal → SIGKILL at the end of the window ──exit──► kTerminated
//
// The stop signal is SIGTERM, or the one the container's image mapping declares (SIGQUIT for
// nginx, node/image_map.h), as a container runtime sends the image's STOPSIGNAL.
//
// Every-address binds: every pod is an address of one host, so an app listening on 0.0.0.0 or
// [::] holds its port on every pod's address. At the first readiness success of each run (the
// nodrop profile's implicit checks included) the worker reads the sockets the container's process
// group listens on and records a Warning (ListensOnEveryAddress) for each such socket, naming the
// port and the fix, $(POD_IP). A container ready without any readiness check is not looked at.
// Such a port is held in the cluster's EveryAddressPorts until the container stops; a container
// that exits before its first readiness success while a port it declares is held by another pod
// draws a Warning (PortHeldOnEveryAddress) naming that pod: why it could not listen.
//
// Probe workers follow worker.go: one per container and probe type, ticking every periodSeconds
// from the container's first start (the first tick at once); a tick skips while the container is
// not running, before initialDelaySeconds, before `started` (liveness, readiness), after it
// (startup), while on hold, and while the previous probe is still running.
// Deviation: Kubernetes starts a worker's ticks when it first sees the pod and sleeps a random
// fraction of the period after a kubelet restart; here ticks start at the first container start.
//
// Init containers (spec.initContainers) run first, one at a time and in order
// (kuberuntime_manager.go computeInitContainerActions): a regular one must exit 0 before the next
// starts; a sidecar (restartPolicy Always) must have started (running, its startupProbe passed)
// and then keeps running beside the app. Until every one is done the pod is Pending, its
// Initialized condition False and its app containers waiting (PodInitializing); then Initialized
// turns True and the app containers start. A regular init container that fails is restarted
// with CrashLoopBackOff unless the pod's restartPolicy is Never (Always counts as OnFailure), in
// which case the pod fails; a sidecar is restarted whenever it exits, until the pod ends. A pod
// that ends without a deletion (that failed init container, or every app container ended for
// good under restartPolicy Never or OnFailure) has its sidecars stopped, the last first, each
// with what is left of the pod's grace period; they do not count in its phase. Sidecars count
// toward ContainersReady and Ready as app containers do; a regular init container that exited 0
// reports ready, as the kubelet's status does.
//
// Termination (terminate()): liveness and startup stop (stored Success), readiness keeps
// probing, pending restarts are cancelled; then, for every running container in parallel, the
// drain gate, preStop (exec, httpGet or sleep, bounded by the grace period), SIGTERM, and SIGKILL
// after max(grace − floor(preStop seconds), 2) s. Sidecars are stopped after the others, one at
// a time in reverse order, each with what is left of the grace period (Kubernetes 1.29+). The
// pod ends Succeeded if every app container exited 0, else Failed.
//
// Resuming (start() of a pod whose status has a startTime: a kubelet ran it before nodrop
// restarted): the pod keeps its startTime, conditions and restart counts. A container stored as
// running is adopted if its process still runs (ProcessRuntime::adopt by its container ID): no
// restart, the same restartCount, and its probes' last results (Ready, started) kept until new
// results change them, so a restart of nodrop does not empty every endpoint. A container whose
// process is gone (a node shutdown, a reboot, a supervisor that stopped waiting) is started again
// with restartCount + 1, its last state terminated with exit code 255 and reason Unknown, as
// containerd reports a container lost with its node; one that ended for good (restartPolicy)
// stays ended. A pod being deleted starts nothing again: what is adopted is terminated by
// terminate(), what is gone is reported ended.
//
// Threading: the loop's thread only. Bounds: the event list keeps the last kMaxEvents events.
// Lifetime: the worker may be destroyed at any time; it then cancels its timers and probes and
// kills its processes with SIGKILL (their exits are ignored).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/event.h"
#include "api/pod.h"
#include "node/container_command.h"
#include "node/drain_gate.h"
#include "node/every_address_ports.h"
#include "node/grace_period.h"
#include "node/image_map.h"
#include "node/probe_results.h"
#include "node/restart_backoff.h"
#include "runtime/event_loop.h"
#include "runtime/prober.h"
#include "runtime/process_runtime.h"

namespace nodrop::node {

using api::event_type_name;
using api::EventType;

struct PodEvent {
  WallTime at;
  EventType type = EventType::kNormal;
  std::string reason;  // Scheduled, Started, Unhealthy, Killing, BackOff, Failed, ...
  std::string message;
};

// The node-wide collaborators of every pod worker.
struct PodWorkerPorts {
  runtime::EventLoop& loop;
  runtime::ProcessRuntime& processes;
  runtime::Prober& prober;
  RestartBackoff& backoff;  // shared by the node: keys are "<pod uid>/<container name>"
  DrainGate& drain_gate;
  // What a pod's environment may refer to now (its Services' variables, ConfigMaps and Secrets),
  // read at each container start and exec probe; empty: nothing.
  std::function<EnvironmentSources(const api::Pod&)> environment_sources{};
  // Shared by the cluster's kubelets; null: every-address binds are only warned of.
  EveryAddressPorts* every_address_ports = nullptr;
};

struct PodPlacement {
  std::string node_name;
  PodAddresses addresses;
  std::string log_directory;  // <log_directory>/<container>/<run>.log
  // The pod's own directory ($(POD_DIR), node/image_map.h), removed with its logs; empty: none.
  std::string pod_directory{};
  // The nodrop profile: a container without a readiness probe is ready once each of its declared
  // TCP ports accepts a connection on the pod's address (checked every kListeningCheckPeriod),
  // not as soon as it started (Kubernetes). One that declares no port is ready once started.
  bool ready_when_listening = false;
  // What a container without a command runs (node/image_map.h).
  std::vector<ImageMapping> images{};
};

class PodWorker {
 public:
  static constexpr std::size_t kMaxEvents = 256;
  static constexpr auto kListeningCheckPeriod = std::chrono::milliseconds(100);
  // Implicit readiness checks failed before the event that names the port.
  static constexpr int kListeningFailuresBeforeEvent = 50;
  // A container whose configuration failed (CreateContainerConfigError: a missing ConfigMap,
  // Secret or key) is tried again after this: the kubelet's back-off period for a pod whose sync
  // failed (kubelet.go backOffPeriod).
  static constexpr auto kConfigErrorRetry = std::chrono::seconds(10);

  // `pod` is defaulted and valid; `on_change` runs after every change of status or events.
  PodWorker(PodWorkerPorts ports, api::Pod pod, PodPlacement placement,
            std::function<void()> on_change);
  ~PodWorker();
  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  // Starts every container, or resumes the pod (see above). Call once.
  void start();
  // Begins termination with the pod's deletion grace (metadata.deletionGracePeriodSeconds, else
  // the spec's). A later call can only shorten a grace period not yet in use.
  void terminate(std::optional<std::int64_t> grace_period_seconds = std::nullopt);

  // Called with every event as it is recorded (the kubelet stores them as Event objects).
  void set_event_listener(std::function<void(const PodEvent&)> listener) {
    event_listener_ = std::move(listener);
  }

  const api::Pod& pod() const { return pod_; }
  api::PodStatus status() const;
  // The pod as given, with status() (its address, conditions): what the drain gate is shown.
  api::Pod with_status() const;
  const std::deque<PodEvent>& events() const { return events_; }
  // True once termination is complete (every container stopped, phase Succeeded or Failed).
  bool finished() const { return finished_; }
  // Removes the logs it keeps (each container's current and previous run) and the pod's
  // directory, once the pod is gone.
  void remove_logs();
  // Where a container's run (0 for the first, then one per restart) logs:
  // <log_directory>/<container>/<run>.log, in the CRI format.
  std::string log_path_of(const std::string& container_name, std::int32_t run) const {
    return placement_.log_directory + "/" + container_name + "/" + std::to_string(run) + ".log";
  }

 private:
  enum class ContainerPhase { kWaiting, kRunning, kTerminated };
  enum class KillStep { kNone, kDrainGate, kPreStop, kStopSignal };

  struct ProbeWorker {
    ProbeType type;
    api::Probe spec;
    ProbeResults results;
    std::optional<runtime::TimerId> tick;
    std::optional<runtime::ProbeId> in_flight;
    bool stopped = false;
    // A readiness check nodrop adds (PodPlacement::ready_when_listening): it ends at its first
    // success, and its failures are one event, not one per check.
    bool implicit = false;
    int implicit_failures = 0;
  };

  struct Container {
    std::size_t index = 0;  // in containers_: the init containers first, then the app containers
    api::ContainerPosition position{0};  // in the spec
    bool sidecar = false;                // an init container with restartPolicy Always
    // A sidecar that started once lets the next init container start, whatever it does later.
    bool sidecar_started = false;
    std::string name;
    ContainerPhase phase = ContainerPhase::kWaiting;
    std::string waiting_reason = "ContainerCreating";
    std::string waiting_message;
    std::optional<runtime::ProcessId> process;
    std::uint64_t generation = 0;  // one per start: the container ID
    std::int32_t restart_count = 0;
    bool ever_ran = false;
    runtime::Time started_at{};
    WallTime started_wall{};
    std::optional<api::ContainerStateTerminated> terminated;       // the current state
    std::optional<api::ContainerStateTerminated> last_terminated;  // lastState
    std::optional<runtime::TimerId> restart_timer;
    std::vector<ProbeWorker> probes;
    // Killing.
    KillStep kill_step = KillStep::kNone;
    KillReason kill_reason = KillReason::kPodDeletion;
    runtime::Signal stop_signal = runtime::Signal::kTerminate;
    // Its listening sockets were checked for every-address binds in this run.
    bool listening_checked = false;
    std::int64_t kill_grace_seconds = 0;
    runtime::Time prestop_started{};
    std::optional<runtime::ProbeId> prestop_probe;
    std::optional<runtime::TimerId> kill_timer;  // preStop bound, sleep hook, or SIGKILL
  };

  // Containers.
  const api::Container& spec_of(const Container& container) const {
    return api::container_at(pod_.spec, container.position);
  }
  // Starts the next init container that is due, or, once all are done, the app containers.
  void advance_initialization();
  // A regular init container that failed and is not restarted: the pod has failed.
  bool init_failed() const;
  // The pod ended without a deletion (a regular init container failed for good, or every app
  // container ended for good): its sidecars stop, the last first, with the pod's grace period.
  void stop_sidecars_of_ended_pod();
  // During termination, once no other container runs: stops the last running sidecar.
  void stop_next_sidecar();
  std::int64_t remaining_grace_seconds() const;
  void resume();
  // Takes over the container's process from an earlier nodrop; false when it no longer runs.
  bool adopt(Container& container, const api::ContainerStatus& stored);
  std::string container_id(const Container& container, std::uint64_t generation) const;
  std::string log_path_of(const Container& container, std::int32_t run) const;
  void start_container(Container& container);
  EnvironmentSources environment_sources() const;
  void on_process_exit(std::size_t index, std::uint64_t generation,
                       const runtime::ProcessExit& exit);
  void after_stop(Container& container);
  void schedule_restart(Container& container);
  bool should_restart(const Container& container) const;
  // Probes.
  void start_probe_ticks(Container& container);
  void on_probe_tick(std::size_t index, std::size_t probe);
  void on_probe_done(std::size_t index, std::size_t probe, std::uint64_t generation,
                     const runtime::ProbeOutcome& outcome);
  bool container_started(const Container& container) const;
  bool container_ready(const Container& container) const;
  runtime::ProbeSpec probe_spec(const Container& container, const api::Handler& handler,
                                runtime::Duration timeout) const;
  // Killing.
  void kill_container(Container& container, KillReason reason, std::int64_t grace_seconds);
  void run_prestop(Container& container);
  void on_prestop_done(std::size_t index, std::uint64_t generation, bool failed,
                       const std::string& message);
  void send_stop_signal(Container& container);
  // Records a Warning for each socket of the container that listens on every address.
  void check_listening_addresses(Container& container);
  // After a container exited before it was ready: a Warning for each declared port another pod
  // holds on every address.
  void explain_taken_ports(const Container& container);
  // Status and events.
  void record(EventType type, std::string reason, std::string message);
  void refresh();
  void set_condition(const char* type, bool value);
  void finish_if_stopped();

  PodWorkerPorts ports_;
  api::Pod pod_;
  PodPlacement placement_;
  std::function<void()> on_change_;
  std::function<void(const PodEvent&)> event_listener_;
  std::vector<Container> containers_;
  std::deque<PodEvent> events_;
  std::vector<api::Condition> conditions_;
  std::optional<WallTime> start_time_;
  bool started_ = false;
  bool initialized_ = false;  // every init container is done; the app containers were started
  bool advancing_ = false;    // advance_initialization() is running
  // The drain gate opened: the containers are being killed.
  bool killing_ = false;
  bool terminating_ = false;
  bool finished_ = false;
  std::int64_t grace_seconds_ = 0;
  runtime::Time grace_deadline_{};
  // Callbacks from ports hold a weak reference: a worker destroyed while a process exit is on
  // its way ignores it.
  std::shared_ptr<PodWorker*> self_;
};

}  // namespace nodrop::node
