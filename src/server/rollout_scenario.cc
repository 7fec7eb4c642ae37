#include "server/rollout_scenario.h"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "live/loop/system_clock.h"
#include "live/loop/thread.h"
#include "live/sockets/blocking_client.h"
#include "node/image_map.h"
#include "server/live_cluster.h"
#include "traffic/background_load.h"

namespace nodrop::server {
namespace {

constexpr auto kPollPeriod = std::chrono::milliseconds(10);
constexpr int kAnswersInARowWhenReady = 5;
constexpr const char* kFirstRequestLine = "first request from ";

std::string annotation(const api::ObjectMeta& metadata, const char* key) {
  const auto found = metadata.annotations.find(key);
  return found == metadata.annotations.end() ? "" : found->second;
}

// Runs `apply` for each object on the cluster's loop and waits for it.
Status apply_on_loop(LiveCluster& live, const std::vector<api::Object>& objects,
                     runtime::Duration limit) {
  auto result = std::make_shared<std::optional<Status>>();
  live.post([&live, objects, result] {
    Status status = Status::ok();
    for (const api::Object& object : objects) {
      Result<ApplyOutcome> applied = live.cluster().apply(object);
      if (!applied.is_ok()) {
        status = Status(
            applied.status().code(),
            fmt::format("{}: {}", api::metadata_of(object).name, applied.status().message()));
        break;
      }
    }
    *result = status;
  });
  if (!live::poll_until([&] { return result->has_value(); },
                        std::chrono::duration_cast<std::chrono::milliseconds>(limit))) {
    return Status(StatusCode::kDeadlineExceeded, "the cluster did not apply the manifests");
  }
  return **result;
}

class ScenarioRun {
 public:
  ScenarioRun(const RolloutScenario& scenario, LiveCluster& live)
      : scenario_(scenario), live_(live), deadline_(clock_.now() + scenario.deadline) {}

  std::chrono::milliseconds left() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::max(deadline_ - clock_.now(), runtime::Duration::zero()));
  }
  bool cancelled() const { return scenario_.cancelled && scenario_.cancelled(); }
  void progress(const std::string& step) const {
    if (scenario_.progress) scenario_.progress(step);
  }
  // Waits until `done` or the deadline or a cancellation; true when done.
  template <typename Done>
  bool wait(Done done) const {
    return live::poll_until([&] { return cancelled() || done(); }, left()) && !cancelled();
  }
  static Status interrupted() { return Status(StatusCode::kUnavailable, "interrupted"); }

  // "2 of 3 updated and available, 1 old left" for the progress line.
  std::string rollout_step() const {
    const store::ObjectPtr object = get("Deployment", scenario_.deployment);
    if (object == nullptr) return "";
    const auto& deployment = std::get<api::Deployment>(*object);
    const api::DeploymentStatus& status = deployment.status;
    return fmt::format("{} of {} updated and available, {} pods in all",
                       std::min(status.updated_replicas, status.available_replicas),
                       deployment.spec.replicas.value_or(1), status.replicas);
  }

  store::ObjectPtr get(const char* kind, const std::string& name) const {
    Result<store::ObjectPtr> found = live_.store().get({kind, scenario_.namespace_name, name});
    return found.is_ok() ? *found : nullptr;
  }

  // What `kubectl rollout status` waits for: the Deployment's status has every replica updated
  // and available, and no other (terminating pods are not counted).
  bool complete() const {
    const store::ObjectPtr object = get("Deployment", scenario_.deployment);
    if (object == nullptr) return false;
    const auto& deployment = std::get<api::Deployment>(*object);
    const std::int32_t replicas = deployment.spec.replicas.value_or(1);
    const api::DeploymentStatus& status = deployment.status;
    return status.observed_generation >= deployment.metadata.generation &&
           status.updated_replicas == replicas && status.available_replicas == replicas &&
           status.replicas == replicas;
  }

  // complete(), and no pod of another template is left, terminating or not.
  bool rolled_out() const {
    if (!complete()) return false;
    const store::ObjectPtr object = get("Deployment", scenario_.deployment);
    if (object == nullptr) return false;
    const auto& deployment = std::get<api::Deployment>(*object);
    const std::string revision = annotation(deployment.metadata, api::kRevisionAnnotation);
    std::string hash;
    Result<store::ListResult> sets =
        live_.store().list({.kind = "ReplicaSet", .namespace_name = scenario_.namespace_name});
    if (!sets.is_ok()) return false;
    for (const store::ObjectPtr& set : sets->items) {
      const auto& replica_set = std::get<api::ReplicaSet>(*set);
      if (annotation(replica_set.metadata, api::kRevisionAnnotation) == revision) {
        const auto label = replica_set.metadata.labels.find(api::kPodTemplateHashLabel);
        if (label != replica_set.metadata.labels.end()) hash = label->second;
      }
    }
    if (hash.empty()) return false;
    Result<store::ListResult> pods =
        live_.store().list({.kind = "Pod", .namespace_name = scenario_.namespace_name});
    if (!pods.is_ok()) return false;
    for (const store::ObjectPtr& object_pod : pods->items) {
      const auto& pod = std::get<api::Pod>(*object_pod);
      if (!deployment.spec.selector.matches(pod.metadata.labels)) continue;
      const auto label = pod.metadata.labels.find(api::kPodTemplateHashLabel);
      if (label == pod.metadata.labels.end() || label->second != hash) return false;
    }
    return true;
  }

  // The load balancer's address once written to the Service's status.
  std::optional<Ipv4Endpoint> load_balancer() const {
    const store::ObjectPtr object = get("Service", scenario_.service);
    if (object == nullptr) return std::nullopt;
    const auto& service = std::get<api::Service>(*object);
    if (service.status.load_balancer_ingress.empty() || service.spec.ports.empty()) {
      return std::nullopt;
    }
    Result<Ipv4Address> ip = parse_ipv4_address(service.status.load_balancer_ingress[0].ip);
    if (!ip.is_ok()) return std::nullopt;
    return Ipv4Endpoint{*ip, static_cast<std::uint16_t>(service.spec.ports[0].port)};
  }

  // kAnswersInARowWhenReady requests through the load balancer answered 2xx in a row.
  bool answers(const Ipv4Endpoint& address) const {
    int in_a_row = 0;
    while (in_a_row < kAnswersInARowWhenReady && left().count() > 0) {
      std::optional<Ipv4Address> source;
      if (scenario_.load.sources) source = Ipv4Address{scenario_.load.sources->first};
      auto client = live::BlockingClient::connect(address, std::chrono::milliseconds(1000), source);
      bool ok = false;
      if (client.is_ok() &&
          client->send_all("GET / HTTP/1.1\r\nHost: nodrop\r\nConnection: close\r\n\r\n").is_ok()) {
        auto response = client->read_http_response();
        ok = response.is_ok() && response->status >= 200 && response->status < 300;
      }
      in_a_row = ok ? in_a_row + 1 : 0;
      if (!ok) live::poll_until([] { return false; }, std::chrono::milliseconds(50));
    }
    return in_a_row == kAnswersInARowWhenReady;
  }

  Result<RolloutOutcome> run() {
    if (Status applied = apply_on_loop(live_, scenario_.objects, left()); !applied.is_ok()) {
      return applied;
    }
    progress("waiting for the Deployment and the load balancer");
    std::optional<Ipv4Endpoint> address;
    const bool ready = wait([&] {
      address = load_balancer();
      return address.has_value() && rolled_out();
    });
    if (cancelled()) return interrupted();
    if (!ready || !answers(*address)) {
      return Status(
          StatusCode::kDeadlineExceeded,
          fmt::format(
              "deployment {} and service {} were not ready within {} s", scenario_.deployment,
              scenario_.service,
              std::chrono::duration_cast<std::chrono::seconds>(scenario_.deadline).count()));
    }
    traffic::LoadOptions options = scenario_.load;
    options.target.host = address->address.to_string();
    options.target.port = address->port;
    options.duration = std::chrono::duration_cast<runtime::Duration>(scenario_.deadline);
    options.quiet = true;
    Result<std::unique_ptr<traffic::BackgroundLoad>> load = traffic::BackgroundLoad::start(options);
    if (!load.is_ok()) return load.status();

    progress("load running");
    const runtime::Time change_due = clock_.now() + scenario_.before;
    auto stop_load = [&](Status status) {
      (*load)->end_after(runtime::Duration::zero());
      (*load)->finish();
      return status;
    };
    if (!wait([&] { return clock_.now() >= change_due; }) && cancelled()) {
      return stop_load(interrupted());
    }
    if (scenario_.disruption) {
      (*load)->mark("disruption");
      if (Status disrupted = scenario_.disruption(live_); !disrupted.is_ok()) {
        return stop_load(disrupted);
      }
    }
    std::vector<runtime::Duration> rollouts;
    std::vector<runtime::Duration> completes;
    for (std::size_t i = 0; i < scenario_.changes.size(); ++i) {
      const std::vector<api::Object>& change = scenario_.changes[i];
      (*load)->mark("template changed");
      const runtime::Time changed = clock_.now();
      if (Status applied = apply_on_loop(live_, change, left()); !applied.is_ok()) {
        return stop_load(applied);
      }
      // The first sync after the change must see the new generation; complete() checks it.
      std::optional<runtime::Time> completed;
      runtime::Time reported{};
      const std::string rolling =
          scenario_.changes.size() == 1
              ? std::string("rolling out")
              : fmt::format("rollout {} of {}", i + 1, scenario_.changes.size());
      const bool finished = wait([&] {
        if (clock_.now() - reported >= std::chrono::milliseconds(250)) {
          reported = clock_.now();
          progress(fmt::format("{}: {}", rolling, rollout_step()));
        }
        if (!completed && complete()) completed = clock_.now();
        return completed && rolled_out();
      });
      if (cancelled()) return stop_load(interrupted());
      rollouts.push_back(clock_.now() - changed);
      completes.push_back(completed.value_or(clock_.now()) - changed);
      (*load)->mark(finished ? "rollout finished" : "deadline passed");
      if (!finished) {
        return stop_load(Status(StatusCode::kDeadlineExceeded,
                                fmt::format("the rollout of {} did not finish within the deadline",
                                            scenario_.deployment)));
      }
    }
    progress("load settling");
    (*load)->end_after(scenario_.settle);
    RolloutOutcome outcome{.report = (*load)->finish(),
                           .rollout = rollouts.empty() ? runtime::Duration::zero() : rollouts[0],
                           .rollouts = rollouts,
                           .completes = completes,
                           .client_addresses = {},
                           .load_balancer = address->to_string(),
                           .events = {}};
    return outcome;
  }

 private:
  const RolloutScenario& scenario_;
  LiveCluster& live_;
  live::SystemClock clock_;
  const runtime::Time deadline_;
};

// "first request from IP" lines in every pod log under the data dir.
std::set<std::string> client_addresses_logged(const std::string& data_dir) {
  std::set<std::string> addresses;
  for_each_pod_log_line(data_dir, [&](const std::string& line) {
    const auto at = line.find(kFirstRequestLine);
    if (at != std::string::npos) addresses.insert(line.substr(at + std::strlen(kFirstRequestLine)));
  });
  return addresses;
}

}  // namespace

Result<RolloutOutcome> run_rollout_scenario(const RolloutScenario& scenario) {
  Result<std::unique_ptr<LiveCluster>> created = LiveCluster::create(scenario.config);
  if (!created.is_ok()) return created.status();
  std::unique_ptr<LiveCluster> live = std::move(created.value());
  if (Status started = live->start(); !started.is_ok()) return started;
  auto thread = std::make_unique<live::Thread>([&] { live->run(); });

  Result<RolloutOutcome> outcome = ScenarioRun(scenario, *live).run();
  if (outcome.is_ok()) {
    Result<store::ListResult> events = live->store().list({.kind = "Event"});
    if (events.is_ok()) {
      for (const store::ObjectPtr& event : events->items) {
        outcome->events.push_back(std::get<api::Event>(*event));
      }
    }
  }

  // Node shutdown: every pod terminated gracefully; run() returns once all have finished.
  if (scenario.progress) scenario.progress("stopping the cluster");
  live->post([&] { live->shut_down(); });
  thread.reset();
  live.reset();
  if (outcome.is_ok())
    outcome->client_addresses = client_addresses_logged(scenario.config.data_dir);
  return outcome;
}

void for_each_pod_log_line(const std::string& data_dir,
                           const std::function<void(const std::string&)>& visit) {
  std::error_code error;
  const std::filesystem::path pods = std::filesystem::path(data_dir) / "pods";
  for (auto it = std::filesystem::recursive_directory_iterator(pods, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file(error) || it->path().extension() != ".log") continue;
    std::ifstream log(it->path());
    std::string line;
    while (std::getline(log, line)) visit(line);
  }
}

ClusterConfig scenario_cluster_config(int block, const std::string& data_dir,
                                      const std::string& demo_app_path) {
  const std::string prefix = fmt::format("127.0.{}.", block);
  const auto range = [&](int first, int last) {
    return parse_address_range(fmt::format("{}{}-{}{}", prefix, first, prefix, last)).value();
  };
  ClusterConfig config = ClusterConfig::defaults();
  config.data_dir = data_dir;
  config.node_addresses = range(1, 9);
  config.load_balancer_addresses = range(10, 19);
  config.cluster_ip_addresses = range(20, 29);
  config.pod_addresses = range(32, 254);
  if (!demo_app_path.empty()) config.images = {node::demo_app_mapping(demo_app_path)};
  return config;
}

}  // namespace nodrop::server
