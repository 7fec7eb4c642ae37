// nodrop demo [--quick] [--out DIR] [--examples DIR]
//
// The seed article's argument acted out by real processes under real traffic. For each scenario
// a cluster starts on a temporary data dir, the scenario's manifests (examples/losses) are applied,
// 200 requests/s (a new connection each) go through the Service's front load balancer, and the
// Deployment rolls from demo-app:v1 to demo-app:v2:
//
//   1  profile kubernetes, the naive manifests: requests lost (Cluster, Local, ENI)
//   2  profile kubernetes, the usual fixes (readiness probe, preStop sleep and grace period; the
//      in-place surge for Local; connection draining for ENI): none lost, and the time they cost
//   3  profile nodrop, the naive manifests again: none lost, as fast as the pods allow
//
// It prints one table (every figure measured in this run) and writes a self-contained HTML
// report: the table, a timeline per scenario with the rollout's events on it, the manifests.
// --quick runs the Cluster mode of each scenario only. Ctrl-C stops the scenario running, shuts
// its cluster down (every pod process ends) and exits 130.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/flags.h"
#include "base/strings.h"
#include "base/time.h"
#include "cli/verbs_list.h"
#include "live/processes/termination_signals.h"
#include "live/terminal.h"
#include "manifest/load.h"
#include "server/rollout_scenario.h"
#include "traffic/outcome.h"

namespace nodrop::cli {
namespace {

namespace fs = std::filesystem;
using server::Profile;

constexpr const char* kUsage =
    "Usage: nodrop demo [--quick] [--out DIR] [--examples DIR]\n"
    "\n"
    "Rolls a Deployment under load in nine scenarios and shows what each loses: the kubernetes\n"
    "profile with naive manifests, then with the usual fixes, then the nodrop profile with the\n"
    "naive manifests, in each of the Service modes Cluster, Local and ENI.\n"
    "  --quick          the Cluster mode of each scenario only (about half a minute)\n"
    "  --out DIR        where the HTML report goes (default ./nodrop-demo; index.html)\n"
    "  --examples DIR   the manifests (default ./examples, as in the source tree)\n"
    "Traffic stays on this machine's loopback addresses 127.0.200.0 to 127.0.208.255 and\n"
    "127.0.132.1-8. Ctrl-C stops cleanly.\n";

constexpr const char* kClients = "127.0.132.1-127.0.132.8";
constexpr double kTimeScale = 0.25;
constexpr int kFirstBlock = 200;

struct Scenario {
  int number;
  Profile profile;
  const char* mode;
  const char* deployment;
  const char* service;
  bool real_time_health_checks;  // the Local balancer's checks every 2 s of real time (3 in a row)
  const char* what_you_see;
};

const Scenario kScenarios[] = {
    {1, Profile::kKubernetes, "Cluster", "naive.yaml", "service-cluster.yaml", false,
     "No readiness probe: each new pod is Ready once started, a second before it listens, and the "
     "node proxies send it connections it refuses. No preStop hook: each old pod gets SIGTERM as "
     "soon as it is deleted and exits while the node proxies still route to it. Both show as "
     "resets (the refusal, passed on through the L4 hops)."},
    {1, Profile::kKubernetes, "Local", "naive-local.yaml", "service-local.yaml", true,
     "The same two races, through node proxies that keep the client's address. (The third "
     "Local loss, a node left without a ready pod that the balancer still sends to until its "
     "health checks fail, shows as timeouts when pods leave a node one at a time: "
     "examples/losses/3-local-one-per-node.yaml in the loss scenarios.)"},
    {1, Profile::kKubernetes, "ENI", "naive.yaml", "service-eni.yaml", false,
     "The load balancer sends to the pods themselves, learning of changes after its API latency: "
     "new pods get connections before they listen, old ones after they exited."},
    {2, Profile::kKubernetes, "Cluster", "fixed-quarter.yaml", "service-cluster.yaml", false,
     "A readiness probe keeps each new pod out until it listens; a preStop sleep longer than the "
     "propagation delays keeps each old pod serving until every node proxy dropped it. Nothing is "
     "lost; the rollout lasts as long as the guesses."},
    {2, Profile::kKubernetes, "Local", "fixed-quarter-local.yaml", "service-local.yaml", true,
     "The in-place surge: a new pod first, on the node of the old pod it replaces, so no node is "
     "ever left without a ready pod while the load balancer still sends to it."},
    {2, Profile::kKubernetes, "ENI", "fixed-quarter.yaml", "service-eni-drain.yaml", false,
     "Readiness probe, preStop sleep and connection draining: the balancer lets what is in flight "
     "on a removed pod finish instead of cutting it."},
    {3, Profile::kNodrop, "Cluster", "naive.yaml", "service-cluster.yaml", false,
     "The naive manifests of scenario 1. A new pod is Ready once its port listens; an old pod is "
     "signalled only once every node proxy and the load balancer acknowledged its removal and its "
     "requests finished (RemovedFromRotation, Drained). Nothing is lost, with no guessed delay."},
    {3, Profile::kNodrop, "Local", "naive-local.yaml", "service-local.yaml", false,
     "In Local mode the gate also waits for the load balancer to drop a node that is losing its "
     "last pod (its health check fails at once), so no node swallows traffic."},
    {3, Profile::kNodrop, "ENI", "naive.yaml", "service-eni.yaml", false,
     "The balancer routes to the pods and is one more hop the gate waits for; it moves requests, "
     "not connections, off a leaving pod."},
};

struct Row {
  const Scenario* scenario = nullptr;
  server::RolloutOutcome outcome;
  std::string addresses;  // "clients" or "nodes (SNAT)"
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string failure_classes(const traffic::Recorder& recorder) {
  std::string text;
  for (const traffic::Outcome each : traffic::kAllOutcomes) {
    if (each == traffic::Outcome::kOk || recorder.count(each) == 0) continue;
    text += fmt::format("{}{}={}", text.empty() ? "" : " ", traffic::outcome_name(each),
                        recorder.count(each));
  }
  return text.empty() ? "-" : text;
}

bool in_range(const std::string& address, const AddressRange& range) {
  Result<Ipv4Address> ip = parse_ipv4_address(address);
  return ip.is_ok() && ip->value >= range.first && ip->value <= range.last;
}

// Who the app saw as its clients: the clients themselves, or the nodes (kube-proxy's SNAT).
std::string seen(const std::set<std::string>& addresses, const server::ClusterConfig& config) {
  const AddressRange clients = parse_address_range(kClients).value();
  bool client = false;
  bool node = false;
  for (const std::string& address : addresses) {
    client |= in_range(address, clients);
    node |= in_range(address, config.node_addresses);
  }
  if (client && node) return "clients and nodes";
  if (client) return "clients";
  if (node) return "nodes (SNAT)";
  return "-";
}

std::string table_header() {
  return fmt::format("{:<3} {:<10} {:<8} {:>8} {:>7}  {:<28} {:>9} {:>9}  {}\n", "#", "profile",
                     "mode", "requests", "failed", "failed by class", "rollout", "complete",
                     "app saw");
}

std::string table_line(const Row& row) {
  const traffic::Recorder& recorder = row.outcome.report.recorder;
  return fmt::format(
      "{:<3} {:<10} {:<8} {:>8} {:>7}  {:<28} {:>7.1f} s {:>7.1f} s  {}\n", row.scenario->number,
      server::profile_name(row.scenario->profile), row.scenario->mode, recorder.total(),
      recorder.failures(), failure_classes(recorder),
      std::chrono::duration<double>(row.outcome.rollout).count(),
      std::chrono::duration<double>(row.outcome.completes.empty() ? runtime::Duration::zero()
                                                                  : row.outcome.completes[0])
          .count(),
      row.addresses);
}

std::string table(const std::vector<Row>& rows) {
  std::string text = table_header();
  for (const Row& row : rows) text += table_line(row);
  return text;
}

// The events worth drawing on the timeline, as marks: the rollout's steps and each pod's.
bool drawn(const api::Event& event) {
  static const char* const kReasons[] = {"ScalingReplicaSet",   "Started",        "Killing",
                                         "RemovedFromRotation", "Drained",        "DrainTimeout",
                                         "EndpointsApplied",    "BackendsApplied"};
  return std::any_of(std::begin(kReasons), std::end(kReasons),
                     [&](const char* reason) { return event.reason == reason; });
}

WallTime event_time(const api::Event& event) {
  return event.event_time.value_or(event.last_timestamp.value_or(WallTime{}));
}

// The timeline with the events on it, and the events as a list.
std::string scenario_html(const Row& row, const fs::path& examples) {
  const server::RolloutOutcome& outcome = row.outcome;
  traffic::Report report = outcome.report;
  std::vector<api::Event> events = outcome.events;
  std::sort(events.begin(), events.end(),
            [](const api::Event& a, const api::Event& b) { return event_time(a) < event_time(b); });
  std::string list;
  for (const api::Event& event : events) {
    const auto since = event_time(event) - report.started_wall;
    if (since < runtime::Duration::zero()) continue;  // before the load started
    const double seconds = std::chrono::duration<double>(since).count();
    if (drawn(event)) {
      std::string label = event.reason;
      if (event.involved_object.kind == "Pod") {
        const std::string& name = event.involved_object.name;
        label += " " + name.substr(name.size() > 5 ? name.size() - 5 : 0);
      } else if (event.source.host.size() > 0) {
        label += " " + event.source.host;
      }
      report.recorder.mark(report.recorder.start() + since, label);
    }
    list += fmt::format("<tr><td>{:.3f} s</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>\n", seconds,
                        xml_escape(event.reason), xml_escape(event.involved_object.kind),
                        xml_escape(event.involved_object.name), xml_escape(event.message));
  }
  const Scenario& scenario = *row.scenario;
  std::string html = fmt::format(
      "<h2>Scenario {}: profile {}, {} mode</h2>\n<p>{}</p>\n<p>Measured: {} requests, {} failed "
      "({}); rollout {:.1f} s from the change to the last old pod gone.</p>\n",
      scenario.number, server::profile_name(scenario.profile), scenario.mode,
      xml_escape(scenario.what_you_see), report.recorder.total(), report.recorder.failures(),
      xml_escape(failure_classes(report.recorder)),
      std::chrono::duration<double>(outcome.rollout).count());
  html += "<div class=\"timeline\">" + traffic::timeline_svg(report) + "</div>\n";
  html += "<details><summary>Events</summary><table class=\"events\">\n" + list +
          "</table></details>\n";
  for (const char* file : {scenario.deployment, scenario.service}) {
    html += fmt::format("<details><summary>examples/losses/{}</summary><pre>{}</pre></details>\n",
                        file, xml_escape(read_file(examples / "losses" / file)));
  }
  return html;
}

Status write_report(const fs::path& out, const std::vector<Row>& rows, const fs::path& examples,
                    bool interrupted) {
  std::error_code error;
  fs::create_directories(out, error);
  if (error)
    return Status(StatusCode::kIoError, fmt::format("{}: {}", out.string(), error.message()));
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>nodrop demo</title>\n"
      "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
      "pre{background:#f4f4f4;padding:.5em;overflow:auto}"
      "table.events td{padding:0 .6em;font-size:13px;vertical-align:top}"
      "pre.table{font-size:13px}.timeline svg{max-width:100%;height:auto}</style>\n"
      "</head><body>\n<h1>nodrop demo: a rolling update, nine ways</h1>\n"
      "<p>Each scenario is a real cluster on this machine: pods are processes on their own "
      "loopback addresses, the node proxies and the front load balancer are real proxies, and "
      "200 requests per second (a new connection each) go through the load balancer while the "
      "Deployment rolls from demo-app:v1 to demo-app:v2. The kubernetes profile runs Kubernetes' "
      "delays at a quarter of their real length (endpoint publication 50 ms, node-proxy sync "
      "250 ms, load balancer API 750 ms). In the timelines, blue is answered requests per 100 ms, "
      "red failed ones; dashed lines are the cluster's events.</p>\n";
  if (interrupted)
    html += "<p><b>Interrupted: the scenarios below are those that finished.</b></p>\n";
  html += "<pre class=\"table\">" + xml_escape(table(rows)) + "</pre>\n";
  for (const Row& row : rows) html += scenario_html(row, examples);
  html += "</body></html>\n";
  std::ofstream file(out / "index.html");
  file << html;
  file.close();
  if (!file) return Status(StatusCode::kIoError, (out / "index.html").string() + ": cannot write");
  return Status::ok();
}

}  // namespace

int run_demo(const Args& args, std::ostream& out, std::ostream& err) {
  bool quick = false;
  fs::path out_dir = "nodrop-demo";
  fs::path examples = "examples";
  FlagReader flags(args);
  const auto fail = [&](const Status& status) {
    err << "nodrop demo: " << status.message() << "\n" << kUsage;
    return kExitUsage;
  };
  while (flags.next()) {
    if (!flags.at_flag()) return fail(invalid_argument("unexpected argument " + flags.argument()));
    if (flags.is("-h", "--help")) {
      out << kUsage;
      return kExitOk;
    }
    if (flags.is("--quick")) {
      quick = true;
    } else if (flags.is("--out")) {
      Result<std::string> dir = flags.value();
      if (!dir) return fail(dir.status());
      out_dir = *dir;
    } else if (flags.is("--examples")) {
      Result<std::string> dir = flags.value();
      if (!dir) return fail(dir.status());
      examples = *dir;
    } else {
      return fail(flags.unknown());
    }
  }
  std::error_code missing;
  if (!fs::exists(examples / "losses" / "naive.yaml", missing)) {
    err << "nodrop demo: no manifests at " << (examples / "losses").string()
        << " (run it from the source tree, or pass --examples DIR)\n";
    return kExitUsage;
  }
  // Before any thread starts: Ctrl-C is read from a signalfd between steps, not taken by a handler.
  Result<live::TerminationSignals> signals = live::TerminationSignals::block();
  if (!signals.is_ok()) {
    err << "nodrop demo: " << signals.status().message() << "\n";
    return kExitFailure;
  }
  bool interrupted = false;
  const bool terminal = live::is_terminal(2);

  std::vector<const Scenario*> chosen;
  for (const Scenario& scenario : kScenarios) {
    if (!quick || std::string(scenario.mode) == "Cluster") chosen.push_back(&scenario);
  }
  std::vector<Row> rows;
  int block = kFirstBlock;
  for (std::size_t i = 0; i < chosen.size() && !interrupted; ++i) {
    const Scenario& scenario = *chosen[i];
    const std::string name = fmt::format("scenario {} of {}: {} {}, {} + {}", i + 1, chosen.size(),
                                         server::profile_name(scenario.profile), scenario.mode,
                                         scenario.deployment, scenario.service);
    const fs::path data_dir =
        fs::temp_directory_path() / fmt::format("nodrop-demo-{}-{}", live::own_pid(), block);
    server::RolloutScenario run;
    run.config = server::scenario_cluster_config(block++, data_dir.string(), "");
    run.config.profile = scenario.profile;
    run.config.kubernetes.time_scale = kTimeScale;
    if (scenario.real_time_health_checks) {
      run.config.kubernetes.health_check_interval =
          std::chrono::milliseconds(static_cast<std::int64_t>(2000 / kTimeScale));
    }
    for (const char* file : {scenario.deployment, scenario.service}) {
      const manifest::LoadResult loaded =
          manifest::load_manifest_file((examples / "losses" / file).string(), {});
      if (loaded.objects.empty()) {
        err << "nodrop demo: " << (examples / "losses" / file).string() << ": no object read\n";
        return kExitUsage;
      }
      for (const manifest::LoadedObject& object : loaded.objects) {
        run.objects.push_back(object.object);
      }
    }
    api::Object changed = run.objects.front();
    std::get<api::Deployment>(changed).spec.template_spec.spec.containers[0].image = "demo-app:v2";
    run.changes = {{changed}};
    run.deployment = "web";
    run.service = "web";
    if (!live::running_as_root()) {
      // Port 80 needs root (or a lowered ip_unprivileged_port_start).
      std::get<api::Service>(run.objects.back()).spec.ports[0].port = 8080;
    }
    run.load.rate_per_second = 200;
    run.load.connections = 32;
    run.load.mode = traffic::ConnectionMode::kNewConnection;
    run.load.timeout = std::chrono::seconds(1);
    run.load.sources = parse_address_range(kClients).value();
    run.settle = std::chrono::seconds(2);  // long enough to show the recovery after a loss
    run.deadline = std::chrono::seconds(120);
    run.progress = [&](const std::string& step) {
      if (terminal) err << "\r\033[K" << name << ": " << step << std::flush;
    };
    run.cancelled = [&] {
      if (signals->take() != 0) interrupted = true;
      return interrupted;
    };
    if (!terminal) err << name << "\n";
    Result<server::RolloutOutcome> outcome = server::run_rollout_scenario(run);
    std::error_code ignored;
    fs::remove_all(data_dir, ignored);
    if (terminal) err << "\r\033[K";
    if (!outcome.is_ok()) {
      if (interrupted) break;
      err << "nodrop demo: " << name << ": " << outcome.status().message() << "\n";
      return kExitFailure;
    }
    Row row{.scenario = &scenario, .outcome = std::move(outcome).value(), .addresses = {}};
    row.addresses = seen(row.outcome.client_addresses, run.config);
    rows.push_back(std::move(row));
    if (terminal) err << table_line(rows.back()) << std::flush;
  }
  // A Ctrl-C that came while the last scenario's load settled or its cluster stopped, when nothing
  // polled for it, still ends the run as interrupted.
  if (!interrupted && signals->take() != 0) interrupted = true;

  out << "\n" << table(rows);
  if (Status written = write_report(out_dir, rows, examples, interrupted); !written.is_ok()) {
    err << "nodrop demo: " << written.message() << "\n";
    return kExitFailure;
  }
  out << "\nreport: " << (out_dir / "index.html").string() << "\n";
  if (interrupted) {
    err << "nodrop demo: interrupted; every pod was stopped\n";
    return 130;
  }
  return kExitOk;
}

}  // namespace nodrop::cli
