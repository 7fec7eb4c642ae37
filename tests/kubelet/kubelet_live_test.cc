// The pod worker with real processes: demo-app as the container, on a loopback address of its
// own, with the live process runtime and prober. Every wait is bounded; the runtime kills and
// reaps whatever is left when a test ends.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "live/loop/epoll_loop.h"
#include "live/probers.h"
#include "live/processes/process_runtime.h"
#include "node/pod_worker.h"

namespace nodrop {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWaitLimit = seconds(30);  // only stops a hang

// A pod address no other test process uses at the same time: 127.0.6x.y from the pid (the kubelet
// tests' own block, 127.0.60.0-127.0.69.255; other e2e tests take their /24s elsewhere).
std::string pod_address() {
  const auto pid = static_cast<unsigned>(getpid());
  return "127.0." + std::to_string(60 + pid % 10) + "." + std::to_string(1 + (pid / 10) % 250);
}

api::EnvVar field_env(const std::string& name, const std::string& path) {
  api::EnvVar variable;
  variable.name = name;
  variable.field_ref = api::ObjectFieldSelector{"v1", path};
  return variable;
}

api::Probe http_probe(const std::string& path, std::int32_t failure_threshold) {
  api::Probe probe;
  api::HttpGetAction action;
  action.path = path;
  action.port = api::IntOrString::from_string("http");
  probe.handler.http_get = action;
  probe.period_seconds = 1;
  probe.timeout_seconds = 1;
  probe.success_threshold = 1;
  probe.failure_threshold = failure_threshold;
  return probe;
}

api::Pod demo_pod(std::vector<std::string> extra_args) {
  api::Pod pod;
  pod.metadata.name = "web-1";
  pod.metadata.namespace_name = "default";
  pod.metadata.uid = "uid-" + std::to_string(getpid());
  pod.spec.restart_policy = "Always";
  pod.spec.termination_grace_period_seconds = 30;
  api::Container container;
  container.name = "app";
  container.image = "demo-app:v1";
  container.command = {DEMO_APP_PATH};
  container.args = {"--listen", "$(POD_IP):8080", "--version", "v1"};
  container.args.insert(container.args.end(), extra_args.begin(), extra_args.end());
  container.env = {field_env("POD_IP", "status.podIP")};
  api::ContainerPort port;
  port.name = "http";
  port.container_port = 8080;
  container.ports = {port};
  container.readiness_probe = http_probe("/ready", 1);
  pod.spec.containers = {container};
  return pod;
}

class KubeletLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nodrop-kubelet-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override {
    worker_.reset();
    fs::remove_all(directory_);
  }

  void start(api::Pod pod) {
    started_at_ = loop_.clock().wall_now();
    worker_ = std::make_unique<node::PodWorker>(
        node::PodWorkerPorts{loop_, processes_, prober_, backoff_, gate_}, std::move(pod),
        node::PodPlacement{"node-1", {pod_address(), "127.0.1.1"}, directory_.string()}, nullptr);
    worker_->start();
  }

  template <typename Predicate>
  bool run_until(Predicate done) {
    const runtime::Time deadline = loop_.clock().now() + kWaitLimit;
    while (!done()) {
      if (loop_.clock().now() >= deadline) return false;
      loop_.run_once(milliseconds(20));
    }
    return true;
  }

  bool ready() const {
    const api::PodStatus status = worker_->status();
    const api::Condition* condition = api::find_condition(status.conditions, api::kPodReady);
    return condition != nullptr && condition->status == api::ConditionStatus::kTrue;
  }
  bool has_event(const std::string& reason) const {
    for (const node::PodEvent& event : worker_->events()) {
      if (event.reason == reason) return true;
    }
    return false;
  }
  // The event list as `kubectl describe` shows it, times relative to the pod's start.
  std::string describe_events() const {
    std::string text;
    for (const node::PodEvent& event : worker_->events()) {
      const auto at = std::chrono::duration_cast<milliseconds>(event.at - started_at_).count();
      char line[512];
      std::snprintf(line, sizeof line, "  +%6.3fs  %-7s  %-17s %s\n",
                    static_cast<double>(at) / 1000, node::event_type_name(event.type),
                    event.reason.c_str(), event.message.c_str());
      text += line;
    }
    return text;
  }

  live::EpollLoop loop_;
  live::LiveProcessRuntime processes_{loop_};
  live::LiveProber prober_{loop_};
  node::RestartBackoff backoff_;
  node::OpenDrainGate gate_{loop_};
  fs::path directory_;
  WallTime started_at_{};
  std::unique_ptr<node::PodWorker> worker_;
};

TEST_F(KubeletLiveTest, StartFailedLivenessProbeAndGracefulTermination) {
  // Liveness: an exec probe that passes while a file the test controls exists.
  const fs::path healthy = directory_ / "healthy";
  std::ofstream(healthy) << "yes";
  api::Pod pod = demo_pod({"--startup-delay", "1s", "--shutdown=graceful"});
  api::Probe liveness;
  liveness.handler.exec = api::ExecAction{{"test", "-e", healthy.string()}};
  liveness.period_seconds = 1;
  liveness.timeout_seconds = 1;
  liveness.success_threshold = 1;
  liveness.failure_threshold = 1;
  pod.spec.containers[0].liveness_probe = liveness;
  start(pod);

  ASSERT_TRUE(run_until([&] { return ready(); })) << describe_events();
  const api::PodStatus ready_status = worker_->status();
  const api::Condition* ready_condition =
      api::find_condition(ready_status.conditions, api::kPodReady);
  // demo-app listens only after its 1 s startup delay: Ready cannot come earlier.
  EXPECT_GE(*ready_condition->last_transition_time - started_at_, seconds(1));
  EXPECT_EQ(worker_->status().container_statuses[0].restart_count, 0);

  fs::remove(healthy);  // the app "hangs": liveness fails
  ASSERT_TRUE(run_until([&] { return has_event("Killing"); })) << describe_events();
  std::ofstream(healthy) << "yes";
  ASSERT_TRUE(run_until([&] {
    return worker_->status().container_statuses[0].restart_count == 1 && ready();
  })) << describe_events();
  const api::ContainerStatus restarted = worker_->status().container_statuses[0];
  ASSERT_TRUE(restarted.last_state.terminated.has_value());
  EXPECT_EQ(restarted.last_state.terminated->exit_code, 0);  // graceful demo-app exits 0

  worker_->terminate(10);
  ASSERT_TRUE(run_until([&] { return worker_->finished(); })) << describe_events();
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kSucceeded);
  EXPECT_EQ(status.container_statuses[0].state.terminated->reason, "Completed");
  EXPECT_EQ(processes_.running(), 0U);
  std::printf("Events of pod default/web-1 (%s):\n%s", pod_address().c_str(),
              describe_events().c_str());
}

TEST_F(KubeletLiveTest, AnAppIgnoringSigtermIsKilledWhenTheGracePeriodEnds) {
  start(demo_pod({"--shutdown=ignore"}));
  ASSERT_TRUE(run_until([&] { return ready(); })) << describe_events();
  const runtime::Time terminating = loop_.clock().now();
  worker_->terminate(1);  // window: max(1, 2) = 2 s
  ASSERT_TRUE(run_until([&] { return worker_->finished(); })) << describe_events();
  EXPECT_GE(loop_.clock().now() - terminating, seconds(2));
  const api::PodStatus status = worker_->status();
  EXPECT_EQ(status.phase, api::PodPhase::kFailed);
  EXPECT_EQ(status.container_statuses[0].state.terminated->exit_code, 137);
  const std::string log = [&] {
    std::ifstream stream(directory_ / "app" / "0.log");
    return std::string(std::istreambuf_iterator<char>(stream), {});
  }();
  EXPECT_NE(log.find("ignoring SIGTERM"), std::string::npos) << log;
}

TEST_F(KubeletLiveTest, APreStopExecHookRunsBeforeSigterm) {
  api::Pod pod = demo_pod({"--shutdown=immediate"});
  const fs::path marker = directory_ / "prestop-ran";
  api::Handler hook;
  hook.exec = api::ExecAction{{"sh", "-c", "echo $(POD_IP) > " + marker.string()}};
  pod.spec.containers[0].lifecycle = api::Lifecycle{std::nullopt, hook};
  start(pod);
  ASSERT_TRUE(run_until([&] { return ready(); })) << describe_events();
  worker_->terminate(10);
  ASSERT_TRUE(run_until([&] { return worker_->finished(); })) << describe_events();
  std::string written;
  std::ifstream(marker) >> written;
  EXPECT_EQ(written, pod_address());  // the hook saw the container's environment
  EXPECT_EQ(worker_->status().container_statuses[0].state.terminated->exit_code, 143);
}

TEST_F(KubeletLiveTest, ACommandThatDoesNotExistIsAStartErrorNotACrash) {
  api::Pod pod = demo_pod({});
  pod.spec.containers[0].command = {"no-such-command-for-nodrop"};
  start(pod);
  ASSERT_TRUE(run_until([&] {
    const api::ContainerState state = worker_->status().container_statuses[0].state;
    return state.waiting && state.waiting->reason == "CrashLoopBackOff";
  })) << describe_events();
  const api::ContainerStatus status = worker_->status().container_statuses[0];
  EXPECT_EQ(status.last_state.terminated->reason, "StartError");
  EXPECT_NE(status.last_state.terminated->message.find("no-such-command-for-nodrop"),
            std::string::npos);
  EXPECT_EQ(processes_.running(), 0U);
}

TEST_F(KubeletLiveTest, ATcpSocketReadinessProbeGatesReadiness) {
  api::Pod pod = demo_pod({"--startup-delay", "500ms"});
  api::Probe tcp;
  tcp.handler.tcp_socket = api::TcpSocketAction{api::IntOrString::from_int(8080), ""};
  tcp.period_seconds = 1;
  tcp.timeout_seconds = 1;
  tcp.success_threshold = 1;
  tcp.failure_threshold = 1;
  pod.spec.containers[0].readiness_probe = tcp;
  start(pod);
  ASSERT_TRUE(run_until([&] { return ready(); })) << describe_events();
  const api::PodStatus status = worker_->status();
  const api::Condition* condition = api::find_condition(status.conditions, api::kPodReady);
  EXPECT_GE(*condition->last_transition_time - started_at_, milliseconds(500));
}

// perl (perl-base, essential in Debian) listens on [::] with IPV6_V6ONLY, on a port the kernel
// picks: every IPv6 address of the host, none of the IPv4 loopback addresses other tests own.
TEST_F(KubeletLiveTest, AnAppListeningOnEveryAddressDrawsAWarningNamingItsPortAndTheFix) {
  const fs::path listening = directory_ / "listening";
  api::Pod pod = demo_pod({});
  api::Container& container = pod.spec.containers[0];
  container.command = {"perl", "-MSocket=:all", "-e",
                       "socket(my $s, AF_INET6, SOCK_STREAM, 0) or die \"socket: $!\";"
                       "setsockopt($s, IPPROTO_IPV6, IPV6_V6ONLY, 1) or die \"v6only: $!\";"
                       "bind($s, pack_sockaddr_in6(0, inet_pton(AF_INET6, \"::\"))) or die;"
                       "listen($s, 8) or die \"listen: $!\";"
                       "open(my $f, \">\", $ARGV[0]) or die; close($f); sleep 60;",
                       listening.string()};
  container.args.clear();
  api::Probe exec;
  exec.handler.exec = api::ExecAction{{"test", "-e", listening.string()}};
  exec.period_seconds = 1;
  exec.timeout_seconds = 1;
  exec.success_threshold = 1;
  exec.failure_threshold = 1;
  container.readiness_probe = exec;
  start(pod);
  ASSERT_TRUE(run_until([&] { return has_event("ListensOnEveryAddress"); })) << describe_events();
  for (const node::PodEvent& event : worker_->events()) {
    if (event.reason != "ListensOnEveryAddress") continue;
    EXPECT_EQ(event.type, node::EventType::kWarning);
    EXPECT_NE(event.message.find("Container app listens on [::]:"), std::string::npos)
        << event.message;
    EXPECT_NE(event.message.find("$(POD_IP)"), std::string::npos);
  }
}

TEST_F(KubeletLiveTest, PreStopSleepAndHttpGetHooksRunBeforeSigterm) {
  for (const bool use_sleep : {true, false}) {
    api::Pod pod = demo_pod({"--shutdown=graceful"});
    api::Handler hook;
    if (use_sleep) {
      hook.sleep = api::SleepAction{1};
    } else {
      api::HttpGetAction action;
      action.path = "/prestop";
      action.port = api::IntOrString::from_string("http");
      hook.http_get = action;
    }
    pod.spec.containers[0].lifecycle = api::Lifecycle{std::nullopt, hook};
    start(pod);
    ASSERT_TRUE(run_until([&] { return ready(); })) << describe_events();
    const runtime::Time terminating = loop_.clock().now();
    worker_->terminate(10);
    ASSERT_TRUE(run_until([&] { return worker_->finished(); })) << describe_events();
    if (use_sleep) {
      EXPECT_GE(loop_.clock().now() - terminating, seconds(1));
    }
    EXPECT_EQ(worker_->status().phase, api::PodPhase::kSucceeded);
    EXPECT_FALSE(has_event("FailedPreStopHook")) << describe_events();
    worker_.reset();  // the next pod reuses the address and the log
  }
  // Both pods got SIGTERM after their hook and drained (a hook failure would be an event).
  std::ifstream stream(directory_ / "app" / "0.log");
  const std::string log(std::istreambuf_iterator<char>(stream), {});
  EXPECT_NE(log.find("draining"), std::string::npos) << log;
}

TEST_F(KubeletLiveTest, TerminationSignalsEveryProcessAPodForked) {
  api::Pod pod = demo_pod({});
  const fs::path pids = directory_ / "pids";
  pod.spec.containers[0].command = {"sh", "-c",
                                    "sleep 1000 & echo $! >> " + pids.string() +
                                        "; sleep 1000 & echo $! >> " + pids.string() + "; wait"};
  pod.spec.containers[0].args.clear();
  pod.spec.containers[0].readiness_probe.reset();
  start(pod);
  std::vector<int> children;
  ASSERT_TRUE(run_until([&] {
    children.clear();
    std::ifstream stream(pids);
    for (int pid = 0; stream >> pid;) children.push_back(pid);
    return children.size() == 2;
  }));
  worker_->terminate(10);
  ASSERT_TRUE(run_until([&] { return worker_->finished(); })) << describe_events();
  for (const int child : children) {
    // Gone, or a zombie waiting for init: either way no longer running.
    EXPECT_TRUE(run_until([&] {
      std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
      std::string text;
      std::getline(stat, text);
      const auto paren = text.rfind(')');
      return text.empty() || (paren != std::string::npos && text[paren + 2] == 'Z');
    })) << child;
  }
}

TEST_F(KubeletLiveTest, ALivenessFailureRestartsAtOnceThenAfterTheCrashLoopBackOff) {
  api::Pod pod = demo_pod({"--shutdown=immediate"});
  api::Probe liveness;
  liveness.handler.exec = api::ExecAction{{"false"}};
  liveness.period_seconds = 1;
  liveness.timeout_seconds = 1;
  liveness.success_threshold = 1;
  liveness.failure_threshold = 1;
  pod.spec.containers[0].liveness_probe = liveness;
  pod.spec.containers[0].readiness_probe.reset();
  start(pod);
  ASSERT_TRUE(run_until([&] { return has_event("BackOff"); })) << describe_events();
  const runtime::Time backoff_seen = loop_.clock().now();
  EXPECT_EQ(worker_->status().container_statuses[0].restart_count, 1);
  ASSERT_TRUE(run_until([&] { return worker_->status().container_statuses[0].restart_count == 2; }))
      << describe_events();
  // The second restart waits out the 10 s backoff (a lower bound only).
  EXPECT_GE(loop_.clock().now() - backoff_seen, seconds(9));
}

}  // namespace
}  // namespace nodrop
