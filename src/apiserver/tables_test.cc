#include "apiserver/tables.h"

#include <gtest/gtest.h>

#include "api/object.h"
#include "apiserver/json.h"
#include "manifest/encode.h"

namespace nodrop::apiserver {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const WallTime kNow = WallTime{} + hours(24 * 400);

std::vector<std::string> cells(const Node& table, std::size_t row = 0) {
  std::vector<std::string> out;
  for (const Node& cell : table.find("rows")->items()[row].find("cells")->items()) {
    out.push_back(cell.text());
  }
  return out;
}

std::vector<std::string> columns(const Node& table, int priority) {
  std::vector<std::string> out;
  for (const Node& column : table.find("columnDefinitions")->items()) {
    if (column.find("priority")->text() == std::to_string(priority)) {
      out.push_back(column.find("name")->text());
    }
  }
  return out;
}

api::Container container(const char* name, const char* image = "") {
  api::Container out;
  out.name = name;
  out.image = image;
  return out;
}

api::ServicePort service_port(const char* name, std::int32_t port, std::int32_t node_port,
                              const char* protocol = "") {
  api::ServicePort out;
  out.name = name;
  out.port = port;
  out.node_port = node_port;
  out.protocol = protocol;
  return out;
}

Node table_for(const api::Object& object, const TableOptions& options = {}) {
  const store::ObjectPtr pointer = std::make_shared<const api::Object>(object);
  return table_of(api::kind_of(object), {pointer}, {manifest::encode_object(object)}, kNow,
                  options);
}

TEST(HumanDuration, AsKubectlPrintsAge) {
  EXPECT_EQ(human_duration(seconds(-5)), "<invalid>");
  EXPECT_EQ(human_duration(std::chrono::milliseconds(-500)), "0s");
  EXPECT_EQ(human_duration(seconds(45)), "45s");
  EXPECT_EQ(human_duration(seconds(119)), "119s");
  EXPECT_EQ(human_duration(seconds(120)), "2m");
  EXPECT_EQ(human_duration(seconds(5 * 60 + 3)), "5m3s");
  EXPECT_EQ(human_duration(minutes(10) + seconds(30)), "10m");
  EXPECT_EQ(human_duration(minutes(179)), "179m");
  EXPECT_EQ(human_duration(hours(3)), "3h");
  EXPECT_EQ(human_duration(hours(3) + minutes(20)), "3h20m");
  EXPECT_EQ(human_duration(hours(47)), "47h");
  EXPECT_EQ(human_duration(hours(48)), "2d");
  EXPECT_EQ(human_duration(hours(52)), "2d4h");
  EXPECT_EQ(human_duration(hours(24 * 400)), "400d");
  EXPECT_EQ(human_duration(hours(24 * 730)), "2y");
  EXPECT_EQ(human_duration(hours(24 * 750)), "2y20d");
  EXPECT_EQ(human_duration(hours(24 * 365 * 9)), "9y");
}

TEST(Table, DeploymentColumnsWideColumnsAndCells) {
  api::Deployment deployment;
  deployment.metadata.name = "web";
  deployment.metadata.namespace_name = "default";
  deployment.metadata.creation_timestamp = kNow - seconds(75);
  deployment.spec.replicas = 3;
  deployment.spec.selector.match_labels = {{"app", "web"}};
  deployment.spec.template_spec.spec.containers = {container("app", "demo-app:v2"),
                                                   container("side", "busybox")};
  deployment.status.ready_replicas = 2;
  deployment.status.updated_replicas = 3;
  deployment.status.available_replicas = 2;
  const Node table = table_for(deployment);
  EXPECT_EQ(table.find("kind")->text(), "Table");
  EXPECT_EQ(columns(table, 0),
            (std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available", "Age"}));
  EXPECT_EQ(columns(table, 1), (std::vector<std::string>{"Containers", "Images", "Selector"}));
  EXPECT_EQ(cells(table), (std::vector<std::string>{"web", "2/3", "3", "2", "75s", "app,side",
                                                    "demo-app:v2,busybox", "app=web"}));
  // The row's object: metadata only by default, the whole object or none when asked.
  const Node& row = table.find("rows")->items()[0];
  EXPECT_EQ(row.find("object")->find("kind")->text(), "PartialObjectMetadata");
  EXPECT_EQ(row.find("object")->find("metadata")->find("name")->text(), "web");
  EXPECT_EQ(table_for(deployment, {.objects = TableObjects::kObject})
                .find("rows")
                ->items()[0]
                .find("object")
                ->find("kind")
                ->text(),
            "Deployment");
  EXPECT_EQ(table_for(deployment, {.objects = TableObjects::kNone})
                .find("rows")
                ->items()[0]
                .find("object"),
            nullptr);
  // A watch sends the column definitions with its first event only.
  EXPECT_TRUE(
      table_for(deployment, {.include_columns = false}).find("columnDefinitions")->items().empty());
}

TEST(Table, PodStatusSaysWhatKubectlSays) {
  api::Pod pod;
  pod.metadata.name = "web-1";
  pod.metadata.creation_timestamp = kNow - hours(3);
  pod.spec.containers = {container("app"), container("side")};
  pod.spec.node_name = "node-2";
  pod.status.phase = api::PodPhase::kRunning;
  pod.status.pod_ip = "127.0.101.7";
  api::ContainerStatus app;
  app.name = "app";
  app.ready = true;
  app.restart_count = 2;
  api::ContainerStatus side;
  side.name = "side";
  side.restart_count = 1;
  side.state.waiting = api::ContainerStateWaiting{.reason = "CrashLoopBackOff", .message = ""};
  pod.status.container_statuses = {app, side};
  Node table = table_for(pod);
  EXPECT_EQ(columns(table, 0),
            (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ(cells(table), (std::vector<std::string>{"web-1", "1/2", "CrashLoopBackOff", "3", "3h",
                                                    "127.0.101.7", "node-2", "<none>", "<none>"}));
  pod.status.container_statuses[1].state = {};
  pod.metadata.deletion_timestamp = kNow;
  EXPECT_EQ(cells(table_for(pod))[2], "Terminating");
  pod = {};
  pod.metadata.name = "new";
  pod.spec.containers = {container("app")};
  EXPECT_EQ(cells(table_for(pod)),
            (std::vector<std::string>{"new", "0/1", "Pending", "0", "<unknown>", "<none>", "<none>",
                                      "<none>", "<none>"}));
}

TEST(Table, APodInitializingShowsItsInitContainersAsKubectlDoes) {
  api::Pod pod;
  pod.metadata.name = "web-1";
  pod.metadata.creation_timestamp = kNow - hours(3);
  api::Container proxy = container("proxy");
  proxy.restart_policy = "Always";
  pod.spec.init_containers = {container("setup"), proxy, container("migrate")};
  pod.spec.containers = {container("app")};
  pod.status.phase = api::PodPhase::kPending;
  const auto status_of = [](const char* name, api::ContainerState state) {
    api::ContainerStatus status;
    status.name = name;
    status.state = std::move(state);
    status.started = false;
    return status;
  };
  api::ContainerState initializing;
  initializing.waiting.emplace().reason = "PodInitializing";
  api::ContainerState done;
  done.terminated.emplace().reason = "Completed";
  api::ContainerState running;
  running.running.emplace();
  pod.status.init_container_statuses = {status_of("setup", running),
                                        status_of("proxy", initializing),
                                        status_of("migrate", initializing)};
  pod.status.init_container_statuses[0].restart_count = 2;
  pod.status.container_statuses = {status_of("app", initializing)};
  // READY counts the sidecar; RESTARTS every init container's while initializing.
  EXPECT_EQ(cells(table_for(pod)),
            (std::vector<std::string>{"web-1", "0/2", "Init:0/3", "2", "3h", "<none>", "<none>",
                                      "<none>", "<none>"}));
  // The sidecar started (and is ready): the next one decides.
  pod.status.init_container_statuses[0].state = done;
  pod.status.init_container_statuses[1].state = running;
  pod.status.init_container_statuses[1].started = true;
  pod.status.init_container_statuses[1].ready = true;
  pod.status.init_container_statuses[1].restart_count = 1;
  pod.status.init_container_statuses[2].state.waiting->reason = "CrashLoopBackOff";
  EXPECT_EQ(cells(table_for(pod))[1], "1/2");
  EXPECT_EQ(cells(table_for(pod))[2], "Init:CrashLoopBackOff");
  pod.status.init_container_statuses[2].state = done;
  pod.status.init_container_statuses[2].state.terminated->exit_code = 1;
  pod.status.init_container_statuses[2].state.terminated->reason = "Error";
  EXPECT_EQ(cells(table_for(pod))[2], "Init:Error");
  pod.status.init_container_statuses[2].state.terminated->reason.clear();
  EXPECT_EQ(cells(table_for(pod))[2], "Init:ExitCode:1");
  // Initialized: the app containers decide; RESTARTS counts them and the sidecar.
  pod.status.init_container_statuses[2].state = done;
  pod.status.phase = api::PodPhase::kRunning;
  pod.status.container_statuses[0].state = running;
  pod.status.container_statuses[0].ready = true;
  pod.status.container_statuses[0].restart_count = 4;
  EXPECT_EQ(cells(table_for(pod)),
            (std::vector<std::string>{"web-1", "2/2", "Running", "5", "3h", "<none>", "<none>",
                                      "<none>", "<none>"}));
}

TEST(Table, ServiceTypesAddressesAndPorts) {
  api::Service service;
  service.metadata.name = "web";
  service.metadata.creation_timestamp = kNow - hours(52);
  service.spec.type = api::kServiceTypeLoadBalancer;
  service.spec.cluster_ip = "127.0.103.1";
  service.spec.selector = {{"app", "web"}};
  service.spec.ports = {service_port("http", 80, 30080), service_port("dns", 53, 0, "UDP")};
  Node table = table_for(service);
  EXPECT_EQ(columns(table, 0), (std::vector<std::string>{"Name", "Type", "Cluster-IP",
                                                         "External-IP", "Port(s)", "Age"}));
  EXPECT_EQ(cells(table),
            (std::vector<std::string>{"web", "LoadBalancer", "127.0.103.1", "<pending>",
                                      "80:30080/TCP,53/UDP", "2d4h", "app=web"}));
  api::LoadBalancerIngress ingress;
  ingress.ip = "127.0.102.1";
  service.status.load_balancer_ingress = {ingress};
  EXPECT_EQ(cells(table_for(service))[3], "127.0.102.1");
  service = {};
  service.metadata.name = "plain";
  EXPECT_EQ(cells(table_for(service)),
            (std::vector<std::string>{"plain", "ClusterIP", "<none>", "<none>", "<none>",
                                      "<unknown>", "<none>"}));
}

TEST(Table, EndpointSlicesShowThreeAddressesThenACount) {
  api::EndpointSlice slice;
  slice.metadata.name = "web-abc";
  slice.address_type = "IPv4";
  api::EndpointPort port;
  port.name = "http";
  port.port = 8080;
  slice.ports = {port};
  for (int i = 1; i <= 5; ++i) {
    api::Endpoint endpoint;
    endpoint.addresses = {"127.0.101." + std::to_string(i)};
    slice.endpoints.push_back(endpoint);
  }
  EXPECT_EQ(
      cells(table_for(slice)),
      (std::vector<std::string>{"web-abc", "IPv4", "8080",
                                "127.0.101.1,127.0.101.2,127.0.101.3 + 2 more...", "<unknown>"}));
}

}  // namespace
}  // namespace nodrop::apiserver
