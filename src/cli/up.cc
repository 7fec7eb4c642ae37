// nodrop up [-f FILE|DIR]... [--nodes N] [--config FILE] [--data-dir DIR]
//
// Runs the cluster in the foreground: prints one line when it is ready (its nodes and addresses,
// the data dir), every event as a line on stderr, applies the -f manifests at start and again on
// SIGHUP (a changed pod template starts a rollout, as `kubectl apply` does), and on SIGINT or
// SIGTERM stops every node as a node shutdown does (each pod terminated gracefully, in parallel,
// within its grace period) and exits 0. A second SIGINT or SIGTERM stops at once.
#include <cstdlib>
#include <iostream>

#include "base/flags.h"
#include "cli/manifest_inputs.h"
#include "cli/verbs_list.h"
#include "live/processes/termination_signals.h"
#include "manifest/load.h"
#include "server/kubernetes_api.h"
#include "server/live_cluster.h"

namespace nodrop::cli {
namespace {

constexpr const char* kUsage =
    "Usage: nodrop up [-f FILE|DIR]... [--nodes N] [--profile P] [--config FILE]\n"
    "                 [--data-dir DIR] [--api-listen ADDR:PORT]\n"
    "\n"
    "Runs a cluster of N virtual nodes on this machine's loopback addresses, in the foreground.\n"
    "  -f, --filename PATH  manifests to apply at start, and again on SIGHUP (edit a file, send\n"
    "                       SIGHUP, and a changed pod template rolls out); a directory stands\n"
    "                       for the *.yaml, *.yml and *.json files below it\n"
    "  --nodes N            virtual nodes (default 3, or the configuration's)\n"
    "  --profile P          nodrop (default): every hop learns of a change at once and a\n"
    "                       deleted pod is signalled only once no hop routes to it and its\n"
    "                       requests finished; a container without a readiness probe is Ready\n"
    "                       once its declared ports listen. kubernetes: Kubernetes' behaviour\n"
    "                       and timing (every hop learns of a change after its own delay, from\n"
    "                       the configuration; Ready once started), to reproduce its losses\n"
    "  --config FILE        a ClusterConfiguration (nodes, address ranges, data dir)\n"
    "  --data-dir DIR       where the cluster keeps its state and the pods' logs (default\n"
    "                       $XDG_STATE_HOME/nodrop, else ~/.local/state/nodrop; owner-only)\n"
    "  --api-listen A:P     where the Kubernetes API listens (HTTPS; default 127.0.0.1:6443);\n"
    "                       its kubeconfig is DATA/kubeconfig (export KUBECONFIG=... and kubectl\n"
    "                       drives the cluster)\n"
    "SIGINT or SIGTERM stops every pod gracefully and exits; a second one stops at once.\n"
    "Every pod process runs on this machine, listening on its own 127.x address ($(POD_IP)).\n"
    "Every Service is served on its clusterIP (127.0.5.x by default) at each of its ports, and\n"
    "a pod gets Kubernetes' Service variables (BACKEND_SERVICE_HOST, BACKEND_SERVICE_PORT, ...)\n"
    "for the Services of its namespace that exist when it starts. Cluster DNS is not served:\n"
    "a Service name does not resolve; use the variables (or the clusterIP).\n"
    "Refused at apply, naming the field: hostNetwork, hostPort, privileged, IPv6-only\n"
    "ipFamilies, volumes other than emptyDir, configMap and secret.\n";

std::string event_line(const api::Event& event) {
  const WallTime when = event.event_time.value_or(event.last_timestamp.value_or(WallTime{}));
  std::string time = format_rfc3339_micro(when);  // ...T10:00:01.123456Z
  const auto t = time.find('T');
  time = time.substr(t + 1, 12);  // 10:00:01.123
  std::string kind = event.involved_object.kind;
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string line = time + "  " + api::event_type_name(event.type) + "  " + event.reason + "  " +
                     kind + "/" + event.involved_object.name + ": " + event.message;
  if (event.count > 1) line += " (x" + std::to_string(event.count) + ")";
  return line;
}

// Reads and applies every -f file; prints what happened to each object, kubectl's way.
void apply_files(server::Cluster& cluster, const std::vector<std::string>& files, std::ostream& out,
                 std::ostream& err) {
  for (const std::string& file : files) {
    const manifest::LoadResult loaded = manifest::load_manifest_file(file, {});
    for (const manifest::Diagnostic& diagnostic : loaded.diagnostics) {
      err << diagnostic.to_string() << "\n";
    }
    for (const manifest::LoadedObject& object : loaded.objects) {
      std::string kind = api::kind_of(object.object);
      for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const std::string group = api::qualified_resource_of_kind(api::kind_of(object.object));
      const auto dot = group.find('.');
      const std::string name = kind + (dot == std::string::npos ? "" : group.substr(dot)) + "/" +
                               api::metadata_of(object.object).name;
      Result<server::ApplyOutcome> applied = cluster.apply(object.object);
      if (applied) {
        out << name << " " << server::apply_outcome_name(*applied) << std::endl;
      } else {
        err << object.file << ": " << api::describe(object.object) << ": "
            << applied.status().message() << "\n";
      }
    }
  }
}

}  // namespace

int run_up(const Args& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files;
  std::string config_path;
  std::string data_dir;
  std::optional<std::int64_t> nodes;
  std::optional<server::Profile> profile;
  server::KubernetesApiOptions api_options;
  FlagReader flags(args);
  const auto fail = [&](const Status& status) {
    err << "nodrop up: " << status.message() << "\n" << kUsage;
    return kExitUsage;
  };
  while (flags.next()) {
    if (!flags.at_flag()) return fail(invalid_argument("unexpected argument " + flags.argument()));
    if (flags.is("-h", "--help")) {
      out << kUsage;
      return kExitOk;
    }
    Status status;
    if (flags.is("-f", "--filename")) {
      Result<std::string> file = flags.value();
      if (file) files.push_back(*file);
      status = file.status();
    } else if (flags.is("--config")) {
      Result<std::string> file = flags.value();
      if (file) config_path = *file;
      status = file.status();
    } else if (flags.is("--data-dir")) {
      Result<std::string> dir = flags.value();
      if (dir) data_dir = *dir;
      status = dir.status();
    } else if (flags.is("--api-listen")) {
      Result<Ipv4Endpoint> endpoint = flags.parsed(parse_ipv4_endpoint);
      if (endpoint) api_options.listen = *endpoint;
      status = endpoint.status();
    } else if (flags.is("--profile")) {
      Result<server::Profile> chosen = flags.parsed(server::parse_profile);
      if (chosen) profile = *chosen;
      status = chosen.status();
    } else if (flags.is("--nodes")) {
      Result<std::int64_t> count = flags.count(1, server::ClusterConfig::kMaxNodes);
      if (count) nodes = *count;
      status = count.status();
    } else {
      status = flags.unknown();
    }
    if (!status.is_ok()) return fail(status);
  }

  // The configuration: refused whole, before anything starts, if any of it is wrong.
  server::ClusterConfig config = server::ClusterConfig::defaults();
  if (!config_path.empty()) {
    server::ConfigResult loaded = server::load_cluster_config(config_path);
    if (!loaded.ok()) {
      for (const manifest::Diagnostic& diagnostic : loaded.diagnostics) {
        err << diagnostic.to_string() << "\n";
      }
      err << "nodrop up: the configuration has errors; nothing was started\n";
      return kExitUsage;
    }
    config = loaded.config;
  }
  if (nodes) config.nodes = static_cast<int>(*nodes);
  if (profile) config.profile = *profile;
  if (!data_dir.empty()) config.data_dir = data_dir;
  if (config.data_dir.empty()) {
    const char* state = std::getenv("XDG_STATE_HOME");
    const char* home = std::getenv("HOME");
    config.data_dir = server::default_data_dir(state ? state : "", home ? home : "");
  }
  if (config.data_dir.empty()) {
    return fail(invalid_argument("no data dir: set --data-dir, XDG_STATE_HOME or HOME"));
  }
  if (const auto problems = server::validate_cluster_config(config); !problems.empty()) {
    for (const std::string& problem : problems) err << "nodrop up: " << problem << "\n";
    return kExitUsage;
  }

  // Signals are blocked before any thread starts, so that every thread inherits the mask.
  Result<live::TerminationSignals> signals = live::TerminationSignals::block(true);
  if (!signals) {
    err << "nodrop up: " << signals.status().message() << "\n";
    return kExitFailure;
  }
  Result<std::unique_ptr<server::LiveCluster>> created = server::LiveCluster::create(config);
  if (!created) {
    err << "nodrop up: " << created.status().message() << "\n";
    return kExitFailure;
  }
  server::LiveCluster& live = **created;
  if (Status started = live.start(); !started.is_ok()) {
    err << "nodrop up: " << started.message() << "\n";
    return kExitFailure;
  }
  // Every event as a line on stderr, as it is stored; those of an earlier run (restored from the
  // data dir) are not printed again.
  const store::ResourceVersion restored = live.cluster().restored_version();
  store::Informer events(live.store(),
                         [&live](std::function<void()> task) { live.post(std::move(task)); },
                         {.kind = "Event"});
  events.add_handlers({.on_add =
                           [&err, restored](const store::ObjectPtr& event) {
                             const std::string& version = api::metadata_of(*event).resource_version;
                             if (std::stoull(version) <= restored) return;
                             err << event_line(std::get<api::Event>(*event)) << std::endl;
                           },
                       .on_update =
                           [&err](const store::ObjectPtr&, const store::ObjectPtr& event) {
                             err << event_line(std::get<api::Event>(*event)) << std::endl;
                           }});
  (void)events.start();

  Result<std::unique_ptr<server::KubernetesApi>> api =
      server::KubernetesApi::start(live, api_options);
  if (!api) {
    err << "nodrop up: " << api.status().message() << "\n";
    return kExitFailure;
  }

  const server::ClusterConfig& running = live.cluster().config();
  out << "nodrop: cluster ready: " << running.nodes << (running.nodes == 1 ? " node " : " nodes ")
      << live.cluster().node_address(0) << "-" << live.cluster().node_address(running.nodes - 1)
      << ", pods on " << running.pod_addresses.to_string() << ", data dir " << live.data_dir()
      << ", Kubernetes API on https://" << (*api)->endpoint().to_string() << std::endl;
  out << "export KUBECONFIG=" << (*api)->kubeconfig_path() << std::endl;
  apply_files(live.cluster(), files, out, err);

  bool stopping = false;
  const live::WatchId watch = live.loop().watch(signals->fd(), live::kReadable, [&](std::uint32_t) {
    const live::PendingSignals pending = signals->take_all();
    if (pending.terminate) {
      if (stopping) {
        err << "nodrop: stopping now" << std::endl;
        live.stop();
        return;
      }
      stopping = true;
      out << "nodrop: shutting down: stopping every pod gracefully" << std::endl;
      live.shut_down();
      return;
    }
    if (pending.hangup && !stopping) {
      out << "nodrop: SIGHUP: applying the manifests again" << std::endl;
      apply_files(live.cluster(), files, out, err);
    }
  });
  live.run();
  (*api)->stop();
  live.loop().unwatch(watch);
  out << "nodrop: stopped" << std::endl;
  return kExitOk;
}

}  // namespace nodrop::cli
