#include "node/pod_worker.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "base/check.h"

namespace nodrop::node {
namespace {

using std::chrono::seconds;

constexpr const char* kContainerIdScheme = "nodrop://";
constexpr std::int32_t kStartErrorExitCode = 128;
// What containerd reports for a container whose process was lost with its node (a reboot).
constexpr std::int32_t kLostExitCode = 255;
constexpr const char* kLostReason = "Unknown";

// Runs `action(worker)` only while the worker behind `weak` exists.
template <typename Action>
auto guarded(const std::shared_ptr<PodWorker*>& self, Action action) {
  return [weak = std::weak_ptr<PodWorker*>(self), action = std::move(action)](auto&&... args) {
    if (const auto alive = weak.lock()) action(**alive, std::forward<decltype(args)>(args)...);
  };
}

std::string pod_key(const api::Pod& pod) {
  return pod.metadata.namespace_name + "/" + pod.metadata.name;
}

std::optional<std::uint16_t> resolve_port(const api::IntOrString& port,
                                          const api::Container& container) {
  if (!port.is_string()) {
    if (port.int_value() < 1 || port.int_value() > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(port.int_value());
  }
  for (const api::ContainerPort& candidate : container.ports) {
    if (candidate.name == port.string_value()) {
      return static_cast<std::uint16_t>(candidate.container_port);
    }
  }
  return std::nullopt;
}

}  // namespace

PodWorker::PodWorker(PodWorkerPorts ports, api::Pod pod, PodPlacement placement,
                     std::function<void()> on_change)
    : ports_(ports),
      pod_(std::move(pod)),
      placement_(std::move(placement)),
      on_change_(std::move(on_change)),
      self_(std::make_shared<PodWorker*>(this)) {
  pod_.spec.node_name = placement_.node_name;
  std::vector<api::ContainerPosition> positions;
  for (std::size_t i = 0; i < pod_.spec.init_containers.size(); ++i) {
    positions.push_back(api::ContainerPosition::init_container(i));
  }
  for (std::size_t i = 0; i < pod_.spec.containers.size(); ++i) positions.emplace_back(i);
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const api::Container& spec = api::container_at(pod_.spec, positions[i]);
    Container container;
    container.index = i;
    container.position = positions[i];
    container.sidecar = positions[i].init && api::is_sidecar(spec);
    container.name = spec.name;
    // The kubelet's default waiting reason while a pod has init containers to run.
    if (!pod_.spec.init_containers.empty()) container.waiting_reason = "PodInitializing";
    container.stop_signal = stop_signal_of(spec, placement_.images);
    const auto add_probe = [&](ProbeType type, const std::optional<api::Probe>& probe) {
      if (!probe) return;
      container.probes.push_back(
          ProbeWorker{type, *probe,
                      ProbeResults(type, std::max(probe->success_threshold, 1),
                                   std::max(probe->failure_threshold, 1)),
                      std::nullopt, std::nullopt, false});
    };
    add_probe(ProbeType::kStartup, spec.startup_probe);
    add_probe(ProbeType::kLiveness, spec.liveness_probe);
    add_probe(ProbeType::kReadiness, spec.readiness_probe);
    // A regular init container runs to its exit: no port of it is waited on.
    const bool regular_init = positions[i].init && !container.sidecar;
    if (placement_.ready_when_listening && !spec.readiness_probe && !regular_init) {
      for (const api::ContainerPort& port : spec.ports) {
        if (!port.protocol.empty() && port.protocol != "TCP") continue;
        api::Probe listening;
        api::TcpSocketAction action;
        action.port = api::IntOrString::from_int(port.container_port);
        listening.handler.tcp_socket = action;
        listening.timeout_seconds = 1;
        ProbeWorker worker{
            ProbeType::kReadiness, listening,    ProbeResults(ProbeType::kReadiness, 1, 1),
            std::nullopt,          std::nullopt, false};
        worker.implicit = true;
        container.probes.push_back(std::move(worker));
      }
    }
    containers_.push_back(std::move(container));
  }
}

PodWorker::~PodWorker() {
  self_.reset();
  for (Container& container : containers_) {
    if (container.restart_timer) ports_.loop.cancel(*container.restart_timer);
    if (container.kill_timer) ports_.loop.cancel(*container.kill_timer);
    if (container.prestop_probe) ports_.prober.cancel(*container.prestop_probe);
    for (ProbeWorker& probe : container.probes) {
      if (probe.tick) ports_.loop.cancel(*probe.tick);
      if (probe.in_flight) ports_.prober.cancel(*probe.in_flight);
    }
    if (container.process) {
      [[maybe_unused]] const Status killed =
          ports_.processes.signal(*container.process, runtime::Signal::kKill);
    }
    if (ports_.every_address_ports)
      ports_.every_address_ports->release(pod_key(pod_), container.name);
  }
}

// ---- Containers -------------------------------------------------------------------------------

void PodWorker::start() {
  NODROP_CHECK(!started_);
  started_ = true;
  if (pod_.status.start_time) {
    resume();
    return;
  }
  start_time_ = ports_.loop.clock().wall_now();
  set_condition(api::kPodScheduled, true);
  record(EventType::kNormal, "Scheduled",
         "Successfully assigned " + pod_key(pod_) + " to " + placement_.node_name);
  set_condition(api::kPodInitialized, pod_.spec.init_containers.empty());
  advance_initialization();
  refresh();
}

void PodWorker::advance_initialization() {
  if (initialized_ || terminating_ || killing_ || advancing_) return;
  if (pod_.metadata.deletion_timestamp) return;  // resumed while being deleted: nothing starts
  advancing_ = true;
  bool done = true;
  for (Container& container : containers_) {
    if (!container.position.init) continue;
    if (container.sidecar) {
      if (container_started(container)) container.sidecar_started = true;
      if (container.sidecar_started) continue;
    } else if (container.phase == ContainerPhase::kTerminated && container.terminated &&
               container.terminated->exit_code == 0) {
      continue;
    }
    // Not started yet: its turn. Running, starting, or waiting for a restart: wait for it.
    if (container.phase == ContainerPhase::kWaiting && !container.ever_ran &&
        !container.restart_timer) {
      start_container(container);
      // A sidecar without a startup probe has started once it runs: the next one's turn.
      if (container.sidecar && container_started(container)) {
        container.sidecar_started = true;
        continue;
      }
    }
    done = false;
    break;
  }
  if (done) {
    initialized_ = true;
    set_condition(api::kPodInitialized, true);
    for (Container& container : containers_) {
      if (!container.position.init) start_container(container);
    }
  }
  advancing_ = false;
}

bool PodWorker::init_failed() const {
  return std::any_of(containers_.begin(), containers_.end(), [&](const Container& container) {
    return container.position.init && !container.sidecar &&
           container.phase == ContainerPhase::kTerminated && container.terminated &&
           container.terminated->exit_code != 0 && !container.restart_timer;
  });
}

void PodWorker::resume() {
  start_time_ = pod_.status.start_time;
  conditions_ = pod_.status.conditions;
  const bool deleting = pod_.metadata.deletion_timestamp.has_value();
  const WallTime now = ports_.loop.clock().wall_now();
  // Init containers do not run again once the pod was initialized.
  const api::Condition* initialized =
      api::find_condition(pod_.status.conditions, api::kPodInitialized);
  initialized_ = pod_.spec.init_containers.empty() ||
                 (initialized != nullptr && initialized->status == api::ConditionStatus::kTrue);
  for (Container& container : containers_) {
    const std::vector<api::ContainerStatus>& statuses = container.position.init
                                                            ? pod_.status.init_container_statuses
                                                            : pod_.status.container_statuses;
    container.sidecar_started = container.sidecar && initialized_;
    const auto stored = std::find_if(
        statuses.begin(), statuses.end(),
        [&](const api::ContainerStatus& status) { return status.name == container.name; });
    if (stored != statuses.end()) {
      container.restart_count = stored->restart_count;
      container.ever_ran = !stored->container_id.empty();
      container.last_terminated = stored->last_state.terminated;
      container.terminated = stored->state.terminated;
      if (stored->state.running && !stored->container_id.empty() && adopt(container, *stored)) {
        continue;
      }
      if (stored->state.running) {
        api::ContainerStateTerminated lost;
        lost.exit_code = kLostExitCode;
        lost.reason = kLostReason;
        lost.message = "the container's process ended while nodrop was not running";
        lost.started_at = stored->state.running->started_at;
        lost.finished_at = now;
        container.terminated = lost;
      }
    }
    const bool ended_for_good = container.terminated && !should_restart(container);
    if (deleting || ended_for_good) {
      if (container.terminated) container.phase = ContainerPhase::kTerminated;
      for (ProbeWorker& probe : container.probes) probe.stopped = true;
      continue;
    }
    // Not its turn yet: advance_initialization() starts it.
    if (!initialized_ && (!container.position.init || !container.ever_ran)) continue;
    if (initialized_ && container.position.init && !container.sidecar) continue;
    if (container.ever_ran) ++container.restart_count;
    container.generation = static_cast<std::uint64_t>(container.restart_count);
    start_container(container);
  }
  // An init container that ended for good while nodrop was away: the sidecars it adopted stop.
  if (!deleting && init_failed()) stop_sidecars_of_ended_pod();
  refresh();
  finish_if_stopped();
}

bool PodWorker::adopt(Container& container, const api::ContainerStatus& stored) {
  // The container ID names the run: "nodrop://<pod uid>/<container>/<generation>".
  const std::string& id = stored.container_id;
  const auto slash = id.rfind('/');
  if (slash == std::string::npos) return false;
  std::uint64_t generation = 0;
  const auto [end, error] =
      std::from_chars(id.data() + slash + 1, id.data() + id.size(), generation);
  if (error != std::errc() || end != id.data() + id.size() ||
      id != container_id(container, generation)) {
    return false;
  }
  Result<runtime::ProcessSpec> spec =
      container_process_spec(pod_, container.position, placement_.addresses,
                             log_path_of(container, container.restart_count), placement_.images,
                             environment_sources(), placement_.pod_directory);
  if (!spec) return false;
  spec->key = id;
  const std::size_t index = container.index;
  Result<runtime::ProcessId> process = ports_.processes.adopt(
      *spec,
      guarded(self_, [index, generation](PodWorker& worker, const runtime::ProcessExit& exit) {
        worker.on_process_exit(index, generation, exit);
      }));
  if (!process) return false;
  container.generation = generation;
  container.listening_checked = false;
  container.phase = ContainerPhase::kRunning;
  container.process = *process;
  container.ever_ran = true;
  container.terminated.reset();
  container.waiting_reason.clear();
  container.waiting_message.clear();
  // When it started, on the monotonic timeline, for initialDelaySeconds.
  const WallTime started =
      stored.state.running->started_at.value_or(ports_.loop.clock().wall_now());
  container.started_wall = started;
  container.started_at = ports_.loop.clock().now() -
                         std::chrono::duration_cast<runtime::Duration>(std::max(
                             ports_.loop.clock().wall_now() - started, WallTime::duration::zero()));
  for (ProbeWorker& probe : container.probes) {
    probe.results.new_container();
    switch (probe.type) {
      case ProbeType::kReadiness:
        probe.results.resume(stored.ready ? StoredResult::kSuccess : StoredResult::kFailure);
        // Listening already, if it was ready: nodrop's own check is done.
        if (probe.implicit && stored.ready) probe.stopped = true;
        break;
      case ProbeType::kStartup:
        if (stored.started.value_or(false)) probe.results.resume(StoredResult::kSuccess);
        break;
      case ProbeType::kLiveness:
        break;
    }
  }
  start_probe_ticks(container);
  return true;
}

std::string PodWorker::container_id(const Container& container, std::uint64_t generation) const {
  return kContainerIdScheme + pod_.metadata.uid + "/" + container.name + "/" +
         std::to_string(generation);
}

std::string PodWorker::log_path_of(const Container& container, std::int32_t run) const {
  return log_path_of(container.name, run);
}

void PodWorker::remove_logs() {
  if (!placement_.pod_directory.empty()) {
    ports_.processes.remove_directory(placement_.pod_directory);
  }
  for (const Container& container : containers_) {
    ports_.processes.remove_log(log_path_of(container, container.restart_count));
    if (container.restart_count >= 1) {
      ports_.processes.remove_log(log_path_of(container, container.restart_count - 1));
    }
  }
}

EnvironmentSources PodWorker::environment_sources() const {
  return ports_.environment_sources ? ports_.environment_sources(pod_) : EnvironmentSources{};
}

void PodWorker::start_container(Container& container) {
  container.restart_timer.reset();
  // One log per run, as the kubelet keeps them (<container>/<restart count>.log): the previous
  // run's stays for `logs --previous`; the one before it goes.
  const std::string log_path = log_path_of(container, container.restart_count);
  if (container.restart_count >= 2) {
    ports_.processes.remove_log(log_path_of(container, container.restart_count - 2));
  }
  Result<runtime::ProcessSpec> spec =
      container_process_spec(pod_, container.position, placement_.addresses, log_path,
                             placement_.images, environment_sources(), placement_.pod_directory);
  if (!spec) {
    // A configuration error: tried again every kConfigErrorRetry, as the kubelet syncs a pod that
    // failed again after its back-off period; a ConfigMap or Secret created meanwhile lets it
    // start.
    container.phase = ContainerPhase::kWaiting;
    container.waiting_reason = "CreateContainerConfigError";
    container.waiting_message = spec.status().message();
    record(EventType::kWarning, "Failed", "Error: " + spec.status().message());
    const std::size_t index = container.index;
    container.restart_timer =
        ports_.loop.run_after(kConfigErrorRetry, guarded(self_, [index](PodWorker& worker) {
                                Container& target = worker.containers_.at(index);
                                target.restart_timer.reset();
                                if (worker.terminating_) return;
                                worker.start_container(target);
                                worker.refresh();
                              }));
    return;
  }
  const std::size_t index = container.index;
  const std::uint64_t generation = container.generation + 1;
  spec->key = container_id(container, generation);  // a later nodrop adopts it by this
  const auto on_exit =
      guarded(self_, [index, generation](PodWorker& worker, const runtime::ProcessExit& exit) {
        worker.on_process_exit(index, generation, exit);
      });
  // This very run may be running already: an earlier nodrop started it and died before its
  // status was stored. It is taken over, not started twice (the second would find its port taken).
  Result<runtime::ProcessId> process = ports_.processes.adopt(*spec, on_exit);
  if (!process) process = ports_.processes.start(*spec, on_exit);
  container.generation = generation;
  container.listening_checked = false;
  const WallTime now_wall = ports_.loop.clock().wall_now();
  if (!process) {
    // The command cannot run (not found, not executable): a terminated container with reason
    // StartError, restarted per restartPolicy and so throttled by CrashLoopBackOff.
    container.phase = ContainerPhase::kTerminated;
    container.process.reset();
    api::ContainerStateTerminated terminated;
    terminated.exit_code = kStartErrorExitCode;
    terminated.reason = "StartError";
    terminated.message = process.status().message();
    terminated.started_at = now_wall;
    terminated.finished_at = now_wall;
    container.terminated = terminated;
    record(EventType::kWarning, "Failed",
           "Error: failed to start container \"" + container.name +
               "\": " + process.status().message());
    after_stop(container);
    return;
  }
  container.phase = ContainerPhase::kRunning;
  container.process = *process;
  container.ever_ran = true;
  container.started_at = ports_.loop.clock().now();
  container.started_wall = now_wall;
  if (container.terminated) container.last_terminated = container.terminated;
  container.terminated.reset();
  container.waiting_reason.clear();
  container.waiting_message.clear();
  for (ProbeWorker& probe : container.probes) {
    probe.results.new_container();
    if (probe.implicit) {  // a new process must listen again
      probe.stopped = false;
      probe.implicit_failures = 0;
    }
  }
  record(EventType::kNormal, "Created", "Created container " + container.name);
  record(EventType::kNormal, "Started", "Started container " + container.name);
  start_probe_ticks(container);
}

void PodWorker::on_process_exit(std::size_t index, std::uint64_t generation,
                                const runtime::ProcessExit& exit) {
  Container& container = containers_.at(index);
  if (container.generation != generation || container.phase != ContainerPhase::kRunning) return;
  container.phase = ContainerPhase::kTerminated;
  container.process.reset();
  if (container.kill_timer) ports_.loop.cancel(*container.kill_timer);
  container.kill_timer.reset();
  if (container.prestop_probe) ports_.prober.cancel(*container.prestop_probe);
  container.prestop_probe.reset();
  container.kill_step = KillStep::kNone;
  api::ContainerStateTerminated terminated;
  terminated.exit_code = exit.container_exit_code();
  terminated.signal = exit.kind == runtime::ExitKind::kSignaled ? exit.signal_number : 0;
  terminated.reason = terminated.exit_code == 0 ? "Completed" : "Error";
  terminated.started_at = container.started_wall;
  terminated.finished_at = ports_.loop.clock().wall_now();
  container.terminated = terminated;
  if (ports_.every_address_ports)
    ports_.every_address_ports->release(pod_key(pod_), container.name);
  if (!container.listening_checked && !terminating_) explain_taken_ports(container);
  after_stop(container);
}

// After a container stopped (exit or failed start): restart it, or finish the pod.
void PodWorker::after_stop(Container& container) {
  for (ProbeWorker& probe : container.probes) {
    if (probe.in_flight) ports_.prober.cancel(*probe.in_flight);
    probe.in_flight.reset();
  }
  // killing_: the pod is terminating, or has failed; nothing starts again.
  const bool restart = !terminating_ && !killing_ && should_restart(container);
  if (restart) {
    schedule_restart(container);
  } else {
    for (ProbeWorker& probe : container.probes) {
      if (probe.tick) ports_.loop.cancel(*probe.tick);
      probe.tick.reset();
      probe.stopped = true;
    }
  }
  if (!restart && !terminating_ && !killing_ && !container.sidecar) {
    // The pod has ended without a deletion: a regular init container failed for good
    // (restartPolicy Never), or every app container ended for good (restartPolicy Never or
    // OnFailure). Its sidecars are stopped, the last first, with the pod's grace period.
    const bool init_failed_for_good =
        container.position.init && container.terminated && container.terminated->exit_code != 0;
    bool apps_ended = !container.position.init;
    for (const Container& other : containers_) {
      if (other.position.init) continue;
      apps_ended = apps_ended && other.phase == ContainerPhase::kTerminated && !other.restart_timer;
    }
    if (init_failed_for_good || apps_ended) stop_sidecars_of_ended_pod();
  }
  refresh();
  finish_if_stopped();
}

void PodWorker::stop_sidecars_of_ended_pod() {
  grace_deadline_ =
      ports_.loop.clock().now() + seconds(pod_.spec.termination_grace_period_seconds.value_or(0));
  killing_ = true;
  for (Container& sidecar : containers_) {
    if (sidecar.sidecar && sidecar.phase == ContainerPhase::kRunning &&
        sidecar.kill_step == KillStep::kNone) {
      sidecar.kill_step = KillStep::kDrainGate;
    }
  }
  stop_next_sidecar();
}

bool PodWorker::should_restart(const Container& container) const {
  if (container.sidecar) return true;
  const std::string& policy = pod_.spec.restart_policy;
  if (policy == "Never") return false;
  // A regular init container is restarted until it succeeds: Always counts as OnFailure.
  if (container.position.init) return container.terminated && container.terminated->exit_code != 0;
  if (policy == "OnFailure") return container.terminated && container.terminated->exit_code != 0;
  return true;  // Always, the default
}

void PodWorker::schedule_restart(Container& container) {
  const std::string key = pod_.metadata.uid + "/" + container.name;
  const runtime::Time now = ports_.loop.clock().now();
  // finishedAt on the monotonic timeline: the exit is handled as it happens.
  const runtime::Time finished_at = now;
  const std::size_t index = container.index;
  const auto restart = [this, key, index, finished_at] {
    Container& target = containers_.at(index);
    target.restart_timer.reset();
    if (terminating_) return;
    ports_.backoff.next(key, finished_at, ports_.loop.clock().now());
    ++target.restart_count;
    start_container(target);
    refresh();
  };
  if (const auto ends = ports_.backoff.backoff_ends(key, finished_at, now)) {
    container.phase = ContainerPhase::kWaiting;
    container.waiting_reason = "CrashLoopBackOff";
    container.waiting_message =
        "back-off " +
        std::to_string(std::chrono::duration_cast<seconds>(ports_.backoff.get(key)).count()) +
        "s restarting failed container=" + container.name + " pod=" + pod_key(pod_);
    record(EventType::kWarning, "BackOff",
           "Back-off restarting failed container " + container.name + " in pod " + pod_key(pod_));
    container.restart_timer =
        ports_.loop.run_at(*ends, guarded(self_, [restart](PodWorker&) { restart(); }));
    return;
  }
  container.restart_timer = ports_.loop.post(guarded(self_, [restart](PodWorker&) { restart(); }));
}

// ---- Probes -----------------------------------------------------------------------------------

void PodWorker::start_probe_ticks(Container& container) {
  for (std::size_t p = 0; p < container.probes.size(); ++p) {
    ProbeWorker& probe = container.probes[p];
    if (probe.tick || probe.stopped) continue;  // ticking since an earlier start
    const std::size_t index = container.index;
    probe.tick = ports_.loop.post(
        guarded(self_, [index, p](PodWorker& worker) { worker.on_probe_tick(index, p); }));
  }
}

bool PodWorker::container_started(const Container& container) const {
  if (container.phase != ContainerPhase::kRunning) return false;
  for (const ProbeWorker& probe : container.probes) {
    if (probe.type == ProbeType::kStartup) {
      return probe.results.stored() == StoredResult::kSuccess;
    }
  }
  return true;
}

bool PodWorker::container_ready(const Container& container) const {
  if (!container_started(container)) return false;
  // Every readiness check must pass: the probe, or nodrop's listening checks (one per port).
  for (const ProbeWorker& probe : container.probes) {
    if (probe.type == ProbeType::kReadiness && probe.results.stored() != StoredResult::kSuccess) {
      return false;
    }
  }
  return true;
}

void PodWorker::on_probe_tick(std::size_t index, std::size_t p) {
  Container& container = containers_.at(index);
  ProbeWorker& probe = container.probes.at(p);
  probe.tick.reset();
  if (probe.stopped || finished_) return;
  const runtime::Duration period =
      probe.implicit ? runtime::Duration(kListeningCheckPeriod)
                     : runtime::Duration(seconds(std::max(probe.spec.period_seconds, 1)));
  probe.tick = ports_.loop.run_after(
      period, guarded(self_, [index, p](PodWorker& worker) { worker.on_probe_tick(index, p); }));

  // worker.go stores Failure for a container that is not running; container_ready() already
  // says false for it, and a new start stores the initial value again.
  if (container.phase != ContainerPhase::kRunning) return;
  if (terminating_ && probe.type != ProbeType::kReadiness) return;  // stopped at termination
  if (probe.results.on_hold()) return;
  const auto running_for = ports_.loop.clock().now() - container.started_at;
  if (within_initial_delay(running_for, probe.spec.initial_delay_seconds)) return;
  const bool started = container_started(container);
  if (probe.type == ProbeType::kStartup && started) return;
  if (probe.type != ProbeType::kStartup && !started) return;
  if (probe.in_flight) return;  // a slow probe: the ticker drops this tick

  const auto timeout = seconds(std::max(probe.spec.timeout_seconds, 1));
  const std::uint64_t generation = container.generation;
  probe.in_flight = ports_.prober.probe(
      probe_spec(container, probe.spec.handler, timeout),
      guarded(self_,
              [index, p, generation](PodWorker& worker, const runtime::ProbeOutcome& outcome) {
                worker.on_probe_done(index, p, generation, outcome);
              }));
}

void PodWorker::on_probe_done(std::size_t index, std::size_t p, std::uint64_t generation,
                              const runtime::ProbeOutcome& outcome) {
  Container& container = containers_.at(index);
  ProbeWorker& probe = container.probes.at(p);
  probe.in_flight.reset();
  if (container.generation != generation || container.phase != ContainerPhase::kRunning) return;
  if (probe.stopped || probe.results.on_hold()) return;
  if (probe.implicit) {
    if (outcome.result == runtime::ProbeResult::kSuccess) {
      // Listening: ready from now on, as a container without a probe is once it started.
      probe.stopped = true;
      if (probe.tick) ports_.loop.cancel(*probe.tick);
      probe.tick.reset();
    } else if (++probe.implicit_failures == kListeningFailuresBeforeEvent) {
      record(EventType::kWarning, "NotListening",
             "Container " + container.name + " does not accept connections on port " +
                 std::to_string(probe.spec.handler.tcp_socket->port.int_value()) +
                 " yet; it counts as ready once each declared port does: " + outcome.message);
    }
  } else if (outcome.result == runtime::ProbeResult::kFailure) {
    record(EventType::kWarning, "Unhealthy",
           std::string(probe_type_name(probe.type)) + " probe failed: " + outcome.message);
  }
  if (probe.type == ProbeType::kReadiness && outcome.result == runtime::ProbeResult::kSuccess &&
      !container.listening_checked) {
    check_listening_addresses(container);
  }
  if (!probe.results.record(outcome.result)) return;
  if (probe.type != ProbeType::kReadiness && probe.results.stored() == StoredResult::kFailure &&
      !terminating_) {
    const bool liveness = probe.type == ProbeType::kLiveness;
    const KillReason reason = liveness ? KillReason::kLivenessProbe : KillReason::kStartupProbe;
    record(EventType::kNormal, "Killing",
           "Container " + container.name + " failed " + (liveness ? "liveness" : "startup") +
               " probe, will be restarted");
    kill_container(container, reason, kill_grace_period_seconds(pod_, spec_of(container), reason));
  }
  refresh();
}

runtime::ProbeSpec PodWorker::probe_spec(const Container& container, const api::Handler& handler,
                                         runtime::Duration timeout) const {
  const api::Container& spec = spec_of(container);
  runtime::ProbeSpec probe;
  probe.timeout = timeout;
  if (handler.http_get) {
    runtime::HttpGetAction action;
    action.host =
        handler.http_get->host.empty() ? placement_.addresses.pod_ip : handler.http_get->host;
    action.port = resolve_port(handler.http_get->port, spec).value_or(0);
    action.path = handler.http_get->path.empty() ? "/" : handler.http_get->path;
    for (const api::HttpHeader& header : handler.http_get->http_headers) {
      action.headers.push_back({header.name, header.value});
    }
    probe.action = action;
  } else if (handler.tcp_socket) {
    runtime::TcpSocketAction action;
    action.host =
        handler.tcp_socket->host.empty() ? placement_.addresses.pod_ip : handler.tcp_socket->host;
    action.port = resolve_port(handler.tcp_socket->port, spec).value_or(0);
    probe.action = action;
  } else {
    runtime::ExecAction action;
    if (handler.exec) {
      Result<Environment> environment = container_environment(
          pod_, container.position, placement_.addresses, environment_sources());
      if (environment) action.env = std::move(environment).value();
      std::map<std::string, std::string, std::less<>> by_name(action.env.begin(), action.env.end());
      for (const std::string& word : handler.exec->command) {
        action.argv.push_back(expand_variables(word, [&](std::string_view name) {
          const auto found = by_name.find(name);
          return found == by_name.end() ? std::nullopt : std::optional<std::string>(found->second);
        }));
      }
      action.working_dir = spec.working_dir;
    }
    // An empty argv (a grpc probe, which nodrop does not run) fails with a message.
    probe.action = action;
  }
  return probe;
}

// ---- Killing ----------------------------------------------------------------------------------

void PodWorker::kill_container(Container& container, KillReason reason,
                               std::int64_t grace_seconds) {
  if (container.phase != ContainerPhase::kRunning || container.kill_step != KillStep::kNone) return;
  container.kill_reason = reason;
  container.kill_grace_seconds = grace_seconds;
  if (reason == KillReason::kPodDeletion) {
    record(EventType::kNormal, "Killing", "Stopping container " + container.name);
  }
  run_prestop(container);
}

void PodWorker::run_prestop(Container& container) {
  const api::Container& spec = spec_of(container);
  const bool has_prestop = spec.lifecycle && spec.lifecycle->pre_stop;
  if (!has_prestop || container.kill_grace_seconds <= 0) {
    send_stop_signal(container);
    return;
  }
  container.kill_step = KillStep::kPreStop;
  container.prestop_started = ports_.loop.clock().now();
  const std::size_t index = container.index;
  const std::uint64_t generation = container.generation;
  const auto grace = seconds(container.kill_grace_seconds);
  // executePreStopHook waits for the hook or the grace period, whichever ends first; a hook that
  // outlives it is abandoned.
  container.kill_timer =
      ports_.loop.run_after(grace, guarded(self_, [index, generation](PodWorker& worker) {
                              Container& target = worker.containers_.at(index);
                              target.kill_timer.reset();
                              if (target.prestop_probe)
                                worker.ports_.prober.cancel(*target.prestop_probe);
                              target.prestop_probe.reset();
                              worker.on_prestop_done(index, generation, false, "");
                            }));
  const api::Handler& hook = *spec.lifecycle->pre_stop;
  if (hook.sleep) {
    ports_.loop.cancel(*container.kill_timer);
    const auto duration = std::min(seconds(std::max<std::int64_t>(hook.sleep->seconds, 0)), grace);
    container.kill_timer =
        ports_.loop.run_after(duration, guarded(self_, [index, generation](PodWorker& worker) {
                                worker.containers_.at(index).kill_timer.reset();
                                worker.on_prestop_done(index, generation, false, "");
                              }));
    return;
  }
  container.prestop_probe = ports_.prober.probe(
      probe_spec(container, hook, grace),
      guarded(self_, [index, generation](PodWorker& worker, const runtime::ProbeOutcome& outcome) {
        Container& target = worker.containers_.at(index);
        target.prestop_probe.reset();
        if (target.kill_timer) worker.ports_.loop.cancel(*target.kill_timer);
        target.kill_timer.reset();
        const bool failed = outcome.result == runtime::ProbeResult::kFailure ||
                            outcome.result == runtime::ProbeResult::kError;
        worker.on_prestop_done(index, generation, failed, outcome.message);
      }));
}

void PodWorker::on_prestop_done(std::size_t index, std::uint64_t generation, bool failed,
                                const std::string& message) {
  Container& container = containers_.at(index);
  if (container.generation != generation || container.phase != ContainerPhase::kRunning) return;
  if (container.kill_step != KillStep::kPreStop) return;
  if (failed) {
    record(EventType::kWarning, "FailedPreStopHook",
           "PreStopHook failed for container " + container.name + ": " + message);
  }
  send_stop_signal(container);
}

void PodWorker::send_stop_signal(Container& container) {
  std::optional<runtime::Duration> prestop_elapsed;
  if (container.kill_step == KillStep::kPreStop) {
    prestop_elapsed = ports_.loop.clock().now() - container.prestop_started;
  }
  container.kill_step = KillStep::kStopSignal;
  const runtime::Duration window =
      stop_signal_window(container.kill_grace_seconds, prestop_elapsed);
  if (!ports_.processes.signal(*container.process, container.stop_signal).is_ok()) return;
  const std::size_t index = container.index;
  const std::uint64_t generation = container.generation;
  container.kill_timer =
      ports_.loop.run_after(window, guarded(self_, [index, generation](PodWorker& worker) {
                              Container& target = worker.containers_.at(index);
                              target.kill_timer.reset();
                              if (target.generation != generation || !target.process) return;
                              [[maybe_unused]] const Status killed = worker.ports_.processes.signal(
                                  *target.process, runtime::Signal::kKill);
                            }));
}

void PodWorker::check_listening_addresses(Container& container) {
  container.listening_checked = true;
  if (!container.process) return;
  for (const runtime::ListeningSocket& socket :
       ports_.processes.listening_sockets(*container.process)) {
    if (socket.address != "0.0.0.0" && socket.address != "::") continue;
    const std::string address = socket.address == "::" ? "[::]" : socket.address;
    const std::string port = std::to_string(socket.port);
    if (ports_.every_address_ports) {
      ports_.every_address_ports->hold(socket.port, {pod_key(pod_), container.name, address});
    }
    record(EventType::kWarning, "ListensOnEveryAddress",
           "Container " + container.name + " listens on " + address + ":" + port +
               ", every address of this host: on one host that takes port " + port +
               " from every other pod, so this pod answers for its neighbours and the next one "
               "cannot listen. Listen on the pod's address instead: $(POD_IP), from env "
               "valueFrom.fieldRef.fieldPath status.podIP");
  }
}

void PodWorker::explain_taken_ports(const Container& container) {
  if (!ports_.every_address_ports) return;
  for (const api::ContainerPort& port : spec_of(container).ports) {
    if ((!port.protocol.empty() && port.protocol != "TCP") || port.container_port < 1 ||
        port.container_port > 65535) {
      continue;
    }
    const PortHolder* holder =
        ports_.every_address_ports->holder(static_cast<std::uint16_t>(port.container_port));
    if (holder == nullptr || holder->pod == pod_key(pod_)) continue;
    const std::string number = std::to_string(port.container_port);
    record(EventType::kWarning, "PortHeldOnEveryAddress",
           "Container " + container.name + " exited before it was ready: port " + number +
               " is held on every address by pod " + holder->pod + " (container " +
               holder->container + " listens on " + holder->address + ":" + number +
               "), so it cannot listen on this pod's address. Make that app listen on $(POD_IP)");
  }
}

void PodWorker::terminate(std::optional<std::int64_t> grace_period_seconds) {
  if (grace_period_seconds) {
    pod_.metadata.deletion_grace_period_seconds =
        deletion_grace_period_seconds(pod_, grace_period_seconds);
  } else if (!pod_.metadata.deletion_grace_period_seconds) {
    pod_.metadata.deletion_grace_period_seconds = deletion_grace_period_seconds(pod_, std::nullopt);
  }
  if (terminating_) return;  // the grace period in use is kept
  terminating_ = true;
  if (!pod_.metadata.deletion_timestamp) {
    pod_.metadata.deletion_timestamp =
        ports_.loop.clock().wall_now() + seconds(*pod_.metadata.deletion_grace_period_seconds);
  }
  grace_seconds_ = effective_grace_period_seconds(pod_, 0);
  grace_deadline_ = ports_.loop.clock().now() + seconds(grace_seconds_);
  for (Container& container : containers_) {
    if (container.restart_timer) ports_.loop.cancel(*container.restart_timer);
    container.restart_timer.reset();
    for (ProbeWorker& probe : container.probes) {
      if (probe.type == ProbeType::kReadiness) continue;
      // StopLivenessAndStartup: the worker stores Success and stops.
      probe.stopped = true;
      if (probe.tick) ports_.loop.cancel(*probe.tick);
      probe.tick.reset();
      if (probe.in_flight) ports_.prober.cancel(*probe.in_flight);
      probe.in_flight.reset();
    }
    // A container already being killed (a liveness kill) keeps its kill and its deadlines.
    if (container.phase == ContainerPhase::kRunning && container.kill_step == KillStep::kNone) {
      container.kill_step = KillStep::kDrainGate;
    }
  }
  ports_.drain_gate.wait_for_drain(
      with_status(), grace_deadline_, guarded(self_, [](PodWorker& worker) {
        const std::int64_t grace = worker.remaining_grace_seconds();
        worker.killing_ = true;
        for (Container& container : worker.containers_) {
          if (container.sidecar) continue;  // after the others: stop_next_sidecar()
          if (container.phase != ContainerPhase::kRunning) continue;
          if (container.kill_step != KillStep::kDrainGate) continue;
          container.kill_step = KillStep::kNone;
          worker.kill_container(container, KillReason::kPodDeletion, grace);
        }
        worker.stop_next_sidecar();
        worker.refresh();
      }));
  refresh();
  finish_if_stopped();
}

std::int64_t PodWorker::remaining_grace_seconds() const {
  // What is left of the grace period, in whole seconds as the kubelet passes it on.
  const auto left =
      std::chrono::duration_cast<seconds>(grace_deadline_ - ports_.loop.clock().now());
  return std::max<std::int64_t>(left.count(), 0);
}

void PodWorker::stop_next_sidecar() {
  if (!killing_) return;
  for (const Container& container : containers_) {
    if (!container.sidecar && container.phase == ContainerPhase::kRunning) return;
  }
  for (auto it = containers_.rbegin(); it != containers_.rend(); ++it) {
    Container& container = *it;
    if (!container.sidecar || container.phase != ContainerPhase::kRunning) continue;
    if (container.kill_step == KillStep::kDrainGate) {
      container.kill_step = KillStep::kNone;
      kill_container(container, KillReason::kPodDeletion, remaining_grace_seconds());
    }
    return;  // one at a time: the next when this one has stopped
  }
}

// ---- Status and events ------------------------------------------------------------------------

void PodWorker::record(EventType type, std::string reason, std::string message) {
  events_.push_back({ports_.loop.clock().wall_now(), type, std::move(reason), std::move(message)});
  while (events_.size() > kMaxEvents) events_.pop_front();
  if (event_listener_) event_listener_(events_.back());
}

void PodWorker::set_condition(const char* type, bool value) {
  const api::ConditionStatus status =
      value ? api::ConditionStatus::kTrue : api::ConditionStatus::kFalse;
  for (api::Condition& condition : conditions_) {
    if (condition.type != type) continue;
    if (condition.status != status) {
      condition.status = status;
      condition.last_transition_time = ports_.loop.clock().wall_now();
    }
    return;
  }
  api::Condition condition;
  condition.type = type;
  condition.status = status;
  condition.last_transition_time = ports_.loop.clock().wall_now();
  conditions_.push_back(condition);
}

void PodWorker::refresh() {
  advance_initialization();
  // The app containers and the sidecars (GenerateContainersReadyCondition, 1.29+).
  bool all_ready = initialized_ && !containers_.empty();
  for (const Container& container : containers_) {
    if (container.position.init && !container.sidecar) continue;
    all_ready = all_ready && container_ready(container);
  }
  if (finished_) all_ready = false;
  set_condition(api::kContainersReady, all_ready);
  set_condition(api::kPodReady, all_ready);
  if (on_change_) on_change_();
}

void PodWorker::finish_if_stopped() {
  stop_next_sidecar();
  if (!terminating_ || finished_) return;
  for (const Container& container : containers_) {
    if (container.phase == ContainerPhase::kRunning) return;
  }
  finished_ = true;
  for (Container& container : containers_) {
    for (ProbeWorker& probe : container.probes) {
      probe.stopped = true;
      if (probe.tick) ports_.loop.cancel(*probe.tick);
      probe.tick.reset();
      if (probe.in_flight) ports_.prober.cancel(*probe.in_flight);
      probe.in_flight.reset();
    }
  }
  refresh();
}

api::Pod PodWorker::with_status() const {
  api::Pod pod = pod_;
  pod.status = status();
  return pod;
}

api::PodStatus PodWorker::status() const {
  api::PodStatus status;
  status.conditions = conditions_;
  status.host_ip = placement_.addresses.host_ip;
  status.pod_ip = placement_.addresses.pod_ip;
  status.start_time = start_time_;
  bool any_never_ran = false;
  bool all_exited_zero = true;
  bool all_stopped_for_good = !pod_.spec.containers.empty();
  for (const Container& container : containers_) {
    const api::Container& spec = spec_of(container);
    const bool regular_init = container.position.init && !container.sidecar;
    api::ContainerStatus out;
    out.name = container.name;
    out.image = spec.image;
    out.restart_count = container.restart_count;
    // A regular init container is ready once it exited 0 (prober_manager.go UpdatePodStatus).
    out.ready = regular_init ? container.phase == ContainerPhase::kTerminated &&
                                   container.terminated && container.terminated->exit_code == 0
                             : container_ready(container) && !finished_;
    out.started = container_started(container);
    if (container.ever_ran) out.container_id = container_id(container, container.generation);
    switch (container.phase) {
      case ContainerPhase::kWaiting:
        out.state.waiting =
            api::ContainerStateWaiting{container.waiting_reason, container.waiting_message};
        if (container.terminated) {
          out.last_state.terminated = container.terminated;
        } else if (container.last_terminated) {
          out.last_state.terminated = container.last_terminated;
        }
        break;
      case ContainerPhase::kRunning:
        out.state.running = api::ContainerStateRunning{container.started_wall};
        if (container.last_terminated) out.last_state.terminated = container.last_terminated;
        break;
      case ContainerPhase::kTerminated:
        out.state.terminated = container.terminated;
        if (container.last_terminated) out.last_state.terminated = container.last_terminated;
        break;
    }
    if (container.position.init) {
      status.init_container_statuses.push_back(std::move(out));
      continue;
    }
    // The phase follows the app containers only; sidecars are stopped by the kubelet.
    if (!container.ever_ran && container.phase == ContainerPhase::kWaiting) any_never_ran = true;
    if (!container.terminated || container.terminated->exit_code != 0) all_exited_zero = false;
    all_stopped_for_good = all_stopped_for_good && container.phase == ContainerPhase::kTerminated &&
                           !container.restart_timer;
    status.container_statuses.push_back(std::move(out));
  }
  if (init_failed()) {
    status.phase = api::PodPhase::kFailed;
  } else if (finished_ || (all_stopped_for_good && pod_.spec.restart_policy != "Always")) {
    status.phase = all_exited_zero ? api::PodPhase::kSucceeded : api::PodPhase::kFailed;
  } else if (!started_ || !initialized_ || any_never_ran) {
    status.phase = api::PodPhase::kPending;
  } else {
    status.phase = api::PodPhase::kRunning;
  }
  return status;
}

}  // namespace nodrop::node
