// `nodrop up` killed with SIGKILL in the middle of a rollout, under traffic, then started again on
// the same data dir (here in-process, as the LiveCluster `nodrop up` runs, so that the test reads
// its store): the rollout completes with the new template live, both revisions are kept, no
// object is lost or made twice; every pod whose process still ran is adopted (the same process,
// restartCount unchanged, and it answered throughout), and with the pods' supervisors killed too
// every pod runs again with one more restart. A write `nodrop up` acknowledged survives a SIGKILL
// right after it, in a loop.
//
// The test is a child subreaper, so the supervisors orphaned by the killed nodrop come to it and
// it reaps them; it kills only what it started (nodrop by pid, pod processes of its own address
// range found under its own supervisors), and every wait is bounded.
//
// Addresses: 127.0.104.0/24 (nodes), 127.0.105.0/24 (pods), 127.0.106.0/24 (load balancers),
// 127.0.107.0/24 (clusterIPs), used by no other test.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/workload.h"
#include "live/loop/thread.h"
#include "live/processes/pod_supervisor.h"
#include "live/sockets/blocking_client.h"
#include "server/cluster_config.h"
#include "server/live_cluster.h"

extern char** environ;

namespace nodrop {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kWaitLimit{30000};  // only stops a hang

std::string slurp(const fs::path& path) {
  std::ifstream stream(path);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

// The demo-app processes serving this test's pod range: pod IP → pid.
std::map<std::string, int> pod_processes() {
  std::map<std::string, int> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string text(std::istreambuf_iterator<char>(cmdline), {});
    for (char& c : text) {
      if (c == '\0') c = ' ';
    }
    const auto at = text.find("127.0.105.");
    if (at == std::string::npos || text.find("demo-app") == std::string::npos) continue;
    const auto colon = text.find(':', at);
    if (colon == std::string::npos) continue;
    found[text.substr(at, colon - at)] = std::stoi(name);
  }
  return found;
}

class CrashRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    char pattern[] = "/tmp/nodrop-crash-restart-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    work_ = pattern;
    std::ofstream(work_ / "cluster.yaml") << "apiVersion: nodrop.dev/v1alpha1\n"
                                             "kind: ClusterConfiguration\n"
                                             "nodes: 3\n"
                                             "dataDir: "
                                          << (work_ / "data").string()
                                          << "\n"
                                             "podReconnectTimeout: 20s\n"
                                             "addresses:\n"
                                             "  nodes: 127.0.104.0/24\n"
                                             "  pods: 127.0.105.0/24\n"
                                             "  loadBalancers: 127.0.106.0/24\n"
                                             "  clusterIPs: 127.0.107.0/24\n";
  }

  void TearDown() override {
    if (nodrop_ > 0) kill(nodrop_, SIGKILL);
    if (live_) live_->stop();
    thread_.reset();
    live_.reset();  // kills and reaps what it runs, adopted pods included
    // What is left of this test's pods (their nodrop killed, not restarted): under supervisors
    // that are this test's descendants, killed by group.
    for (const auto& [ip, pid] : pod_processes()) kill(-pid, SIGKILL);
    live::poll_until(
        [] {
          while (waitpid(-1, nullptr, WNOHANG) > 0) {
          }
          return waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD;
        },
        seconds(5));
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    std::error_code ignored;
    fs::remove_all(work_, ignored);
  }

  void write_manifest(const std::string& version) {
    std::ofstream(work_ / "web.yaml") << R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  minReadySeconds: 2
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: demo-app:)" << version << R"(
        command: [")" << DEMO_APP_PATH << R"("]
        args: ["--listen", "$(POD_IP):8080", "--version", ")"
                                      << version << R"("]
        env:
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: http}
          periodSeconds: 1
)";
  }

  // `nodrop up -f web.yaml --config cluster.yaml`, its output in files of the work dir.
  void start_nodrop() {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (work_ / "out").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (work_ / "err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const std::string manifest = (work_ / "web.yaml").string();
    const std::string config = (work_ / "cluster.yaml").string();
    std::vector<std::string> words = {NODROP_PATH, "up", "-f", manifest, "--config", config};
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, NODROP_PATH, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(spawned, 0);
    nodrop_ = pid;
  }
  // SIGKILL, and reaped.
  void kill_nodrop() {
    ASSERT_GT(nodrop_, 0);
    ASSERT_EQ(kill(nodrop_, SIGKILL), 0);
    ASSERT_EQ(waitpid(nodrop_, nullptr, 0), nodrop_);
    nodrop_ = -1;
  }

  // The same data dir in this process, as `nodrop up` runs it.
  void restart() {
    server::ConfigResult loaded = server::load_cluster_config((work_ / "cluster.yaml").string());
    ASSERT_TRUE(loaded.ok());
    auto created = server::LiveCluster::create(loaded.config);
    ASSERT_TRUE(created.is_ok()) << created.status().to_string();
    live_ = std::move(created.value());
    const auto begin = std::chrono::steady_clock::now();
    const Status started = live_->start();
    ASSERT_TRUE(started.is_ok()) << started.to_string();
    start_duration_ =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - begin);
    thread_ = std::make_unique<live::Thread>([this] { live_->run(); });
  }

  std::string answer(const std::string& pod_ip, milliseconds limit = milliseconds(2000)) {
    auto client = live::BlockingClient::connect({parse_ipv4_address(pod_ip).value(), 8080}, limit);
    if (!client) return "connect failed: " + client.status().to_string();
    if (!client->send_all("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").is_ok()) {
      return "send failed";
    }
    auto reply = client->receive_until_close();
    return reply ? *reply : reply.status().to_string();
  }
  bool answers(const std::string& pod_ip, const std::string& version) {
    return answer(pod_ip).find("demo-app " + version + " " + pod_ip) != std::string::npos;
  }

  std::vector<store::ObjectPtr> list(const std::string& kind) {
    return live_->store().list({.kind = kind}).value().items;
  }
  std::vector<api::Pod> pods() {
    std::vector<api::Pod> out;
    for (const store::ObjectPtr& pod : list("Pod")) out.push_back(std::get<api::Pod>(*pod));
    return out;
  }
  // The pods and the events, for a failure's message.
  std::string describe() {
    std::ostringstream out;
    for (const api::Pod& pod : pods()) {
      out << pod.metadata.name << " " << pod.status.pod_ip << " " << pod.spec.containers[0].image
          << " ready=" << api::is_pod_ready(pod)
          << " deleting=" << pod.metadata.deletion_timestamp.has_value()
          << " phase=" << static_cast<int>(pod.status.phase);
      for (const api::ContainerStatus& status : pod.status.container_statuses) {
        out << " restarts=" << status.restart_count
            << " running=" << status.state.running.has_value() << " id=" << status.container_id;
      }
      out << "\n";
    }
    for (const store::ObjectPtr& object : list("Event")) {
      const api::Event& event = std::get<api::Event>(*object);
      out << "  " << event.reason << " " << event.involved_object.name << ": " << event.message
          << "\n";
    }
    return out.str();
  }
  bool all_ready(std::size_t count, const std::string& image) {
    const std::vector<api::Pod> now = pods();
    if (now.size() != count) return false;
    for (const api::Pod& pod : now) {
      if (!api::is_pod_ready(pod) || pod.spec.containers[0].image != image ||
          pod.metadata.deletion_timestamp) {
        return false;
      }
    }
    return true;
  }

  // nodrop up runs v1, then rolls to v2; killed `settle` after the first v2 pod answers (3 v1
  // pods and one v2 pod, halfway). At once, the v2 pod's start may not be stored yet: the next
  // nodrop must take its process over all the same. Returns the pod processes at the kill.
  std::map<std::string, int> kill_in_the_middle_of_a_rollout(milliseconds settle = {}) {
    // Nothing else serves this range: what answers is this nodrop's.
    EXPECT_TRUE(pod_processes().empty());
    write_manifest("v1");
    start_nodrop();
    for (int n = 1; n <= 3; ++n) {
      const std::string ip = "127.0.105." + std::to_string(n);
      EXPECT_TRUE(live::poll_until([&] { return answers(ip, "v1"); }, kWaitLimit))
          << ip << "\n"
          << slurp(work_ / "err");
    }
    EXPECT_NE(slurp(work_ / "out").find("deployment.apps/web created"), std::string::npos);
    write_manifest("v2");
    kill(nodrop_, SIGHUP);
    EXPECT_TRUE(live::poll_until([&] { return answers("127.0.105.4", "v2"); }, kWaitLimit))
        << slurp(work_ / "err");
    std::this_thread::sleep_for(settle);
    kill_nodrop();
    return pod_processes();
  }

  fs::path work_;
  pid_t nodrop_ = -1;
  std::unique_ptr<server::LiveCluster> live_;
  std::unique_ptr<live::Thread> thread_;
  milliseconds start_duration_{0};
};

TEST_F(CrashRestartTest, AKilledNodropsRolloutCompletesAndEveryRunningPodIsAdopted) {
  // Traffic to the first v2 pod, which the rollout keeps, all along: its process never stops.
  // (A request every 5 ms; the thread stops when the test ends, however it ends.)
  struct Traffic {
    std::atomic<bool> on{true};
    std::atomic<int> sent{0};
    std::atomic<int> failed{0};
    std::unique_ptr<live::Thread> thread;
    ~Traffic() { stop(); }
    void stop() {
      on = false;
      thread.reset();
    }
  } traffic;
  const std::map<std::string, int> at_kill = kill_in_the_middle_of_a_rollout();
  ASSERT_EQ(at_kill.size(), 4U) << "3 v1 pods and the first v2 pod";
  traffic.thread = std::make_unique<live::Thread>([&] {
    while (traffic.on) {
      ++traffic.sent;
      if (!answers("127.0.105.4", "v2")) ++traffic.failed;
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  // The pods outlive nodrop, every one still serving.
  for (const auto& [ip, pid] : at_kill) {
    EXPECT_NE(answer(ip).find("demo-app v"), std::string::npos) << ip;
  }

  restart();
  ASSERT_TRUE(live::poll_until([&] { return all_ready(3, "demo-app:v2"); }, kWaitLimit))
      << describe();
  traffic.stop();
  EXPECT_GT(traffic.sent.load(), 0);
  EXPECT_EQ(traffic.failed.load(), 0)
      << "of " << traffic.sent.load() << " requests to the adopted pod";

  // Adopted: the same process, no restart; the rollout's later pods are new ones.
  const std::map<std::string, int> now = pod_processes();
  ASSERT_TRUE(now.contains("127.0.105.4"));
  EXPECT_EQ(now.at("127.0.105.4"), at_kill.at("127.0.105.4"));
  for (const api::Pod& pod : pods()) {
    EXPECT_EQ(pod.status.container_statuses.at(0).restart_count, 0) << pod.metadata.name;
    EXPECT_TRUE(answers(pod.status.pod_ip, "v2")) << pod.status.pod_ip;
  }
  EXPECT_TRUE(live::poll_until([&] { return pod_processes().size() == 3; }, kWaitLimit));

  // Nothing lost, nothing made twice: one Deployment, its two revisions.
  EXPECT_EQ(list("Deployment").size(), 1U);
  std::set<std::string> revisions;
  for (const store::ObjectPtr& object : list("ReplicaSet")) {
    const api::ReplicaSet& replica_set = std::get<api::ReplicaSet>(*object);
    revisions.insert(replica_set.metadata.annotations.at(api::kRevisionAnnotation));
  }
  EXPECT_EQ(revisions, (std::set<std::string>{"1", "2"}));
  EXPECT_EQ(list("ReplicaSet").size(), 2U);
  EXPECT_EQ(list("Node").size(), 3U);
  std::cout << "restart: start() took " << start_duration_.count() << " ms\n";
}

TEST_F(CrashRestartTest, WithThePodsSupervisorsKilledTooEveryPodRunsAgainAndTheRolloutCompletes) {
  // Its start stored (a second is far more than the kubelet's status write takes): the run that
  // was lost is counted.
  const std::map<std::string, int> at_kill = kill_in_the_middle_of_a_rollout(seconds(1));
  ASSERT_EQ(at_kill.size(), 4U);
  for (const auto& [ip, pid] : at_kill) {
    const int supervisor = live::parent_of(pid);
    ASSERT_GT(supervisor, 1);
    kill(supervisor, SIGKILL);  // the pod's main process follows by its PDEATHSIG
  }
  ASSERT_TRUE(live::poll_until([&] { return pod_processes().empty(); }, kWaitLimit));

  restart();
  ASSERT_TRUE(live::poll_until([&] { return all_ready(3, "demo-app:v2"); }, kWaitLimit))
      << describe();
  // The first v2 pod ran again at its address, with one more restart.
  bool seen = false;
  for (const api::Pod& pod : pods()) {
    if (pod.status.pod_ip != "127.0.105.4") continue;
    seen = true;
    EXPECT_EQ(pod.status.container_statuses.at(0).restart_count, 1) << describe();
    EXPECT_NE(pod_processes().at("127.0.105.4"), at_kill.at("127.0.105.4"));
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(list("Deployment").size(), 1U);
  EXPECT_EQ(list("ReplicaSet").size(), 2U);
}

TEST_F(CrashRestartTest, AWriteNodropAcknowledgedSurvivesASigkillRightAfterIt) {
  // Each round: nodrop up applies the manifests, with one more Deployment (no replicas) on
  // SIGHUP; it is killed as soon as it says "created".
  constexpr int kRounds = 5;
  const auto deployment = [](const std::string& name) {
    return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
           "}\nspec:\n  replicas: 0\n  selector: {matchLabels: {app: " + name +
           "}}\n  template:\n    metadata: {labels: {app: " + name +
           "}}\n    spec:\n      containers: [{name: app, image: demo-app:v1, command: [\"" +
           DEMO_APP_PATH + "\"]}]\n";
  };
  std::string manifest = deployment("base");
  std::ofstream(work_ / "web.yaml") << manifest;
  for (int round = 0; round < kRounds; ++round) {
    start_nodrop();
    ASSERT_TRUE(live::poll_until(
        [&] { return slurp(work_ / "out").find("cluster ready") != std::string::npos; },
        kWaitLimit))
        << slurp(work_ / "err");
    const std::string name = "extra-" + std::to_string(round);
    manifest += deployment(name);
    std::ofstream(work_ / "web.yaml") << manifest;
    kill(nodrop_, SIGHUP);
    const std::string acknowledged = "deployment.apps/" + name + " created";
    ASSERT_TRUE(live::poll_until(
        [&] { return slurp(work_ / "out").find(acknowledged) != std::string::npos; }, kWaitLimit))
        << slurp(work_ / "err");
    kill_nodrop();
  }
  restart();
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = "extra-" + std::to_string(round);
    EXPECT_TRUE(live_->store().get({"Deployment", "default", name}).is_ok()) << name;
  }
  EXPECT_EQ(list("Deployment").size(), static_cast<std::size_t>(kRounds) + 1);
}

}  // namespace
}  // namespace nodrop
