// nodrop rollout status deploy/NAME [--timeout D] [--watch=false]
// nodrop rollout restart|pause|resume deploy/NAME...
// nodrop rollout history deploy/NAME
// nodrop rollout undo deploy/NAME [--to-revision N]
//
// kubectl's `rollout` for Deployments. status follows the rollout with kubectl's messages
// (rollout_status.h), each printed when it changes, until it finishes (exit 0), fails
// (ProgressDeadlineExceeded, exit 1) or the timeout passes (exit 1). It asks the API twice a
// second rather than watching: a handful of small requests on loopback, and no stream to bound.
// restart stamps the pod template with kubectl's restartedAt annotation, which rolls the pods;
// pause and resume set spec.paused; history and undo read the revisions of the ReplicaSets the
// Deployment owns (rollout_history.h).
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "apiserver/json.h"
#include "base/time.h"
#include "cli/api_client.h"
#include "cli/kind_and_names.h"
#include "cli/rollout_history.h"
#include "cli/rollout_status.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"
#include "live/loop/system_clock.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kUsage[] =
    "Usage: nodrop rollout status deploy/NAME [--timeout D] [--watch=false] [flags]\n"
    "       nodrop rollout restart|pause|resume deploy/NAME... [flags]\n"
    "       nodrop rollout history deploy/NAME [flags]\n"
    "       nodrop rollout undo deploy/NAME [--to-revision N] [flags]\n"
    "\n"
    "status: follows a Deployment's rollout until it finishes, fails or the timeout passes.\n"
    "restart: rolls every pod of the Deployments to new ones.\n"
    "pause, resume: stop and restart rolling out changes of the pod template.\n"
    "history: the Deployment's revisions. undo: back to the previous revision, or to N.\n"
    "\n"
    "  --timeout D             stop waiting after D (10s, 2m; default: no limit)\n"
    "  -w, --watch BOOL        false: print where the rollout stands once and exit\n"
    "  --to-revision N         the revision undo goes back to (default: the previous one)\n";

constexpr runtime::Duration kPollInterval = std::chrono::milliseconds(500);

int run_status(ApiClient& client, const NamedObject& object,
               std::optional<std::chrono::nanoseconds> timeout, bool watch, std::ostream& out,
               std::ostream& err) {
  const std::string path = object_path(*object.resource, client.namespace_name(), object.name);
  live::SystemClock clock;
  const runtime::Time start = clock.now();
  std::string last;
  while (true) {
    Result<Node> deployment = client.request_json("GET", path);
    if (!deployment) return report_failure(err, deployment.status());
    const RolloutState state = deployment_rollout_state(*deployment);
    if (state.phase == RolloutState::Phase::kFailed) {
      err << "error: " << state.message << "\n";
      return kExitFailure;
    }
    if (state.message != last) {
      out << state.message << std::endl;
      last = state.message;
    }
    if (state.phase == RolloutState::Phase::kDone || !watch) return kExitOk;
    if (timeout && clock.now() - start + kPollInterval > *timeout) {
      err << "error: timed out waiting for the condition\n";
      return kExitFailure;
    }
    live::pause_thread(kPollInterval);
  }
}

int run_restart(ApiClient& client, const NamedObject& object, std::ostream& out,
                std::ostream& err) {
  live::SystemClock clock;
  Node annotations = Node::mapping();
  annotations.set("kubectl.kubernetes.io/restartedAt",
                  Node::string(format_rfc3339(clock.wall_now())));
  Node metadata = Node::mapping();
  metadata.set("annotations", std::move(annotations));
  Node template_node = Node::mapping();
  template_node.set("metadata", std::move(metadata));
  Node spec = Node::mapping();
  spec.set("template", std::move(template_node));
  Node patch = Node::mapping();
  patch.set("spec", std::move(spec));
  Result<ApiResponse> patched =
      client.request("PATCH", object_path(*object.resource, client.namespace_name(), object.name),
                     apiserver::to_json(patch), "application/strategic-merge-patch+json");
  if (!patched) return report_failure(err, patched.status());
  out << output_name(*object.resource) << "/" << object.name << " restarted\n";
  return kExitOk;
}

// pause or resume: spec.paused set, unless it is already (kubectl's error then).
int run_pause(ApiClient& client, const NamedObject& object, bool pause, std::ostream& out,
              std::ostream& err) {
  const std::string path = object_path(*object.resource, client.namespace_name(), object.name);
  Result<Node> deployment = client.request_json("GET", path);
  if (!deployment) return report_failure(err, deployment.status());
  const Node* spec = deployment->find("spec");
  const Node* paused = spec != nullptr && spec->is_mapping() ? spec->find("paused") : nullptr;
  if ((paused != nullptr && paused->bool_value()) == pause) {
    err << "error: " << object.resource->qualified() << " \"" << object.name << "\" is "
        << (pause ? "already paused" : "not paused") << "\n";
    return kExitFailure;
  }
  Result<ApiResponse> patched = client.request(
      "PATCH", path, pause ? R"({"spec":{"paused":true}})" : R"({"spec":{"paused":null}})",
      "application/strategic-merge-patch+json");
  if (!patched) return report_failure(err, patched.status());
  out << output_name(*object.resource) << "/" << object.name << (pause ? " paused" : " resumed")
      << "\n";
  return kExitOk;
}

// The Deployment and the revisions of the ReplicaSets it owns.
struct History {
  Node deployment;
  Node replica_sets;
};

Result<History> history_of(ApiClient& client, const NamedObject& object) {
  Result<Node> deployment = client.request_json(
      "GET", object_path(*object.resource, client.namespace_name(), object.name));
  if (!deployment) return deployment.status();
  const apiserver::Resource* replica_sets = resource_named("replicasets.apps");
  Result<Node> list =
      client.request_json("GET", collection_path(*replica_sets, client.namespace_name()));
  if (!list) return list.status();
  return History{std::move(deployment).value(), std::move(list).value()};
}

int run_history(ApiClient& client, const NamedObject& object, std::ostream& out,
                std::ostream& err) {
  Result<History> history = history_of(client, object);
  if (!history) return report_failure(err, history.status());
  out << history_text(output_name(*object.resource) + "/" + object.name,
                      revisions_of(history->deployment, history->replica_sets));
  return kExitOk;
}

int run_undo(ApiClient& client, const NamedObject& object, std::int64_t to_revision,
             std::ostream& out, std::ostream& err) {
  Result<History> history = history_of(client, object);
  if (!history) return report_failure(err, history.status());
  Result<UndoPlan> plan = plan_undo(
      history->deployment, revisions_of(history->deployment, history->replica_sets), to_revision);
  if (!plan) return report_failure(err, plan.status());
  const std::string shown = output_name(*object.resource) + "/" + object.name;
  if (!plan->patch) {
    out << shown << " skipped rollback (current template already matches revision "
        << plan->revision << ")\n";
    return kExitOk;
  }
  Result<ApiResponse> patched =
      client.request("PATCH", object_path(*object.resource, client.namespace_name(), object.name),
                     apiserver::to_json(*plan->patch), "application/json-patch+json");
  if (!patched) return report_failure(err, patched.status());
  out << shown << " rolled back\n";
  return kExitOk;
}

Result<bool> parse_bool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return invalid_argument("must be true or false, not \"" + std::string(text) + "\"");
}

}  // namespace

int run_rollout(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  std::vector<std::string> positional;
  std::optional<std::chrono::nanoseconds> timeout;
  bool watch = true;
  std::int64_t to_revision = 0;
  FlagReader flags(args);
  const auto fail = [&](const Status& status) {
    err << "nodrop rollout: " << status.message() << "\n" << kUsage << ClusterFlags::help_text();
    return kExitUsage;
  };
  while (flags.next()) {
    if (!flags.at_flag()) {
      positional.push_back(flags.argument());
      continue;
    }
    if (flags.is("-h", "--help")) {
      out << kUsage << ClusterFlags::help_text();
      return kExitOk;
    }
    Status status;
    if (cluster.take(flags, &status)) {
    } else if (flags.is("--timeout")) {
      Result<std::chrono::nanoseconds> duration =
          flags.duration(std::chrono::nanoseconds(0), std::chrono::hours(24 * 7));
      // kubectl: 0 waits forever.
      if (duration && duration->count() > 0) timeout = *duration;
      status = duration.status();
    } else if (flags.is("--to-revision")) {
      Result<std::int64_t> revision = flags.count(0, std::numeric_limits<std::int64_t>::max());
      if (revision) to_revision = *revision;
      status = revision.status();
    } else if (flags.is("-w", "--watch")) {
      Result<bool> value = flags.parsed(parse_bool);
      if (value) watch = *value;
      status = value.status();
    } else {
      status = flags.unknown();
    }
    if (!status.is_ok()) return fail(status);
  }
  if (positional.empty()) return fail(invalid_argument("name a subcommand: status, history, ..."));
  const std::string subcommand = positional[0];
  constexpr const char* kSubcommands[] = {"status",  "history", "undo",
                                          "restart", "pause",   "resume"};
  if (std::find(std::begin(kSubcommands), std::end(kSubcommands), subcommand) ==
      std::end(kSubcommands)) {
    return fail(invalid_argument("unknown subcommand \"" + subcommand +
                                 "\": status, history, undo, restart, pause or resume"));
  }
  Result<std::vector<NamedObject>> named =
      named_objects(std::vector<std::string>(positional.begin() + 1, positional.end()), false);
  if (!named) return fail(named.status());
  for (const NamedObject& object : *named) {
    if (std::string_view(object.resource->kind) != "Deployment") {
      return fail(
          invalid_argument("rollout works on Deployments, not " + output_name(*object.resource)));
    }
  }
  const bool one = subcommand == "status" || subcommand == "history" || subcommand == "undo";
  if (one && named->size() != 1) {
    return fail(invalid_argument(subcommand + " takes one Deployment"));
  }
  Result<ApiClient> client = ApiClient::connect(cluster, ClusterEnvironment::of_process());
  if (!client) return report_failure(err, client.status());
  const NamedObject& first = (*named)[0];
  if (subcommand == "status") return run_status(*client, first, timeout, watch, out, err);
  if (subcommand == "history") return run_history(*client, first, out, err);
  if (subcommand == "undo") return run_undo(*client, first, to_revision, out, err);
  int status = kExitOk;
  for (const NamedObject& object : *named) {
    const int one_status = subcommand == "restart"
                               ? run_restart(*client, object, out, err)
                               : run_pause(*client, object, subcommand == "pause", out, err);
    if (one_status != kExitOk) status = kExitFailure;
  }
  return status;
}

}  // namespace nodrop::cli
