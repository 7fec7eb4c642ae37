// The kubelet's timing rules in virtual time, against the fake process runtime and prober.
#include "node/pod_worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "sim/fake_prober.h"
#include "sim/fake_process_runtime.h"
#include "sim/sim_loop.h"

namespace nodrop::node {
namespace {

using std::chrono::seconds;

api::Probe probe_on(const char* path, std::int32_t period, std::int32_t failure_threshold) {
  api::Probe probe;
  api::HttpGetAction action;
  action.path = path;
  action.port = api::IntOrString::from_string("http");
  probe.handler.http_get = action;
  probe.period_seconds = period;
  probe.timeout_seconds = 1;
  probe.success_threshold = 1;
  probe.failure_threshold = failure_threshold;
  return probe;
}

api::Pod make_pod(const std::string& command) {
  api::Pod pod;
  pod.metadata.name = "web-1";
  pod.metadata.namespace_name = "default";
  pod.metadata.uid = "uid-1";
  pod.spec.restart_policy = "Always";
  pod.spec.termination_grace_period_seconds = 30;
  api::Container container;
  container.name = "app";
  container.image = "demo-app:v1";
  container.command = {command};
  api::ContainerPort port;
  port.name = "http";
  port.container_port = 8080;
  container.ports = {port};
  pod.spec.containers = {container};
  return pod;
}

api::Container init_container(const std::string& name, const std::string& command) {
  api::Container container;
  container.name = name;
  container.image = "demo-app:v1";
  container.command = {command};
  return container;
}

api::Container sidecar(const std::string& name, const std::string& command) {
  api::Container container = init_container(name, command);
  container.restart_policy = "Always";
  return container;
}

// A process that exits with `code` after `runs_for`.
sim::FakeProcessRuntime::Behavior job(seconds runs_for, int code) {
  sim::FakeProcessRuntime::Behavior behavior;
  behavior.runs_for = runs_for;
  behavior.exit_on_its_own = runtime::ProcessExit{runtime::ExitKind::kExited, code, 0};
  return behavior;
}

std::string probe_path(const runtime::ProbeSpec& spec) {
  const auto* http = std::get_if<runtime::HttpGetAction>(&spec.action);
  return http == nullptr ? "" : http->path;
}

class PodWorkerTest : public ::testing::Test {
 protected:
  void start(api::Pod pod, bool ready_when_listening = false,
             std::vector<ImageMapping> images = {}) {
    worker_ =
        std::make_unique<PodWorker>(PodWorkerPorts{loop_, processes_, prober_, backoff_, gate_,
                                                   [this](const api::Pod&) { return sources_; }},
                                    std::move(pod),
                                    PodPlacement{.node_name = "node-1",
                                                 .addresses = {"127.0.2.1", "127.0.1.1"},
                                                 .log_directory = "/logs",
                                                 .pod_directory = "/pods/uid-1",
                                                 .ready_when_listening = ready_when_listening,
                                                 .images = std::move(images)},
                                    nullptr);
    worker_->start();
    loop_.advance(seconds(0));
  }
  // Seconds since the start of virtual time.
  std::int64_t now_s() const {
    return std::chrono::duration_cast<seconds>(loop_.now().time_since_epoch()).count();
  }
  std::int64_t at_s(WallTime wall) const {
    return std::chrono::duration_cast<seconds>(wall - sim::SimLoop::default_wall_start()).count();
  }
  std::vector<std::int64_t> event_times(const std::string& reason) const {
    std::vector<std::int64_t> times;
    for (const PodEvent& event : worker_->events()) {
      if (event.reason == reason) times.push_back(at_s(event.at));
    }
    return times;
  }
  bool has_event(const std::string& reason, const std::string& message) const {
    for (const PodEvent& event : worker_->events()) {
      if (event.reason == reason && event.message == message) return true;
    }
    return false;
  }
  std::vector<std::int64_t> probe_times(const std::string& path) const {
    std::vector<std::int64_t> times;
    for (const auto& record : prober_.probes()) {
      if (probe_path(record.spec) == path) {
        times.push_back(std::chrono::duration_cast<seconds>(record.at.time_since_epoch()).count());
      }
    }
    return times;
  }
  // "<seconds>:<container>" for each Started event, in order.
  std::vector<std::string> starts() const {
    std::vector<std::string> out;
    for (const PodEvent& event : worker_->events()) {
      if (event.reason != "Started") continue;
      out.push_back(std::to_string(at_s(event.at)) + ":" +
                    event.message.substr(std::string("Started container ").size()));
    }
    return out;
  }
  // "<seconds>:<command>:<signal>" for each signal sent, in order.
  std::vector<std::string> signals_sent() const {
    std::vector<std::string> out;
    for (const auto& record : processes_.signals()) {
      out.push_back(std::to_string(
                        std::chrono::duration_cast<seconds>(record.at.time_since_epoch()).count()) +
                    ":" + processes_.spec(record.process)->argv[0] + ":" +
                    (record.signal == runtime::Signal::kKill ? "KILL" : "TERM"));
    }
    return out;
  }
  const api::Condition* condition(const api::PodStatus& status, const char* type) {
    return api::find_condition(status.conditions, type);
  }

  sim::SimLoop loop_;
  sim::FakeProcessRuntime processes_{loop_};
  sim::FakeProber prober_{loop_};
  RestartBackoff backoff_;
  OpenDrainGate gate_{loop_};
  EnvironmentSources sources_;  // what the pods' environments may refer to
  std::unique_ptr<PodWorker> worker_;
};

TEST_F(PodWorkerTest, APodIsReadyOnlyOnceItsReadinessProbeSucceeds) {
  api::Pod pod = make_pod("app");
  pod.spec.containers[0].readiness_probe = probe_on("/ready", 10, 3);
  prober_.set_script([this](const runtime::ProbeSpec&) {
    return sim::FakeProber::Answer{
        {now_s() < 15 ? runtime::ProbeResult::kFailure : runtime::ProbeResult::kSuccess, ""}, {}};
  });
  start(pod);
  api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kRunning);
  EXPECT_EQ(status.pod_ip, "127.0.2.1");
  EXPECT_EQ(condition(status, api::kPodReady)->status, api::ConditionStatus::kFalse);
  EXPECT_FALSE(status.container_statuses[0].ready);
  EXPECT_EQ(status.container_statuses[0].started, true);  // no startup probe

  loop_.advance(seconds(19));
  EXPECT_EQ(condition(worker_->status(), api::kPodReady)->status, api::ConditionStatus::kFalse);
  loop_.advance(seconds(1));
  status = worker_->status();
  EXPECT_EQ(condition(status, api::kPodReady)->status, api::ConditionStatus::kTrue);
  EXPECT_EQ(at_s(*condition(status, api::kPodReady)->last_transition_time), 20);
  EXPECT_EQ(probe_times("/ready"), (std::vector<std::int64_t>{0, 10, 20}));
  // The probe goes to the pod IP and the named port.
  const auto& action = std::get<runtime::HttpGetAction>(prober_.probes()[0].spec.action);
  EXPECT_EQ(action.host, "127.0.2.1");
  EXPECT_EQ(action.port, 8080);
}

TEST_F(PodWorkerTest, WithoutAProbeTheNodropProfileWaitsUntilEachDeclaredPortListens) {
  api::Pod pod = make_pod("app");
  api::ContainerPort metrics;
  metrics.container_port = 9090;
  api::ContainerPort dns;
  dns.container_port = 53;
  dns.protocol = "UDP";  // not checked: nothing to connect to
  pod.spec.containers[0].ports.push_back(metrics);
  pod.spec.containers[0].ports.push_back(dns);
  // 8080 listens from 0.35 s, 9090 from 0.55 s; a restarted process listens 250 ms after `down`.
  std::optional<runtime::Time> down;
  prober_.set_script([this, &down](const runtime::ProbeSpec& spec) {
    const auto& tcp = std::get<runtime::TcpSocketAction>(spec.action);
    bool listening =
        loop_.now().time_since_epoch() >= std::chrono::milliseconds(tcp.port == 8080 ? 350 : 550);
    if (down) listening = loop_.now() >= *down + std::chrono::milliseconds(250);
    return sim::FakeProber::Answer{
        {listening ? runtime::ProbeResult::kSuccess : runtime::ProbeResult::kFailure,
         "connection refused"},
        {}};
  });
  start(pod, true);
  EXPECT_EQ(condition(worker_->status(), api::kPodReady)->status, api::ConditionStatus::kFalse);
  loop_.advance(std::chrono::milliseconds(450));
  EXPECT_EQ(condition(worker_->status(), api::kPodReady)->status, api::ConditionStatus::kFalse);
  loop_.advance(std::chrono::milliseconds(200));
  EXPECT_EQ(condition(worker_->status(), api::kPodReady)->status, api::ConditionStatus::kTrue);
  // Checks every 100 ms on the pod IP, each port until its first success, then none.
  std::vector<int> checked_ports;
  for (const auto& record : prober_.probes()) {
    const auto& tcp = std::get<runtime::TcpSocketAction>(record.spec.action);
    EXPECT_EQ(tcp.host, "127.0.2.1");
    checked_ports.push_back(tcp.port);
  }
  EXPECT_EQ(std::count(checked_ports.begin(), checked_ports.end(), 8080), 5);  // 0 … 0.4 s
  EXPECT_EQ(std::count(checked_ports.begin(), checked_ports.end(), 9090), 7);  // 0 … 0.6 s
  EXPECT_EQ(checked_ports.size(), 12u);
  loop_.advance(seconds(10));
  EXPECT_EQ(prober_.probes().size(), 12u);

  // A new process must listen again: after a crash (restarted at once) the checks resume.
  down = loop_.now();
  ASSERT_TRUE(processes_.exit_process(1, {runtime::ExitKind::kExited, 1, 0}));
  loop_.advance(std::chrono::milliseconds(200));
  EXPECT_EQ(processes_.started(), 2u);
  EXPECT_EQ(condition(worker_->status(), api::kPodReady)->status, api::ConditionStatus::kFalse);
  loop_.advance(std::chrono::milliseconds(200));
  EXPECT_EQ(condition(worker_->status(), api::kPodReady)->status, api::ConditionStatus::kTrue);
  EXPECT_EQ(prober_.probes().size(), 12u + 2 * 4);  // 0 … 0.3 s after the restart
}

TEST_F(PodWorkerTest, AnAppListeningOnEveryAddressDrawsAWarningNamingThePortAndTheFix) {
  api::Pod pod = make_pod("app");
  api::ContainerPort metrics;
  metrics.container_port = 9090;
  pod.spec.containers[0].ports.push_back(metrics);
  prober_.set_script([](const runtime::ProbeSpec&) {
    return sim::FakeProber::Answer{{runtime::ProbeResult::kSuccess, ""}, {}};
  });
  // The first process: 8080 on every IPv4 address, 9090 on the pod's; its restart: [::]:8080.
  processes_.set_listening_sockets(1, {{"0.0.0.0", 8080}, {"127.0.2.1", 9090}});
  processes_.set_listening_sockets(2, {{"::", 8080}});
  start(pod, true);
  loop_.advance(seconds(5));
  std::vector<std::string> warnings;
  const auto collect = [&] {
    warnings.clear();
    for (const PodEvent& event : worker_->events()) {
      if (event.reason == "ListensOnEveryAddress") warnings.push_back(event.message);
    }
  };
  collect();
  ASSERT_EQ(warnings.size(), 1U);  // one check per run, not one per port or per probe
  EXPECT_NE(warnings[0].find("Container app listens on 0.0.0.0:8080"), std::string::npos);
  EXPECT_NE(warnings[0].find("$(POD_IP)"), std::string::npos);
  EXPECT_EQ(warnings[0].find("9090"), std::string::npos);
  ASSERT_TRUE(processes_.exit_process(1, {runtime::ExitKind::kExited, 1, 0}));
  loop_.advance(seconds(20));
  collect();
  ASSERT_EQ(warnings.size(), 2U);
  EXPECT_NE(warnings[1].find("listens on [::]:8080"), std::string::npos);
}

TEST_F(PodWorkerTest, APodThatCannotListenIsToldWhichPodHoldsItsPortOnEveryAddress) {
  // web-1 (127.0.2.1) listens on 0.0.0.0:8080; web-2 (127.0.2.2) declares 8080 and exits after
  // 100 ms without ever listening, as an app whose bind failed.
  EveryAddressPorts table;
  prober_.set_script([](const runtime::ProbeSpec& spec) {
    const bool first = std::get<runtime::TcpSocketAction>(spec.action).host == "127.0.2.1";
    return sim::FakeProber::Answer{
        {first ? runtime::ProbeResult::kSuccess : runtime::ProbeResult::kFailure, "refused"}, {}};
  });
  sim::FakeProcessRuntime::Behavior fails_to_bind;
  fails_to_bind.runs_for = std::chrono::milliseconds(100);
  processes_.set_behavior("second", fails_to_bind);
  processes_.set_listening_sockets(1, {{"0.0.0.0", 8080}});
  const auto make_worker = [&](const std::string& name, const std::string& address) {
    api::Pod pod = make_pod(name == "web-1" ? "first" : "second");
    pod.metadata.name = name;
    pod.metadata.uid = "uid-" + name;
    auto worker = std::make_unique<PodWorker>(
        PodWorkerPorts{loop_, processes_, prober_, backoff_, gate_, nullptr, &table}, pod,
        PodPlacement{.node_name = "node-1",
                     .addresses = {address, "127.0.1.1"},
                     .log_directory = "/logs/" + name,
                     .ready_when_listening = true},
        nullptr);
    worker->start();
    return worker;
  };
  const auto first = make_worker("web-1", "127.0.2.1");
  loop_.advance(seconds(1));
  ASSERT_NE(table.holder(8080), nullptr);
  EXPECT_EQ(table.holder(8080)->pod, "default/web-1");
  const auto second = make_worker("web-2", "127.0.2.2");
  loop_.advance(std::chrono::milliseconds(150));  // its first exit (one Warning per exit)
  std::vector<std::string> explained;
  for (const PodEvent& event : second->events()) {
    if (event.reason == "PortHeldOnEveryAddress") explained.push_back(event.message);
  }
  ASSERT_EQ(explained.size(), 1U);
  EXPECT_NE(explained[0].find("port 8080 is held on every address by pod default/web-1 "
                              "(container app listens on 0.0.0.0:8080)"),
            std::string::npos)
      << explained[0];
  EXPECT_NE(explained[0].find("$(POD_IP)"), std::string::npos);
  // The holder stops: the port is free again.
  ASSERT_TRUE(processes_.exit_process(1, {runtime::ExitKind::kExited, 0, 0}));
  loop_.advance(seconds(0));
  EXPECT_EQ(table.holder(8080), nullptr);
}

TEST_F(PodWorkerTest, AnAppListeningOnThePodsAddressDrawsNoWarning) {
  prober_.set_script([](const runtime::ProbeSpec&) {
    return sim::FakeProber::Answer{{runtime::ProbeResult::kSuccess, ""}, {}};
  });
  processes_.set_listening_sockets(1, {{"127.0.2.1", 8080}});
  start(make_pod("app"), true);
  loop_.advance(seconds(5));
  EXPECT_EQ(condition(worker_->status(), api::kPodReady)->status, api::ConditionStatus::kTrue);
  EXPECT_TRUE(event_times("ListensOnEveryAddress").empty());
}

TEST_F(PodWorkerTest, APortThatNeverListensIsOneWarningAndNeverARestart) {
  api::Pod pod = make_pod("app");
  prober_.set_script([](const runtime::ProbeSpec&) {
    return sim::FakeProber::Answer{{runtime::ProbeResult::kFailure, "connection refused"}, {}};
  });
  start(pod, true);
  loop_.advance(seconds(20));
  EXPECT_EQ(condition(worker_->status(), api::kPodReady)->status, api::ConditionStatus::kFalse);
  EXPECT_EQ(event_times("NotListening"), (std::vector<std::int64_t>{4}));  // 50th check, at 4.9 s
  EXPECT_TRUE(event_times("Unhealthy").empty());
  EXPECT_EQ(worker_->status().container_statuses[0].restart_count, 0);  // readiness never kills
}

TEST_F(PodWorkerTest, InitialDelayPostponesTheFirstProbeToTheFirstTickAfterIt) {
  api::Pod pod = make_pod("app");
  pod.spec.containers[0].readiness_probe = probe_on("/ready", 10, 3);
  pod.spec.containers[0].readiness_probe->initial_delay_seconds = 15;
  start(pod);
  loop_.advance(seconds(40));
  EXPECT_EQ(probe_times("/ready"), (std::vector<std::int64_t>{20, 30, 40}));
}

TEST_F(PodWorkerTest, TheStartupProbeGatesLivenessAndReadiness) {
  api::Pod pod = make_pod("app");
  pod.spec.containers[0].startup_probe = probe_on("/startup", 1, 30);
  pod.spec.containers[0].liveness_probe = probe_on("/healthz", 10, 3);
  pod.spec.containers[0].readiness_probe = probe_on("/ready", 10, 3);
  prober_.set_script([this](const runtime::ProbeSpec& spec) {
    const bool up = probe_path(spec) != "/startup" || now_s() >= 5;
    return sim::FakeProber::Answer{
        {up ? runtime::ProbeResult::kSuccess : runtime::ProbeResult::kFailure, ""}, {}};
  });
  start(pod);
  loop_.advance(seconds(4));
  EXPECT_EQ(worker_->status().container_statuses[0].started, false);
  EXPECT_TRUE(probe_times("/healthz").empty());
  EXPECT_TRUE(probe_times("/ready").empty());
  loop_.advance(seconds(1));
  EXPECT_EQ(worker_->status().container_statuses[0].started, true);
  loop_.advance(seconds(30));
  EXPECT_EQ(probe_times("/startup"), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}));
  // Liveness and readiness tick every 10 s from the start and probe from the first tick after.
  EXPECT_EQ(probe_times("/healthz"), (std::vector<std::int64_t>{10, 20, 30}));
  EXPECT_EQ(probe_times("/ready"), (std::vector<std::int64_t>{10, 20, 30}));
}

TEST_F(PodWorkerTest, ALivenessFailureKillsAndRestartsTheContainerWithBackoff) {
  api::Pod pod = make_pod("app");
  pod.spec.containers[0].liveness_probe = probe_on("/healthz", 10, 3);
  prober_.set_script([](const runtime::ProbeSpec&) {
    return sim::FakeProber::Answer{
        {runtime::ProbeResult::kFailure, "HTTP probe failed with statuscode: 500"}, {}};
  });
  start(pod);
  loop_.advance(seconds(20));
  // Probes at 0, 10 and 20 fail: the third reaches failureThreshold.
  EXPECT_TRUE(has_event("Killing", "Container app failed liveness probe, will be restarted"));
  EXPECT_TRUE(
      has_event("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500"));
  ASSERT_EQ(processes_.signals().size(), 1U);
  EXPECT_EQ(processes_.signals()[0].signal, runtime::Signal::kTerminate);
  api::PodStatus status = worker_->status();
  EXPECT_EQ(status.container_statuses[0].restart_count, 1);  // first restart: at once
  ASSERT_TRUE(status.container_statuses[0].last_state.terminated.has_value());
  EXPECT_EQ(status.container_statuses[0].last_state.terminated->exit_code, 143);
  // The next three failures (30, 40, 50) kill it again; now it waits 10 s in CrashLoopBackOff.
  loop_.advance(seconds(30));
  status = worker_->status();
  ASSERT_TRUE(status.container_statuses[0].state.waiting.has_value());
  EXPECT_EQ(status.container_statuses[0].state.waiting->reason, "CrashLoopBackOff");
  loop_.advance(seconds(10));
  EXPECT_EQ(worker_->status().container_statuses[0].restart_count, 2);
  EXPECT_EQ(event_times("Started"), (std::vector<std::int64_t>{0, 20, 60}));
  EXPECT_EQ(event_times("BackOff"), (std::vector<std::int64_t>{50}));
}

TEST_F(PodWorkerTest, ACrashingContainerRestartsAfter0_10_20_40Seconds) {
  sim::FakeProcessRuntime::Behavior crasher;
  crasher.runs_for = seconds(1);
  processes_.set_behavior("crasher", crasher);
  start(make_pod("crasher"));
  loop_.advance(seconds(200));
  // Crashes at 1, 2, 13, 34, 75, 156: restarts 0, 10, 20, 40, 80 s after each.
  EXPECT_EQ(event_times("Started"), (std::vector<std::int64_t>{0, 1, 12, 33, 74, 155}));
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kRunning);
  EXPECT_EQ(status.container_statuses[0].restart_count, 5);
}

TEST_F(PodWorkerTest, EachRunLogsToItsOwnFileAndOnlyTheLastTwoRunsAreKept) {
  sim::FakeProcessRuntime::Behavior crasher;
  crasher.runs_for = seconds(1);
  processes_.set_behavior("crasher", crasher);
  start(make_pod("crasher"));
  loop_.advance(seconds(40));  // runs 0, 1, 2, 3
  ASSERT_EQ(processes_.started(), 4U);
  for (runtime::ProcessId id = 1; id <= 4; ++id) {
    EXPECT_EQ(processes_.spec(id)->log_path, "/logs/app/" + std::to_string(id - 1) + ".log");
    EXPECT_EQ(processes_.spec(id)->log_format, runtime::LogFormat::kCri);
  }
  // Starting run 2 let run 0 go, run 3 let run 1 go; 2 (previous) and 3 (current) stay.
  EXPECT_EQ(processes_.removed_logs(),
            (std::vector<std::string>{"/logs/app/0.log", "/logs/app/1.log"}));
  worker_->remove_logs();
  EXPECT_EQ(processes_.removed_logs().size(), 4U);
  EXPECT_EQ(processes_.removed_logs()[2], "/logs/app/3.log");
  EXPECT_EQ(processes_.removed_logs()[3], "/logs/app/2.log");
}

TEST_F(PodWorkerTest, AMissingCommandIsAStartErrorThrottledByBackoff) {
  processes_.set_missing("ghost");
  start(make_pod("ghost"));
  loop_.advance(seconds(60));
  EXPECT_EQ(processes_.started(), 0U);
  EXPECT_EQ(event_times("Failed"), (std::vector<std::int64_t>{0, 0, 10, 30}));
  const api::ContainerStatus status = worker_->status().container_statuses[0];
  ASSERT_TRUE(status.state.waiting.has_value());
  EXPECT_EQ(status.state.waiting->reason, "CrashLoopBackOff");
  ASSERT_TRUE(status.last_state.terminated.has_value());
  EXPECT_EQ(status.last_state.terminated->reason, "StartError");
  EXPECT_EQ(status.last_state.terminated->exit_code, 128);
  EXPECT_NE(status.last_state.terminated->message.find("ghost"), std::string::npos);
}

TEST_F(PodWorkerTest, AContainerWithoutACommandIsAConfigErrorAndNothingRuns) {
  api::Pod pod = make_pod("app");
  pod.spec.containers[0].command.clear();
  start(pod);
  loop_.advance(seconds(60));
  EXPECT_EQ(processes_.started(), 0U);
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kPending);
  EXPECT_EQ(status.container_statuses[0].state.waiting->reason, "CreateContainerConfigError");
  // Tried again every 10 s, as the kubelet syncs a pod whose sync failed.
  EXPECT_EQ(event_times("Failed"), (std::vector<std::int64_t>{0, 10, 20, 30, 40, 50, 60}));
}

TEST_F(PodWorkerTest, AContainerWaitingForAConfigMapStartsAtTheRetryAfterItIsCreated) {
  std::optional<ConfigData> config;  // created at 25 s
  sources_.config = [&config](ConfigKind kind, const std::string& name) {
    return kind == ConfigKind::kConfigMap && name == "web-config" ? config : std::nullopt;
  };
  api::Pod pod = make_pod("app");
  api::EnvVar mode;
  mode.name = "MODE";
  mode.config_map_key_ref = api::KeySelector{"web-config", "mode", std::nullopt};
  pod.spec.containers[0].env = {mode};
  start(pod);
  loop_.advance(seconds(25));
  EXPECT_EQ(processes_.started(), 0U);
  const api::ContainerStatus waiting = worker_->status().container_statuses[0];
  ASSERT_TRUE(waiting.state.waiting.has_value());
  EXPECT_EQ(waiting.state.waiting->reason, "CreateContainerConfigError");
  EXPECT_EQ(waiting.state.waiting->message, "configmap \"web-config\" not found");
  EXPECT_EQ(event_times("Failed"), (std::vector<std::int64_t>{0, 10, 20}));
  config = ConfigData{{"mode", "fast"}};
  loop_.advance(seconds(10));
  ASSERT_EQ(processes_.started(), 1U);
  const Environment& env = processes_.spec(1)->env;
  EXPECT_NE(std::find(env.begin(), env.end(), std::pair<std::string, std::string>{"MODE", "fast"}),
            env.end());
  EXPECT_EQ(event_times("Started"), (std::vector<std::int64_t>{30}));
  EXPECT_EQ(worker_->status().container_statuses[0].restart_count, 0);
}

TEST_F(PodWorkerTest, TerminationSendsSigtermThenSigkillWhenTheGracePeriodEnds) {
  sim::FakeProcessRuntime::Behavior stubborn;
  stubborn.exit_delay_after_sigterm = std::nullopt;
  processes_.set_behavior("stubborn", stubborn);
  start(make_pod("stubborn"));
  loop_.advance(seconds(100));
  worker_->terminate();
  loop_.advance(seconds(40));
  ASSERT_EQ(processes_.signals().size(), 2U);
  EXPECT_EQ(processes_.signals()[0].signal, runtime::Signal::kTerminate);
  EXPECT_EQ(processes_.signals()[0].at, runtime::Time(seconds(100)));
  EXPECT_EQ(processes_.signals()[1].signal, runtime::Signal::kKill);
  EXPECT_EQ(processes_.signals()[1].at, runtime::Time(seconds(130)));
  EXPECT_TRUE(worker_->finished());
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kFailed);
  EXPECT_EQ(status.container_statuses[0].state.terminated->exit_code, 137);
  EXPECT_EQ(processes_.started(), 1U);  // never restarted while terminating
  EXPECT_TRUE(has_event("Killing", "Stopping container app"));
}

TEST_F(PodWorkerTest, AnImagesStopSignalReplacesSigtermAndSigkillStillEndsTheGracePeriod) {
  sim::FakeProcessRuntime::Behavior stubborn;
  stubborn.exit_delay_after_sigterm = std::nullopt;
  processes_.set_behavior("nginx", stubborn);
  api::Pod pod = make_pod("app");
  pod.spec.containers[0].command.clear();
  pod.spec.containers[0].image = "nginx:1.25";
  const std::vector<ImageMapping> images = {{.image = "nginx",
                                             .command = {"nginx"},
                                             .args = {"-p", "$(CONTAINER_DIR)"},
                                             .env = {},
                                             .stop_signal = runtime::Signal::kQuit}};
  start(pod, false, images);
  ASSERT_EQ(processes_.started(), 1U);
  EXPECT_EQ(processes_.spec(1)->argv, (std::vector<std::string>{"nginx", "-p", "/pods/uid-1/app"}));
  EXPECT_EQ(processes_.spec(1)->directories, (std::vector<std::string>{"/pods/uid-1"}));
  loop_.advance(seconds(100));
  worker_->terminate();
  loop_.advance(seconds(40));
  ASSERT_EQ(processes_.signals().size(), 2U);
  EXPECT_EQ(processes_.signals()[0].signal, runtime::Signal::kQuit);
  EXPECT_EQ(processes_.signals()[0].at, runtime::Time(seconds(100)));
  EXPECT_EQ(processes_.signals()[1].signal, runtime::Signal::kKill);
  EXPECT_EQ(processes_.signals()[1].at, runtime::Time(seconds(130)));
  EXPECT_TRUE(worker_->finished());
  worker_->remove_logs();
  EXPECT_EQ(processes_.removed_directories(), (std::vector<std::string>{"/pods/uid-1"}));
}

TEST_F(PodWorkerTest, AContainerWithItsOwnCommandIsStoppedBySigtermWhateverItsImage) {
  api::Pod pod = make_pod("app");
  pod.spec.containers[0].image = "nginx";
  ImageMapping nginx;
  nginx.image = "nginx";
  nginx.command = {"nginx"};
  nginx.stop_signal = runtime::Signal::kQuit;
  start(pod, false, {nginx});
  worker_->terminate();
  loop_.advance(seconds(1));
  ASSERT_EQ(processes_.signals().size(), 1U);
  EXPECT_EQ(processes_.signals()[0].signal, runtime::Signal::kTerminate);
  EXPECT_TRUE(worker_->finished());
}

TEST_F(PodWorkerTest, APreStopSleepCountsAgainstTheGracePeriod) {
  sim::FakeProcessRuntime::Behavior stubborn;
  stubborn.exit_delay_after_sigterm = std::nullopt;
  processes_.set_behavior("stubborn", stubborn);
  api::Pod pod = make_pod("stubborn");
  api::Handler sleep;
  sleep.sleep = api::SleepAction{5};
  pod.spec.containers[0].lifecycle = api::Lifecycle{std::nullopt, sleep};
  start(pod);
  worker_->terminate();
  loop_.advance(seconds(40));
  ASSERT_EQ(processes_.signals().size(), 2U);
  EXPECT_EQ(processes_.signals()[0].at, runtime::Time(seconds(5)));   // SIGTERM after preStop
  EXPECT_EQ(processes_.signals()[1].at, runtime::Time(seconds(30)));  // 5 + (30 − 5)
}

TEST_F(PodWorkerTest, APreStopHookThatOutlivesTheGracePeriodIsAbandonedWithTwoSecondsForSigterm) {
  sim::FakeProcessRuntime::Behavior stubborn;
  stubborn.exit_delay_after_sigterm = std::nullopt;
  processes_.set_behavior("stubborn", stubborn);
  api::Pod pod = make_pod("stubborn");
  api::Handler hook;
  hook.exec = api::ExecAction{{"sleep", "40"}};
  pod.spec.containers[0].lifecycle = api::Lifecycle{std::nullopt, hook};
  prober_.set_script([](const runtime::ProbeSpec&) {
    return sim::FakeProber::Answer{{runtime::ProbeResult::kSuccess, ""}, seconds(40)};
  });
  start(pod);
  worker_->terminate();
  loop_.advance(seconds(40));
  ASSERT_EQ(processes_.signals().size(), 2U);
  EXPECT_EQ(processes_.signals()[0].at, runtime::Time(seconds(30)));
  EXPECT_EQ(processes_.signals()[1].at, runtime::Time(seconds(32)));
}

TEST_F(PodWorkerTest, AGracefulAppEndsTheTerminationEarlyAndThePodSucceeds) {
  sim::FakeProcessRuntime::Behavior graceful;
  graceful.exit_delay_after_sigterm = seconds(3);
  graceful.exit_on_sigterm = {runtime::ExitKind::kExited, 0, 0};
  processes_.set_behavior("graceful", graceful);
  start(make_pod("graceful"));
  worker_->terminate(10);
  loop_.advance(seconds(3));
  EXPECT_TRUE(worker_->finished());
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kSucceeded);
  EXPECT_EQ(status.container_statuses[0].state.terminated->reason, "Completed");
  EXPECT_EQ(condition(status, api::kPodReady)->status, api::ConditionStatus::kFalse);
  EXPECT_EQ(processes_.signals().size(), 1U);  // no SIGKILL
}

TEST_F(PodWorkerTest, ReadinessKeepsProbingDuringTerminationButLivenessStops) {
  sim::FakeProcessRuntime::Behavior slow;
  slow.exit_delay_after_sigterm = seconds(25);
  processes_.set_behavior("slow", slow);
  api::Pod pod = make_pod("slow");
  pod.spec.containers[0].liveness_probe = probe_on("/healthz", 10, 3);
  pod.spec.containers[0].readiness_probe = probe_on("/ready", 10, 3);
  start(pod);
  loop_.advance(seconds(5));
  worker_->terminate();
  loop_.advance(seconds(30));
  EXPECT_EQ(probe_times("/healthz"), (std::vector<std::int64_t>{0}));
  EXPECT_EQ(probe_times("/ready"), (std::vector<std::int64_t>{0, 10, 20, 30}));
  // The kubelet does not force Ready false when deletion starts; it falls when the app exits.
  EXPECT_TRUE(worker_->finished());
}

TEST_F(PodWorkerTest, DeletionDuringALivenessKillKeepsThatKillAndDoesNotRestart) {
  sim::FakeProcessRuntime::Behavior stubborn;
  stubborn.exit_delay_after_sigterm = std::nullopt;
  processes_.set_behavior("stubborn", stubborn);
  api::Pod pod = make_pod("stubborn");
  pod.spec.containers[0].liveness_probe = probe_on("/healthz", 10, 1);
  prober_.set_script([](const runtime::ProbeSpec&) {
    return sim::FakeProber::Answer{{runtime::ProbeResult::kFailure, ""}, {}};
  });
  start(pod);  // the first probe fails: SIGTERM at 0, SIGKILL due at 30
  loop_.advance(seconds(5));
  worker_->terminate();
  loop_.advance(seconds(40));
  ASSERT_EQ(processes_.signals().size(), 2U);
  EXPECT_EQ(processes_.signals()[0].at, runtime::Time(seconds(0)));
  EXPECT_EQ(processes_.signals()[1].signal, runtime::Signal::kKill);
  EXPECT_EQ(processes_.signals()[1].at, runtime::Time(seconds(30)));
  EXPECT_EQ(processes_.started(), 1U);
  EXPECT_TRUE(worker_->finished());
}

// ---- Init containers --------------------------------------------------------------------------

TEST_F(PodWorkerTest, InitContainersRunOneAtATimeInOrderEachToSuccessBeforeTheApp) {
  processes_.set_behavior("setup", job(seconds(2), 0));
  processes_.set_behavior("migrate", job(seconds(3), 0));
  api::Pod pod = make_pod("app");
  pod.spec.init_containers = {init_container("setup", "setup"),
                              init_container("migrate", "migrate")};
  start(pod);
  loop_.advance(seconds(1));
  api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kPending);
  EXPECT_EQ(condition(status, api::kPodInitialized)->status, api::ConditionStatus::kFalse);
  ASSERT_EQ(status.init_container_statuses.size(), 2U);
  EXPECT_TRUE(status.init_container_statuses[0].state.running.has_value());
  EXPECT_EQ(status.init_container_statuses[1].state.waiting->reason, "PodInitializing");
  EXPECT_EQ(status.container_statuses[0].state.waiting->reason, "PodInitializing");

  loop_.advance(seconds(9));
  EXPECT_EQ(starts(), (std::vector<std::string>{"0:setup", "2:migrate", "5:app"}));
  EXPECT_TRUE(has_event("Created", "Created container migrate"));
  status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kRunning);
  const api::Condition* initialized = condition(status, api::kPodInitialized);
  EXPECT_EQ(initialized->status, api::ConditionStatus::kTrue);
  EXPECT_EQ(at_s(*initialized->last_transition_time), 5);
  EXPECT_EQ(condition(status, api::kPodReady)->status, api::ConditionStatus::kTrue);
  for (const api::ContainerStatus& done : status.init_container_statuses) {
    EXPECT_EQ(done.state.terminated->reason, "Completed") << done.name;
    EXPECT_TRUE(done.ready) << done.name;  // an init container that exited 0 reports ready
    EXPECT_EQ(done.restart_count, 0) << done.name;
  }
  EXPECT_EQ(status.container_statuses.size(), 1U);
  EXPECT_EQ(processes_.started(), 3U);  // each ran once: done is done
}

TEST_F(PodWorkerTest, AFailingInitContainerIsRestartedWithBackoffAndTheAppWaitsForItsSuccess) {
  processes_.set_behavior("setup", job(seconds(1), 1));
  api::Pod pod = make_pod("app");
  pod.spec.init_containers = {init_container("setup", "setup")};
  start(pod);
  loop_.advance(seconds(20));
  // Fails at 1, 2, 13: restarted at once, then 10 s after.
  EXPECT_EQ(starts(), (std::vector<std::string>{"0:setup", "1:setup", "12:setup"}));
  api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kPending);
  EXPECT_EQ(condition(status, api::kPodInitialized)->status, api::ConditionStatus::kFalse);
  const api::ContainerStatus& setup = status.init_container_statuses[0];
  EXPECT_EQ(setup.state.waiting->reason, "CrashLoopBackOff");
  EXPECT_EQ(setup.last_state.terminated->reason, "Error");
  EXPECT_EQ(setup.restart_count, 2);
  EXPECT_FALSE(setup.ready);
  EXPECT_TRUE(
      has_event("BackOff", "Back-off restarting failed container setup in pod default/web-1"));

  processes_.set_behavior("setup", job(seconds(1), 0));  // the next run succeeds
  loop_.advance(seconds(20));
  EXPECT_EQ(starts(),
            (std::vector<std::string>{"0:setup", "1:setup", "12:setup", "33:setup", "34:app"}));
  status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kRunning);
  EXPECT_EQ(status.init_container_statuses[0].restart_count, 3);
  EXPECT_EQ(condition(status, api::kPodInitialized)->status, api::ConditionStatus::kTrue);
}

TEST_F(PodWorkerTest, UnderRestartPolicyNeverAFailedInitContainerFailsThePodAndStopsItsSidecars) {
  processes_.set_behavior("setup", job(seconds(2), 3));
  api::Pod pod = make_pod("app");
  pod.spec.restart_policy = "Never";
  pod.spec.init_containers = {sidecar("proxy", "proxy"), init_container("setup", "setup")};
  start(pod);
  loop_.advance(seconds(60));
  EXPECT_EQ(starts(), (std::vector<std::string>{"0:proxy", "0:setup"}));
  EXPECT_EQ(signals_sent(), (std::vector<std::string>{"2:proxy:TERM"}));
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kFailed);
  EXPECT_EQ(condition(status, api::kPodInitialized)->status, api::ConditionStatus::kFalse);
  EXPECT_EQ(status.init_container_statuses[1].state.terminated->exit_code, 3);
  EXPECT_EQ(status.init_container_statuses[1].restart_count, 0);
  EXPECT_TRUE(status.init_container_statuses[0].state.terminated.has_value());  // not restarted
  EXPECT_TRUE(status.container_statuses[0].state.waiting.has_value());          // never ran
}

TEST_F(PodWorkerTest, TheNextInitContainerStartsOnceTheSidecarsStartupProbePassed) {
  processes_.set_behavior("setup", job(seconds(1), 0));
  api::Pod pod = make_pod("app");
  api::Container proxy = sidecar("proxy", "proxy");
  proxy.startup_probe = probe_on("/started", 1, 10);
  proxy.readiness_probe = probe_on("/proxy-ready", 1, 1);
  pod.spec.init_containers = {proxy, init_container("setup", "setup")};
  prober_.set_script([this](const runtime::ProbeSpec& spec) {
    const bool up = probe_path(spec) == "/started" ? now_s() >= 3 : now_s() >= 10;
    return sim::FakeProber::Answer{
        {up ? runtime::ProbeResult::kSuccess : runtime::ProbeResult::kFailure, ""}, {}};
  });
  start(pod);
  loop_.advance(seconds(2));
  EXPECT_EQ(starts(), (std::vector<std::string>{"0:proxy"}));
  EXPECT_EQ(worker_->status().init_container_statuses[0].started, false);
  loop_.advance(seconds(6));
  EXPECT_EQ(starts(), (std::vector<std::string>{"0:proxy", "3:setup", "4:app"}));
  api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kRunning);
  EXPECT_EQ(condition(status, api::kPodInitialized)->status, api::ConditionStatus::kTrue);
  // The app is ready; the sidecar's readiness probe still fails, and it counts.
  EXPECT_TRUE(status.container_statuses[0].ready);
  EXPECT_TRUE(status.init_container_statuses[0].state.running.has_value());
  EXPECT_FALSE(status.init_container_statuses[0].ready);
  EXPECT_EQ(condition(status, api::kContainersReady)->status, api::ConditionStatus::kFalse);
  EXPECT_EQ(condition(status, api::kPodReady)->status, api::ConditionStatus::kFalse);
  loop_.advance(seconds(4));
  status = worker_->status();
  EXPECT_TRUE(status.init_container_statuses[0].ready);
  const api::Condition* ready = condition(status, api::kPodReady);
  EXPECT_EQ(ready->status, api::ConditionStatus::kTrue);
  EXPECT_EQ(at_s(*ready->last_transition_time), 10);
}

TEST_F(PodWorkerTest, ASidecarIsRestartedWheneverItExitsWhateverThePodsRestartPolicy) {
  processes_.set_behavior("proxy", job(seconds(5), 0));
  api::Pod pod = make_pod("app");
  pod.spec.restart_policy = "Never";
  pod.spec.init_containers = {sidecar("proxy", "proxy")};
  start(pod);
  loop_.advance(seconds(12));
  // Exits at 5 (restarted at once) and 10 (after 10 s of back-off); the app runs on.
  EXPECT_EQ(starts(), (std::vector<std::string>{"0:proxy", "0:app", "5:proxy"}));
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kRunning);
  EXPECT_EQ(status.init_container_statuses[0].restart_count, 1);
  EXPECT_EQ(status.init_container_statuses[0].state.waiting->reason, "CrashLoopBackOff");
  EXPECT_EQ(condition(status, api::kPodReady)->status, api::ConditionStatus::kFalse);
}

TEST_F(PodWorkerTest, AtTerminationSidecarsStopAfterTheAppOneAtATimeLastFirst) {
  sim::FakeProcessRuntime::Behavior slow;
  slow.exit_delay_after_sigterm = seconds(3);
  processes_.set_behavior("app", slow);
  processes_.set_behavior("logs", slow);
  api::Pod pod = make_pod("app");
  pod.spec.init_containers = {sidecar("logs", "logs"), init_container("setup", "setup"),
                              sidecar("proxy", "proxy")};
  processes_.set_behavior("setup", job(seconds(1), 0));
  start(pod);
  loop_.advance(seconds(10));
  EXPECT_EQ(starts(), (std::vector<std::string>{"0:logs", "0:setup", "1:proxy", "1:app"}));
  worker_->terminate();
  loop_.advance(seconds(40));
  EXPECT_EQ(signals_sent(),
            (std::vector<std::string>{"10:app:TERM", "13:proxy:TERM", "13:logs:TERM"}));
  EXPECT_TRUE(worker_->finished());
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kFailed);  // the app ended by SIGTERM
  EXPECT_EQ(processes_.started(), 4U);              // nothing restarted
}

TEST_F(PodWorkerTest, WhenTheAppEndsForGoodItsSidecarsAreStoppedAndThePodSucceeds) {
  processes_.set_behavior("batch", job(seconds(5), 0));
  api::Pod pod = make_pod("batch");
  pod.spec.restart_policy = "OnFailure";
  pod.spec.init_containers = {sidecar("logs", "logs"), sidecar("proxy", "proxy")};
  start(pod);
  loop_.advance(seconds(20));
  EXPECT_EQ(starts(), (std::vector<std::string>{"0:logs", "0:proxy", "0:app"}));
  EXPECT_EQ(signals_sent(), (std::vector<std::string>{"5:proxy:TERM", "5:logs:TERM"}));
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kSucceeded);  // the sidecars' SIGTERM does not count
  EXPECT_EQ(processes_.started(), 3U);
}

TEST_F(PodWorkerTest, AResumedPodThatWasInitializedAdoptsItsSidecarAndRunsNoInitContainerAgain) {
  processes_.set_behavior("setup", job(seconds(1), 0));
  api::Pod pod = make_pod("app");
  pod.spec.init_containers = {init_container("setup", "setup"), sidecar("proxy", "proxy")};
  start(pod);
  loop_.advance(seconds(10));
  ASSERT_EQ(processes_.started(), 3U);
  const api::Pod stored = worker_->with_status();
  // nodrop dies; its processes run on; a new nodrop resumes the pod from its stored status.
  processes_.orphan_all();
  worker_.reset();
  start(stored);
  loop_.advance(seconds(10));
  EXPECT_EQ(processes_.started(), 3U);  // adopted, none started again
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kRunning);
  EXPECT_EQ(condition(status, api::kPodInitialized)->status, api::ConditionStatus::kTrue);
  EXPECT_EQ(status.init_container_statuses[0].state.terminated->reason, "Completed");
  EXPECT_TRUE(status.init_container_statuses[1].state.running.has_value());
  EXPECT_EQ(status.init_container_statuses[1].restart_count, 0);
  EXPECT_TRUE(status.container_statuses[0].state.running.has_value());
}

TEST_F(PodWorkerTest, TheNodropProfileWaitsOnTheSidecarsPortsButNotOnARegularInitContainers) {
  processes_.set_behavior("setup", job(seconds(1), 0));
  api::Pod pod = make_pod("app");
  api::ContainerPort setup_port;
  setup_port.container_port = 9000;
  api::Container setup = init_container("setup", "setup");
  setup.ports = {setup_port};
  api::ContainerPort proxy_port;
  proxy_port.container_port = 9001;
  api::Container proxy = sidecar("proxy", "proxy");
  proxy.ports = {proxy_port};
  pod.spec.init_containers = {setup, proxy};
  std::vector<int> probed;
  prober_.set_script([&](const runtime::ProbeSpec& spec) {
    if (const auto* tcp = std::get_if<runtime::TcpSocketAction>(&spec.action)) {
      probed.push_back(tcp->port);
    }
    return sim::FakeProber::Answer{{runtime::ProbeResult::kSuccess, ""}, {}};
  });
  start(pod, /*ready_when_listening=*/true);
  loop_.advance(seconds(5));
  EXPECT_EQ(std::count(probed.begin(), probed.end(), 9000), 0);
  EXPECT_EQ(std::count(probed.begin(), probed.end(), 9001), 1);  // until its first success
  EXPECT_EQ(std::count(probed.begin(), probed.end(), 8080), 1);
  EXPECT_EQ(condition(worker_->status(), api::kPodReady)->status, api::ConditionStatus::kTrue);
}

TEST_F(PodWorkerTest,
       AnInitContainerLostWhileNodropWasAwayFailsAPodThatNeverRestartsAndStopsItsSidecar) {
  api::Pod pod = make_pod("app");
  pod.spec.restart_policy = "Never";
  pod.spec.init_containers = {sidecar("proxy", "proxy"), init_container("setup", "setup")};
  start(pod);
  loop_.advance(seconds(3));
  const api::Pod stored = worker_->with_status();
  ASSERT_TRUE(stored.status.init_container_statuses[1].state.running.has_value());
  // nodrop dies; the init container's process ends meanwhile; the sidecar's runs on.
  processes_.orphan_all();
  worker_.reset();
  for (runtime::ProcessId id = 1; id <= processes_.started(); ++id) {
    if (processes_.spec(id)->argv[0] == "setup") {
      ASSERT_TRUE(processes_.exit_process(id, {runtime::ExitKind::kSignaled, 0, 9}));
    }
  }
  start(stored);
  loop_.advance(seconds(10));
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kFailed);
  EXPECT_EQ(status.init_container_statuses[1].state.terminated->exit_code, 255);
  EXPECT_TRUE(status.init_container_statuses[0].state.terminated.has_value());
  EXPECT_EQ(signals_sent(), (std::vector<std::string>{"3:proxy:TERM"}));
  EXPECT_EQ(starts(), (std::vector<std::string>{}));  // nothing started by the new worker
}

TEST_F(PodWorkerTest, DeletionDuringInitializationStopsTheRunningInitContainerThenTheSidecars) {
  sim::FakeProcessRuntime::Behavior slow;
  slow.exit_delay_after_sigterm = seconds(2);
  processes_.set_behavior("setup", slow);
  api::Pod pod = make_pod("app");
  pod.spec.init_containers = {sidecar("proxy", "proxy"), init_container("setup", "setup")};
  start(pod);
  loop_.advance(seconds(5));
  worker_->terminate();
  loop_.advance(seconds(40));
  EXPECT_EQ(signals_sent(), (std::vector<std::string>{"5:setup:TERM", "7:proxy:TERM"}));
  EXPECT_EQ(starts(), (std::vector<std::string>{"0:proxy", "0:setup"}));  // the app never ran
  EXPECT_TRUE(worker_->finished());
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kFailed);
  EXPECT_EQ(condition(status, api::kPodInitialized)->status, api::ConditionStatus::kFalse);
}

}  // namespace
}  // namespace nodrop::node
