// propagation: how long an endpoint change takes to reach every data plane, with real proxies.
//
// A cluster (server::Cluster over the live loop, real node proxies and front load balancer, each
// listener a proxy::Proxy with its own worker) serves two Services over the same pods: one
// LoadBalancer with externalTrafficPolicy Cluster (the three node proxies route to every pod)
// and one in ENI mode (the front load balancer routes to the pods). The pods are objects only: they
// sit on a node of their own with no kubelet, so this program sets their Ready condition itself.
// It flips one pod's readiness every --interval, round robin over --pods pods, and for each flip
// measures the time from the status write to the moment the last of the four data planes has
// applied a table that agrees with it (published, and acknowledged by every worker of that
// listener). Flips of different pods overlap; one pod's next flip comes long after its last.
//
//   propagation --profile kubernetes|nodrop [--time-scale X] [--changes N] [--pods P]
//               [--interval D] [--database FILE]
//
// With --database the store is kept in SQLite at FILE (made afresh), as `nodrop up` keeps it: each
// status write is durable before any informer sees it.
//
// Prints: profile, changes measured, p50, p99 and max, in milliseconds; then the same for the
// removals alone (flips to not ready: what the drain gate waits for before it lets a pod go).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/defaults.h"
#include "base/check.h"
#include "base/flags.h"
#include "live/loop/epoll_loop.h"
#include "live/loop/system_clock.h"
#include "live/loop/thread.h"
#include "live/probers.h"
#include "live/processes/process_runtime.h"
#include "server/cluster.h"
#include "server/live_data_plane.h"
#include "server/object_codec.h"
#include "store/sqlite_persistence.h"

namespace nodrop {
namespace {

using server::DataPlane;
using server::DataPlaneListener;

// What each listener has applied: tables as the data plane acknowledged them, with the time.
struct AppliedTable {
  runtime::Time at{};
  std::vector<Ipv4Endpoint> pickable;
};

class Journal {
 public:
  void record(const Ipv4Endpoint& listener, AppliedTable table) {
    std::lock_guard lock(mutex_);
    tables_[listener].push_back(std::move(table));
  }
  // The first time at or after `since` when listener's applied table had `address` pickable or
  // not (as `pickable` says); nullopt if not yet.
  std::optional<runtime::Time> agreed(const Ipv4Endpoint& listener, const Ipv4Endpoint& address,
                                      bool pickable, runtime::Time since) const {
    std::lock_guard lock(mutex_);
    const auto found = tables_.find(listener);
    if (found == tables_.end()) return std::nullopt;
    for (const AppliedTable& table : found->second) {
      if (table.at < since) continue;
      const bool listed =
          std::find(table.pickable.begin(), table.pickable.end(), address) != table.pickable.end();
      if (listed == pickable) return table.at;
    }
    return std::nullopt;
  }
  std::vector<Ipv4Endpoint> listeners() const {
    std::lock_guard lock(mutex_);
    std::vector<Ipv4Endpoint> out;
    for (const auto& [listener, tables] : tables_) out.push_back(listener);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<Ipv4Endpoint, std::vector<AppliedTable>> tables_;
};

// The live data plane, with every applied table written to the journal.
class JournaledDataPlane final : public DataPlane {
 public:
  JournaledDataPlane(live::EpollLoop& loop, Journal& journal) : inner_(loop), journal_(journal) {}

  Result<std::unique_ptr<DataPlaneListener>> listen(const proxy::ProxyOptions& options) override {
    Result<std::unique_ptr<DataPlaneListener>> inner = inner_.listen(options);
    if (!inner.is_ok()) return inner;
    return std::unique_ptr<DataPlaneListener>(
        std::make_unique<Listener>(std::move(inner.value()), options, journal_));
  }
  Result<std::unique_ptr<server::HealthCheckResponder>> serve_health_check(
      const Ipv4Endpoint& address, server::HealthCheckTarget target) override {
    return inner_.serve_health_check(address, std::move(target));
  }
  runtime::Prober& health_prober() override { return inner_.health_prober(); }

 private:
  class Listener final : public DataPlaneListener {
   public:
    Listener(std::unique_ptr<DataPlaneListener> inner, proxy::ProxyOptions options,
             Journal& journal)
        : inner_(std::move(inner)), options_(std::move(options)), journal_(journal) {}
    Result<proxy::Generation> set_endpoints(std::span<const proxy::Endpoint> endpoints) override {
      Result<proxy::Generation> generation = inner_->set_endpoints(endpoints);
      if (!generation.is_ok()) return generation;
      // The workers acknowledge within microseconds: spinning here blocks the cluster's loop that
      // long, which the figures then include (a sleeping poll would add its own period).
      const runtime::Time give_up = clock_.now() + std::chrono::seconds(5);
      while (!inner_->applied(*generation) && clock_.now() < give_up) {
      }
      AppliedTable table{.at = clock_.now(), .pickable = {}};
      const std::vector<proxy::EndpointState> states =
          proxy::categorize_endpoints(endpoints, options_.traffic);
      for (std::size_t i = 0; i < endpoints.size(); ++i) {
        if (states[i] != proxy::EndpointState::kDraining) {
          table.pickable.push_back(endpoints[i].address);
        }
      }
      journal_.record(options_.listen, std::move(table));
      return generation;
    }
    bool applied(proxy::Generation generation) const override {
      return inner_->applied(generation);
    }
    std::shared_ptr<proxy::EndpointCounters> counters(const Ipv4Endpoint& address) const override {
      return inner_->counters(address);
    }
    void on_applied(std::function<void()> callback) override {
      inner_->on_applied(std::move(callback));
    }

   private:
    std::unique_ptr<DataPlaneListener> inner_;
    const proxy::ProxyOptions options_;
    Journal& journal_;
    live::SystemClock clock_;
  };

  server::LiveDataPlane inner_;
  Journal& journal_;
};

struct Flags {
  server::Profile profile = server::Profile::kKubernetes;
  double time_scale = 1.0;
  int changes = 1000;
  int pods = 200;
  runtime::Duration interval = std::chrono::milliseconds(20);
  std::string database;  // empty: the store in memory only
};

constexpr const char* kBenchNode = "bench-node";

api::Service service(const std::string& name, bool eni) {
  api::Service object;
  object.metadata.name = name;
  object.metadata.namespace_name = "default";
  if (eni) object.metadata.annotations[api::kBackendTypeAnnotation] = "eni";
  object.spec.type = api::kServiceTypeLoadBalancer;
  object.spec.selector = {{"app", "bench"}};
  api::ServicePort port;
  port.name = "http";
  port.port = eni ? 8081 : 8080;
  port.target_port = api::IntOrString::from_string("http");
  object.spec.ports = {port};
  api::set_defaults(object);
  return object;
}

api::Pod pod(int index) {
  api::Pod object;
  object.metadata.name = fmt::format("bench-{}", index);
  object.metadata.namespace_name = "default";
  object.metadata.labels = {{"app", "bench"}};
  object.spec.node_name = kBenchNode;
  api::Container container;
  container.name = "app";
  container.image = "bench";
  api::ContainerPort port;
  port.name = "http";
  port.container_port = 8080;
  container.ports = {port};
  object.spec.containers = {container};
  api::set_defaults(object);
  return object;
}

void set_ready(api::Pod& object, bool ready, WallTime now) {
  object.status.phase = api::PodPhase::kRunning;
  api::Condition condition;
  condition.type = api::kPodReady;
  condition.status = ready ? api::ConditionStatus::kTrue : api::ConditionStatus::kFalse;
  condition.last_transition_time = now;
  object.status.conditions = {condition};
}

int run(const Flags& flags) {
  server::ClusterConfig config = server::ClusterConfig::defaults();
  config.profile = flags.profile;
  config.kubernetes.time_scale = flags.time_scale;
  config.node_addresses = parse_address_range("127.0.140.1-127.0.140.9").value();
  config.load_balancer_addresses = parse_address_range("127.0.140.10-127.0.140.19").value();
  config.cluster_ip_addresses = parse_address_range("127.0.140.20-127.0.140.29").value();
  config.pod_addresses = parse_address_range("127.0.141.1-127.0.141.254").value();

  live::EpollLoop loop;
  live::SystemRandom random;
  live::LiveProcessRuntime processes(loop);
  live::LiveProber prober(loop);
  Journal journal;
  JournaledDataPlane data_plane(loop, journal);
  // --database FILE: every write durable in SQLite before it is seen, as `nodrop up` keeps it.
  std::unique_ptr<store::SqlitePersistence> persistence;
  if (!flags.database.empty()) {
    std::remove(flags.database.c_str());
    for (const char* suffix : {"-wal", "-shm"}) std::remove((flags.database + suffix).c_str());
    Result<std::unique_ptr<store::SqlitePersistence>> opened =
        store::SqlitePersistence::open(flags.database, server::api_json_codec());
    if (!opened.is_ok()) {
      std::fprintf(stderr, "propagation: %s\n", opened.status().to_string().c_str());
      return 1;
    }
    persistence = std::move(opened).value();
  }
  server::Cluster cluster(
      server::ClusterPorts{
          loop, [&loop](std::function<void()> task) { loop.post_from_any_thread(std::move(task)); },
          processes, prober, random, data_plane, persistence.get()},
      config, "/nonexistent-propagation-logs");
  if (Status started = cluster.start(); !started.is_ok()) {
    std::fprintf(stderr, "propagation: %s\n", started.to_string().c_str());
    return 1;
  }
  live::Thread thread([&] { loop.run(); });
  store::Store& store = cluster.store();
  live::SystemClock clock;

  // The pods' node: Ready, no kubelet.
  api::Node node;
  node.metadata.name = kBenchNode;
  node.status.addresses = {{"InternalIP", "127.0.140.8"}};
  api::Condition node_ready;
  node_ready.type = "Ready";
  node_ready.status = api::ConditionStatus::kTrue;
  node.status.conditions = {node_ready};
  NODROP_CHECK(store.create(node).is_ok());
  std::vector<Ipv4Endpoint> addresses;
  for (int i = 0; i < flags.pods; ++i) {
    const std::string ip = fmt::format("127.0.142.{}", i + 1);
    Result<store::ObjectPtr> created = store.create(pod(i));
    NODROP_CHECK(created.is_ok());
    api::Pod ready = std::get<api::Pod>(**created);
    ready.status.pod_ip = ip;
    ready.status.host_ip = "127.0.140.8";
    set_ready(ready, true, clock.wall_now());
    NODROP_CHECK(store.update_status(ready).is_ok());
    addresses.push_back(Ipv4Endpoint{parse_ipv4_address(ip).value(), 8080});
  }
  NODROP_CHECK(store.create(service("bench-cluster", false)).is_ok());
  NODROP_CHECK(store.create(service("bench-eni", true)).is_ok());

  // The listeners a pod change reaches: every node proxy (both Services have nodePorts) and the
  // ENI balancer; not the Cluster balancer, whose backends are nodes (it listens on :8080).
  const auto watched_listeners = [&] {
    std::vector<Ipv4Endpoint> out;
    for (const Ipv4Endpoint& listener : journal.listeners()) {
      if (listener.port != 8080) out.push_back(listener);
    }
    return out;
  };
  constexpr std::size_t kWatched = 7;  // 3 nodes x 2 Services, and the ENI balancer
  // Settled: every watched data plane routes to every pod.
  const auto all_listed = [&] {
    const std::vector<Ipv4Endpoint> listeners = watched_listeners();
    if (listeners.size() < kWatched) return false;
    for (const Ipv4Endpoint& listener : listeners) {
      for (const Ipv4Endpoint& address : addresses) {
        if (!journal.agreed(listener, address, true, runtime::Time{})) return false;
      }
    }
    return true;
  };
  if (!live::poll_until(all_listed, std::chrono::seconds(120))) {
    std::fprintf(stderr, "propagation: the data planes did not route to every pod in 120 s\n");
    return 1;
  }
  const std::vector<Ipv4Endpoint> watched = watched_listeners();

  struct Flip {
    int pod = 0;
    bool ready = false;
    runtime::Time at{};
  };
  std::vector<Flip> flips;
  std::vector<bool> ready(static_cast<std::size_t>(flags.pods), true);
  runtime::Time next = clock.now();
  for (int i = 0; i < flags.changes; ++i) {
    live::poll_until([&] { return clock.now() >= next; }, std::chrono::seconds(10));
    const int index = i % flags.pods;
    const bool now_ready = !ready[static_cast<std::size_t>(index)];
    Result<store::ObjectPtr> current =
        store.get({"Pod", "default", fmt::format("bench-{}", index)});
    NODROP_CHECK(current.is_ok());
    api::Pod changed = std::get<api::Pod>(**current);
    set_ready(changed, now_ready, clock.wall_now());
    const runtime::Time at = clock.now();
    NODROP_CHECK(store.update_status(changed).is_ok());
    ready[static_cast<std::size_t>(index)] = now_ready;
    flips.push_back({index, now_ready, at});
    next += flags.interval;
  }
  std::vector<double> latencies_ms;
  std::vector<double> removals_ms;  // the flips to not ready: what the drain gate waits for
  for (const Flip& flip : flips) {
    std::optional<runtime::Time> last;
    const bool done = live::poll_until(
        [&] {
          runtime::Time latest{};
          for (const Ipv4Endpoint& listener : watched) {
            const auto at = journal.agreed(listener, addresses[static_cast<std::size_t>(flip.pod)],
                                           flip.ready, flip.at);
            if (!at) return false;
            latest = std::max(latest, *at);
          }
          last = latest;
          return true;
        },
        std::chrono::seconds(60));
    if (!done) {
      std::fprintf(stderr, "propagation: a change of bench-%d did not reach every data plane\n",
                   flip.pod);
      return 1;
    }
    const double ms = std::chrono::duration<double, std::milli>(*last - flip.at).count();
    latencies_ms.push_back(ms);
    if (!flip.ready) removals_ms.push_back(ms);
  }
  const auto print = [&](const char* what, std::vector<double>& values) {
    if (values.empty()) return;
    std::sort(values.begin(), values.end());
    const auto percentile = [&](double p) {
      return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
    };
    std::printf(
        "%-10s  time scale %-5g  %-8s %5zu  data planes %zu  store %-6s  p50 %9.3f ms  p99 %9.3f "
        "ms  "
        "max %9.3f ms\n",
        server::profile_name(flags.profile), flags.time_scale, what, values.size(), watched.size(),
        flags.database.empty() ? "memory" : "sqlite", percentile(0.5), percentile(0.99),
        values.back());
  };
  print("changes", latencies_ms);
  print("removals", removals_ms);
  loop.stop();
  return 0;
}

}  // namespace
}  // namespace nodrop

int main(int argc, char** argv) {
  using namespace nodrop;
  Flags flags;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "propagation: %s needs a value\n", flag.c_str());
        std::exit(2);
      }
      return args[++i];
    };
    if (flag == "--profile") {
      Result<server::Profile> profile = server::parse_profile(value());
      if (!profile.is_ok()) {
        std::fprintf(stderr, "propagation: --profile: %s\n", profile.status().message().c_str());
        return 2;
      }
      flags.profile = *profile;
    } else if (flag == "--database") {
      flags.database = value();
    } else if (flag == "--time-scale") {
      flags.time_scale = std::stod(value());
    } else if (flag == "--changes") {
      flags.changes = std::stoi(value());
    } else if (flag == "--pods") {
      flags.pods = std::clamp(std::stoi(value()), 1, 250);
    } else if (flag == "--interval") {
      Result<runtime::Duration> interval = parse_duration(value(), true);
      if (!interval.is_ok()) {
        std::fprintf(stderr, "propagation: --interval: %s\n", interval.status().message().c_str());
        return 2;
      }
      flags.interval = *interval;
    } else {
      std::fprintf(stderr, "propagation: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  return run(flags);
}
