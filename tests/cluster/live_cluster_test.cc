// The cluster with real processes, in-process: the LiveCluster `nodrop up` runs, its loop on a
// thread, demo-app pods on their own loopback addresses, read through the store (which any thread
// may use). RolloutInvariants reads the store's watch, apart from the controllers.
//
// Addresses: 127.0.70.0/24 (nodes), 127.0.71.0/24 (pods), 127.0.72.0/24 (load balancers) and
// 127.0.73.0/24 (clusterIPs); the two-service app: 127.0.96.0/24 to 127.0.99.0/24 likewise; the
// init containers: 127.0.164.0/24 to 127.0.167.0/24 likewise. No other test uses them.
#include "server/live_cluster.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "api/defaults.h"
#include "live/loop/thread.h"
#include "live/sockets/blocking_client.h"
#include "server/rollout_invariants.h"

namespace nodrop {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kWaitLimit{30000};  // only stops a hang

api::Deployment web(const std::string& version) {
  api::Deployment deployment;
  deployment.metadata.name = "web";
  deployment.spec.replicas = 3;
  deployment.spec.selector.match_labels = {{"app", "web"}};
  deployment.spec.has_selector = true;
  deployment.spec.template_spec.metadata.labels = {{"app", "web"}};
  api::RollingUpdateDeployment rolling;
  rolling.max_surge = api::IntOrString::from_int(1);
  rolling.max_unavailable = api::IntOrString::from_int(0);
  deployment.spec.strategy.rolling_update = rolling;
  api::Container container;
  container.name = "app";
  container.image = "demo-app:" + version;
  container.command = {DEMO_APP_PATH};
  container.args = {"--listen", "$(POD_IP):8080", "--version", version};
  api::EnvVar pod_ip;
  pod_ip.name = "POD_IP";
  pod_ip.field_ref = api::ObjectFieldSelector{"v1", "status.podIP"};
  container.env = {pod_ip};
  api::ContainerPort port;
  port.name = "http";
  port.container_port = 8080;
  container.ports = {port};
  api::Probe probe;
  api::HttpGetAction action;
  action.path = "/ready";
  action.port = api::IntOrString::from_string("http");
  probe.handler.http_get = action;
  probe.period_seconds = 1;
  container.readiness_probe = probe;
  deployment.spec.template_spec.spec.containers = {container};
  api::set_defaults(deployment);
  return deployment;
}

class LiveClusterTest : public ::testing::Test {
 protected:
  // The first of the four /24 ranges the test's cluster uses (nodes, pods, load balancers,
  // clusterIPs, in that order).
  explicit LiveClusterTest(int first_range = 70) : first_range_(first_range) {}

  std::string range(int offset) const {
    return "127.0." + std::to_string(first_range_ + offset) + ".";
  }
  void SetUp() override {
    data_dir_ = fs::temp_directory_path() / ("nodrop-live-cluster-" + std::to_string(getpid()));
    config_ = server::ClusterConfig::defaults();
    config_.data_dir = data_dir_.string();
    config_.node_addresses = parse_address_range(range(0) + "0/24").value();
    config_.pod_addresses = parse_address_range(range(1) + "0/24").value();
    config_.load_balancer_addresses = parse_address_range(range(2) + "0/24").value();
    config_.cluster_ip_addresses = parse_address_range(range(3) + "0/24").value();
    start();
  }
  void start() {
    auto created = server::LiveCluster::create(config_);
    ASSERT_TRUE(created.is_ok()) << created.status().to_string();
    live_ = std::move(created.value());
    const Status started = live_->start();
    ASSERT_TRUE(started.is_ok()) << started.to_string();
    thread_ = std::make_unique<live::Thread>([this] { live_->run(); });
  }
  // A clean stop, as nodrop up's on SIGTERM: a node shutdown, then the loop ends.
  void shut_down() {
    live_->post([this] { live_->shut_down(); });
    thread_.reset();  // joins once run() has returned
    live_.reset();
  }
  void TearDown() override {
    if (live_) live_->stop();
    thread_.reset();
    live_.reset();  // kills and reaps whatever still runs
    std::error_code ignored;
    fs::remove_all(data_dir_, ignored);
  }

  // Applies on the loop, and waits for it.
  void apply(const api::Object& object) {
    std::atomic<bool> done{false};
    live_->post([&] {
      EXPECT_TRUE(live_->cluster().apply(object).is_ok());
      done = true;
    });
    ASSERT_TRUE(live::poll_until([&] { return done.load(); }, kWaitLimit));
  }
  std::vector<api::Pod> pods() {
    std::vector<api::Pod> out;
    const store::ListResult listed = live_->store().list({.kind = "Pod"}).value();
    for (const store::ObjectPtr& pod : listed.items) out.push_back(std::get<api::Pod>(*pod));
    return out;
  }
  // Whether exactly `count` pods exist, every one ready and running `image`.
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
  std::string answer(const std::string& address, std::uint16_t port = 8080) {
    auto client = live::BlockingClient::connect({parse_ipv4_address(address).value(), port},
                                                milliseconds(5000));
    if (!client) return "connect failed: " + client.status().to_string();
    if (!client->send_all("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").is_ok()) {
      return "send failed";
    }
    auto reply = client->receive_until_close();
    return reply ? *reply : reply.status().to_string();
  }
  // Pod processes (demo-app, or nodrop as an app) whose command line names this test's pod range:
  // none may outlive the cluster.
  int processes_on_pod_range() const {
    int count = 0;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      std::ifstream cmdline(entry.path() / "cmdline");
      const std::string text(std::istreambuf_iterator<char>(cmdline), {});
      if (text.find(range(1)) != std::string::npos &&
          (text.find("demo-app") != std::string::npos ||
           text.find(NODROP_PATH) != std::string::npos)) {
        ++count;
      }
    }
    return count;
  }

  const int first_range_;
  fs::path data_dir_;
  server::ClusterConfig config_;
  std::unique_ptr<server::LiveCluster> live_;
  std::unique_ptr<live::Thread> thread_;
};

TEST_F(LiveClusterTest, ADeploymentRollsAndIsDeletedWithRealProcesses) {
  apply(web("v1"));
  ASSERT_TRUE(live::poll_until([&] { return all_ready(3, "demo-app:v1"); }, kWaitLimit));
  std::set<std::string> nodes;
  for (const api::Pod& pod : pods()) {
    nodes.insert(pod.spec.node_name);
    EXPECT_EQ(pod.status.pod_ip.rfind("127.0.71.", 0), 0U) << pod.status.pod_ip;
    const std::string reply = answer(pod.status.pod_ip);
    EXPECT_NE(reply.find("demo-app v1 " + pod.status.pod_ip + ":8080 /x"), std::string::npos)
        << reply;
  }
  EXPECT_EQ(nodes.size(), 3U);
  EXPECT_EQ(processes_on_pod_range(), 3);

  // A new template rolls out one pod at a time: maxSurge 1, maxUnavailable 0.
  server::RolloutInvariants invariants(live_->store(), live_->loop().clock(),
                                       web("v2").spec.selector,
                                       {.replicas = 3, .max_surge = 1, .max_unavailable = 0});
  apply(web("v2"));
  ASSERT_TRUE(live::poll_until(
      [&] {
        invariants.check();
        return all_ready(3, "demo-app:v2");
      },
      kWaitLimit));
  invariants.check();
  EXPECT_TRUE(invariants.violations().empty()) << invariants.violations().front();
  EXPECT_EQ(invariants.max_pods(), 4);
  EXPECT_EQ(invariants.min_ready(), 3);
  for (const api::Pod& pod : pods()) {
    EXPECT_NE(answer(pod.status.pod_ip).find("demo-app v2"), std::string::npos);
  }

  // Deleting the Deployment removes its ReplicaSets and pods, and their processes.
  ASSERT_TRUE(live_->store().remove({"Deployment", "default", "web"}).is_ok());
  ASSERT_TRUE(live::poll_until(
      [&] {
        return live_->store().list({.kind = "ReplicaSet"}).value().items.empty() &&
               pods().empty() && processes_on_pod_range() == 0;
      },
      kWaitLimit));
  // The pods' logs went with them.
  EXPECT_TRUE(fs::is_empty(data_dir_ / "pods"));
}

TEST_F(LiveClusterTest, TheStoreOutlivesACleanStopAndOneClusterAtATimeRunsOnADataDir) {
  apply(web("v1"));
  ASSERT_TRUE(live::poll_until([&] { return all_ready(3, "demo-app:v1"); }, kWaitLimit));
  auto second = server::LiveCluster::create(config_);
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("is in use by another nodrop"), std::string::npos)
      << second.status().message();
  for (const char* file : {"state.db", "state.db-wal", "lock"}) {
    EXPECT_EQ(fs::status(data_dir_ / file).permissions(),
              fs::perms::owner_read | fs::perms::owner_write)
        << file;
  }

  std::map<std::string, api::Pod> pods_before;
  for (const api::Pod& pod : pods()) pods_before[pod.metadata.name] = pod;
  std::map<std::string, std::string> uids;  // "Kind name" → uid
  for (const char* kind : {"Deployment", "ReplicaSet", "Pod", "Node", "Service"}) {
    const store::ListResult listed = live_->store().list({.kind = kind}).value();
    for (const store::ObjectPtr& object : listed.items) {
      uids[std::string(kind) + " " + api::metadata_of(*object).name] =
          api::metadata_of(*object).uid;
    }
  }
  const store::ResourceVersion version = live_->store().resource_version();
  shut_down();
  EXPECT_EQ(processes_on_pod_range(), 0);

  start();
  EXPECT_GE(live_->store().resource_version(), version);
  for (const auto& [name, uid] : uids) {
    const auto space = name.find(' ');
    const std::string kind = name.substr(0, space);
    const std::string namespace_name = kind == "Node" ? "" : "default";
    auto object = live_->store().get({kind, namespace_name, name.substr(space + 1)});
    ASSERT_TRUE(object.is_ok()) << name << ": " << object.status().to_string();
    EXPECT_EQ(api::metadata_of(**object).uid, uid) << name;
  }
  // The stop was a node shutdown: every pod runs again, at its address, with one more restart.
  // (Until its kubelet writes, a pod shows the status it was stored with.)
  ASSERT_TRUE(live::poll_until(
      [&] {
        if (!all_ready(3, "demo-app:v1")) return false;
        for (const api::Pod& pod : pods()) {
          if (pod.status.container_statuses.at(0).restart_count == 0) return false;
        }
        return true;
      },
      kWaitLimit));
  EXPECT_EQ(processes_on_pod_range(), 3);
  for (const api::Pod& pod : pods()) {
    ASSERT_TRUE(pods_before.contains(pod.metadata.name)) << pod.metadata.name;
    const api::Pod& before = pods_before.at(pod.metadata.name);
    EXPECT_EQ(pod.status.pod_ip, before.status.pod_ip);
    EXPECT_EQ(pod.status.container_statuses.at(0).restart_count,
              before.status.container_statuses.at(0).restart_count + 1);
    EXPECT_NE(answer(pod.status.pod_ip).find("demo-app v1 " + pod.status.pod_ip),
              std::string::npos);
  }
}

// A two-service app: "front" (nodrop's own proxy as the app) finds "back" through the Service
// variables the kubelet injects, and the two answer end to end through their ClusterIPs.
class TwoServiceAppTest : public LiveClusterTest {
 protected:
  TwoServiceAppTest() : LiveClusterTest(96) {}

  static api::Service cluster_ip_service(const std::string& name) {
    api::Service service;
    service.metadata.name = name;
    service.metadata.namespace_name = "default";
    service.spec.selector = {{"app", name}};
    api::ServicePort port;
    port.name = "http";
    port.port = 8080;  // not 80: binding it needs root
    port.target_port = api::IntOrString::from_string("http");
    service.spec.ports = {port};
    api::set_defaults(service);
    return service;
  }
  static api::Deployment app(const std::string& name, std::int32_t replicas,
                             std::vector<std::string> command) {
    api::Deployment deployment = web("v1");
    deployment.metadata.name = name;
    deployment.spec.replicas = replicas;
    deployment.spec.selector.match_labels = {{"app", name}};
    deployment.spec.template_spec.metadata.labels = {{"app", name}};
    api::Container& container = deployment.spec.template_spec.spec.containers[0];
    container.command = {command.front()};
    container.args.assign(command.begin() + 1, command.end());
    container.readiness_probe.reset();  // profile nodrop: ready once port 8080 listens
    return deployment;
  }
  std::optional<api::Service> stored_service(const std::string& name) {
    auto found = live_->store().get({"Service", "default", name});
    if (!found) return std::nullopt;
    return std::get<api::Service>(**found);
  }
  bool ready_pods(const std::string& name, std::size_t count) {
    std::size_t ready = 0;
    for (const api::Pod& pod : pods()) {
      if (pod.metadata.labels.count("app") != 0 && pod.metadata.labels.at("app") == name &&
          api::is_pod_ready(pod)) {
        ++ready;
      }
    }
    return ready == count;
  }
};

TEST_F(TwoServiceAppTest, TheFrontReachesTheBackThroughItsClusterIpFromTheInjectedVariables) {
  // The back end and its Service first: a pod gets the variables of the Services that exist when
  // its containers start.
  apply(cluster_ip_service("back"));
  apply(app("back", 2, {DEMO_APP_PATH, "--listen", "$(POD_IP):8080", "--version", "back"}));
  ASSERT_TRUE(live::poll_until([&] { return ready_pods("back", 2); }, kWaitLimit));
  const std::optional<api::Service> back = stored_service("back");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->spec.cluster_ip, "127.0.99.1");

  apply(cluster_ip_service("front"));
  apply(app("front", 1,
            {NODROP_PATH, "proxy", "--listen", "$(POD_IP):8080", "--backend",
             "$(BACK_SERVICE_HOST):$(BACK_SERVICE_PORT)", "--workers", "1"}));
  ASSERT_TRUE(live::poll_until([&] { return ready_pods("front", 1); }, kWaitLimit));
  const std::optional<api::Service> front = stored_service("front");
  ASSERT_TRUE(front.has_value());
  EXPECT_EQ(front->spec.cluster_ip, "127.0.99.2");

  // client -> front's ClusterIP -> the front pod -> back's ClusterIP -> a back pod.
  std::set<std::string> answered_by;
  std::string reply;
  ASSERT_TRUE(live::poll_until(
      [&] {
        reply = answer(front->spec.cluster_ip, 8080);
        const std::size_t at = reply.find("demo-app back 127.0.97.");
        if (at != std::string::npos)
          answered_by.insert(reply.substr(at, reply.find(' ', at + 15) - at));
        return answered_by.size() == 2;
      },
      kWaitLimit))
      << reply;
  EXPECT_NE(reply.find("200 OK"), std::string::npos) << reply;
  EXPECT_NE(reply.find(":8080 /x"), std::string::npos) << reply;

  // The front pod was started with Kubernetes' variables for both Services that existed then.
  std::string environment;
  for (const api::Pod& pod : pods()) {
    if (pod.metadata.labels.at("app") != "front") continue;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      std::ifstream cmdline(entry.path() / "cmdline");
      const std::string text(std::istreambuf_iterator<char>(cmdline), {});
      if (text.find(pod.status.pod_ip + ":8080") == std::string::npos) continue;
      std::ifstream environ(entry.path() / "environ");
      environment.assign(std::istreambuf_iterator<char>(environ), {});
    }
  }
  EXPECT_NE(environment.find(std::string("BACK_SERVICE_HOST=127.0.99.1") + '\0'),
            std::string::npos);
  EXPECT_NE(environment.find(std::string("BACK_PORT=tcp://127.0.99.1:8080") + '\0'),
            std::string::npos);
  EXPECT_NE(environment.find(std::string("FRONT_SERVICE_PORT_HTTP=8080") + '\0'),
            std::string::npos);
}

// A Deployment whose init container writes the file its app needs before it may start, beside a
// sidecar that serves on its own port.
class InitContainersTest : public LiveClusterTest {
 protected:
  InitContainersTest() : LiveClusterTest(164) {}
  void SetUp() override {
    LiveClusterTest::SetUp();
    shared_ = fs::temp_directory_path() / ("nodrop-init-e2e-" + std::to_string(getpid()));
    fs::create_directories(shared_);
  }
  void TearDown() override {
    LiveClusterTest::TearDown();
    std::error_code ignored;
    fs::remove_all(shared_, ignored);
  }

  api::Deployment deployment() const {
    api::Deployment out = web("v1");
    out.metadata.name = "init";
    out.spec.replicas = 2;
    out.spec.selector.match_labels = {{"app", "init"}};
    out.spec.template_spec.metadata.labels = {{"app", "init"}};
    api::PodSpec& spec = out.spec.template_spec.spec;
    api::EnvVar pod_name;
    pod_name.name = "POD_NAME";
    pod_name.field_ref = api::ObjectFieldSelector{"v1", "metadata.name"};
    const std::string marker = shared_.string() + "/$(POD_NAME)";
    api::Container& app = spec.containers[0];
    app.env.push_back(pod_name);
    app.readiness_probe.reset();  // profile nodrop: ready once port 8080 listens
    // Without the file the app exits 1 and is never ready.
    app.command = {"/bin/sh"};
    app.args = {"-c", "test -f " + marker + " && exec " + std::string(DEMO_APP_PATH) +
                          " --listen $(POD_IP):8080 --version v1"};
    api::Container setup;
    setup.name = "setup";
    setup.image = "busybox";
    setup.command = {"/bin/sh"};
    setup.args = {"-c", "sleep 1 && echo ok > " + marker};
    setup.env = {pod_name};
    api::Container proxy = app;
    proxy.name = "proxy";
    proxy.restart_policy = "Always";
    proxy.command = {DEMO_APP_PATH};
    proxy.args = {"--listen", "$(POD_IP):8081", "--version", "sidecar"};
    proxy.ports[0].name = "sidecar";
    proxy.ports[0].container_port = 8081;
    spec.init_containers = {setup, proxy};
    api::set_defaults(out);
    return out;
  }

  fs::path shared_;
};

TEST_F(InitContainersTest, TheAppStartsAfterItsInitContainerSucceededAndBesideItsSidecar) {
  apply(deployment());
  ASSERT_TRUE(live::poll_until(
      [&] {
        const std::vector<api::Pod> now = pods();
        return now.size() == 2 && std::all_of(now.begin(), now.end(), [](const api::Pod& p) {
                 return api::is_pod_ready(p);
               });
      },
      kWaitLimit));
  for (const api::Pod& pod : pods()) {
    SCOPED_TRACE(pod.metadata.name);
    EXPECT_TRUE(fs::exists(shared_ / pod.metadata.name));
    ASSERT_EQ(pod.status.init_container_statuses.size(), 2U);
    const api::ContainerStatus& setup = pod.status.init_container_statuses[0];
    ASSERT_TRUE(setup.state.terminated.has_value());
    EXPECT_EQ(setup.state.terminated->exit_code, 0);
    EXPECT_EQ(setup.state.terminated->reason, "Completed");
    EXPECT_EQ(setup.restart_count, 0);
    const api::ContainerStatus& proxy = pod.status.init_container_statuses[1];
    EXPECT_TRUE(proxy.state.running.has_value());
    EXPECT_TRUE(proxy.ready);
    const api::ContainerStatus& app = pod.status.container_statuses[0];
    ASSERT_TRUE(app.state.running.has_value());
    EXPECT_EQ(app.restart_count, 0);  // it never ran before the file was there
    EXPECT_GE(*app.state.running->started_at, *setup.state.terminated->finished_at);
    const api::Condition* initialized =
        api::find_condition(pod.status.conditions, api::kPodInitialized);
    ASSERT_NE(initialized, nullptr);
    EXPECT_EQ(initialized->status, api::ConditionStatus::kTrue);
    EXPECT_NE(answer(pod.status.pod_ip, 8080).find("demo-app v1"), std::string::npos);
    EXPECT_NE(answer(pod.status.pod_ip, 8081).find("demo-app sidecar"), std::string::npos);
  }
}

}  // namespace
}  // namespace nodrop
