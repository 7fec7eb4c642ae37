// The seed article's own manifests, applied unchanged, run under nodrop: examples/seed/
// deployment.yaml (image nginx, port 80, no command; readiness after 5 s, a 30-second preStop
// sleep, a 60-second grace period) behind service-cluster.yaml. The built-in nginx mapping
// (node/nginx_image.h) runs Debian's nginx for each pod; its pages answer through the front load
// balancer, and a restart of the Deployment (a template annotation, as `kubectl rollout restart`
// writes) rolls under the nodrop profile without a failed request. The pods' logs hold nginx's
// access log, and its graceful stop: the kubelet sends the image's SIGQUIT, not SIGTERM.
//
// Timing: the manifests' own delays make it slow, and are kept: each old pod sleeps 30 s in
// preStop after it is drained, so the roll takes about 40 s (measured: 40.2 s, complete by
// `kubectl rollout status` after 10.2 s), and each new pod sleeps 30 s more when the cluster shuts
// down at the end; the whole test takes about 77 s.
// Addresses: 127.0.160.0/24 for the cluster, clients from 127.0.161.1-127.0.161.8.
#include <fmt/format.h>

#include <chrono>

#include "live/sockets/blocking_client.h"
#include "scenario_support.h"
#include "server/live_cluster.h"

namespace nodrop::scenarios {
namespace {

using server::RolloutOutcome;
using server::RolloutScenario;

constexpr int kBlock = 160;
constexpr const char* kClients = "127.0.161.1-127.0.161.8";

std::vector<api::Object> load_seed(const std::string& file) {
  const std::string path = std::string(EXAMPLES_DIR) + "/seed/" + file;
  const manifest::LoadResult loaded = manifest::load_manifest_file(path, {});
  EXPECT_FALSE(loaded.has_errors()) << path;
  std::vector<api::Object> objects;
  for (const manifest::LoadedObject& object : loaded.objects) objects.push_back(object.object);
  EXPECT_EQ(objects.size(), 1U) << path;
  return objects;
}

// GET / through the Service's load balancer, once it has an address.
Result<live::HttpResponse> get_through_load_balancer(server::LiveCluster& live) {
  Result<store::ListResult> services =
      live.store().list({.kind = "Service", .namespace_name = "default"});
  if (!services.is_ok()) return services.status();
  for (const store::ObjectPtr& object : services->items) {
    const auto& service = std::get<api::Service>(*object);
    if (service.metadata.name != "nginx" || service.status.load_balancer_ingress.empty()) continue;
    Result<Ipv4Address> ip = parse_ipv4_address(service.status.load_balancer_ingress[0].ip);
    if (!ip.is_ok()) return ip.status();
    auto client = live::BlockingClient::connect(
        Ipv4Endpoint{*ip, static_cast<std::uint16_t>(service.spec.ports[0].port)},
        std::chrono::seconds(2), Ipv4Address{parse_address_range(kClients).value().first});
    if (!client.is_ok()) return client.status();
    if (Status sent =
            client->send_all("GET / HTTP/1.1\r\nHost: nginx\r\nConnection: close\r\n\r\n");
        !sent.is_ok()) {
      return sent;
    }
    return client->read_http_response();
  }
  return not_found("service nginx has no load balancer address");
}

class NginxSeed : public ScenarioTest {};

TEST_F(NginxSeed, TheSeedsManifestsServeThroughTheLoadBalancerAndRollWithoutAFailedRequest) {
  const auto started = std::chrono::steady_clock::now();
  data_dir_ =
      std::filesystem::temp_directory_path() / ("nodrop-nginx-seed-" + std::to_string(getpid()));
  RolloutScenario scenario;
  scenario.config = server::scenario_cluster_config(kBlock, data_dir_.string(), DEMO_APP_PATH);
  scenario.config.profile = server::Profile::kNodrop;
  const std::vector<api::Object> deployment = load_seed("deployment.yaml");
  std::vector<api::Object> service = load_seed("service-cluster.yaml");
  ASSERT_FALSE(deployment.empty());
  ASSERT_FALSE(service.empty());
  if (geteuid() != 0) {
    // Port 80 needs root (or a lowered ip_unprivileged_port_start): the Service's front port
    // moves, the pods' containerPort cannot without changing the manifest.
    GTEST_SKIP() << "nginx listens on containerPort 80: run as root";
  }
  manifests_ = "seed/deployment.yaml + seed/service-cluster.yaml";
  scenario.objects = {deployment[0], service[0]};
  scenario.deployment = "nginx";
  scenario.service = "nginx";
  // `kubectl rollout restart`: the same manifest, a template annotation that changes its hash.
  api::Object restarted = deployment[0];
  std::get<api::Deployment>(restarted)
      .spec.template_spec.metadata.annotations["kubectl.kubernetes.io/restartedAt"] =
      "2026-01-01T00:00:00Z";
  scenario.changes = {{restarted}};
  scenario.load.rate_per_second = 200;
  scenario.load.connections = 32;
  scenario.load.mode = traffic::ConnectionMode::kNewConnection;
  scenario.load.timeout = std::chrono::seconds(5);
  scenario.load.sources = parse_address_range(kClients).value();
  scenario.before = std::chrono::seconds(1);
  scenario.settle = std::chrono::seconds(1);
  scenario.deadline = std::chrono::seconds(80);
  // Before the roll, under the load: the page is nginx's own.
  std::string page;
  scenario.disruption = [&](server::LiveCluster& live) {
    Result<live::HttpResponse> response = get_through_load_balancer(live);
    if (!response.is_ok()) return response.status();
    if (response->status != 200) return internal_error(fmt::format("GET / {}", response->status));
    page = response->body;
    return Status::ok();
  };
  const RolloutOutcome outcome = run("seed, nginx, Cluster, new connections", scenario);

  EXPECT_NE(page.find("Welcome to nginx!"), std::string::npos) << page;
  EXPECT_EQ(outcome.report.recorder.failures(), 0U);
  EXPECT_GT(outcome.report.recorder.total(), 2000U);  // the load ran at its rate through the roll
  ASSERT_EQ(outcome.rollouts.size(), 1U);
  std::size_t access_lines = 0;
  std::vector<std::string> graceful_stops;
  server::for_each_pod_log_line(data_dir_.string(), [&](const std::string& line) {
    if (line.find("\"GET / HTTP/1.1\" 200") != std::string::npos) ++access_lines;
    if (line.find("signal 3 (SIGQUIT) received") != std::string::npos) {
      graceful_stops.push_back(line);
    }
  });
  // The new pods' logs stay after the cluster's shutdown (the old pods' went with them): both
  // served, and both were stopped by SIGQUIT when the nodes shut down. The signal goes to the
  // pod's process group, so nginx's master and its one worker each log it: 2 pods × 2 lines.
  EXPECT_GT(access_lines, 100U);
  EXPECT_EQ(graceful_stops.size(), 4U) << ::testing::PrintToString(graceful_stops);
  for (const api::Event& event : outcome.events) {
    EXPECT_NE(event.type, api::EventType::kWarning) << event.reason << ": " << event.message;
  }
  std::cout
      << fmt::format(
             "nginx seed: rollout {} ms, complete {} ms, whole test {} s",
             std::chrono::duration_cast<std::chrono::milliseconds>(outcome.rollouts[0]).count(),
             std::chrono::duration_cast<std::chrono::milliseconds>(outcome.completes[0]).count(),
             std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                              started)
                 .count())
      << std::endl;
}

}  // namespace
}  // namespace nodrop::scenarios
