// nodrop rollout status deploy/NAME [--timeout D] [--watch=false]
// nodrop rollout restart|pause|resume deploy/NAME...
// nodrop rollout history deploy/NAME
// nodrop rollout undo deploy/NAME [--to-revision N]
//
// kubectl's `rollout` for Deployments. status watches the Deployment and prints kubectl's message
// (rollout_status.h) at every change, until the rollout finishes (exit 0), fails
// (ProgressDeadlineExceeded, exit 1) or the timeout passes (exit 1).
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
#include "cli/node_paths.h"
#include "cli/rollout_history.h"
#include "cli/rollout_status.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"
#include "cli/watch_events.h"
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

// Prints where the rollout stands; true once it is over (finished, or failed: *status set).
bool report_state(const Node& deployment, std::ostream& out, std::ostream& err, int* status) {
  const RolloutState state = deployment_rollout_state(deployment);
  switch (state.phase) {
    case RolloutState::Phase::kFailed:
      err << "error: " << state.message << "\n";
      *status = kExitFailure;
      return true;
    case RolloutState::Phase::kDone:
      out << state.message << std::endl;
      *status = kExitOk;
      return true;
    case RolloutState::Phase::kWaiting:
      out << state.message << std::endl;
      return false;
  }
  return false;
}

// As kubectl: the Deployment listed by name, then watched from that list's resourceVersion, its
// state printed at every change, until it is over, the timeout passes or (watch false) at once.
// A watch the server ends (its own time bound) is started again from a new list.
int run_status(ApiClient& client, const NamedObject& object,
               std::optional<std::chrono::nanoseconds> timeout, bool watch, std::ostream& out,
               std::ostream& err) {
  const std::string collection = collection_path(*object.resource, client.namespace_name());
  const std::string by_name = "fieldSelector=" + query_escape("metadata.name=" + object.name);
  live::SystemClock clock;
  const runtime::Time start = clock.now();
  int empty_watches = 0;  // in a row
  while (true) {
    Result<Node> list = client.request_json("GET", collection + "?" + by_name);
    if (!list) return report_failure(err, list.status());
    const Node* items = list->find("items");
    if (items == nullptr || !items->is_sequence() || items->items().empty()) {
      err << "Error from server (NotFound): " << object.resource->qualified() << " \""
          << object.name << "\" not found\n";
      return kExitFailure;
    }
    int status = kExitOk;
    if (report_state(items->items()[0], out, err, &status) || !watch) return status;

    std::chrono::milliseconds left(0);
    if (timeout) {
      left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*timeout - (clock.now() - start));
      if (left.count() <= 0) {
        err << "error: timed out waiting for the condition\n";
        return kExitFailure;
      }
    }
    const std::string version = text_at(*list, {"metadata", "resourceVersion"});
    std::string target = collection + "?watch=1&" + by_name;
    if (!version.empty()) target += "&resourceVersion=" + query_escape(version);
    bool over = false;
    Status deleted;
    WatchEvents events([&](const std::string& type, const Node& changed) {
      if (type == "DELETED") {
        deleted = not_found(object.resource->qualified() + " \"" + object.name +
                            "\" was deleted while its rollout was followed");
        return false;
      }
      over = report_state(changed, out, err, &status);
      return !over;
    });
    Status watched = client.stream(
        target, "application/json", [&](std::string_view data) { return events.feed(data); }, left);
    if (over) return status;
    if (!deleted.is_ok()) return report_failure(err, deleted);
    if (!events.problem().is_ok()) return report_failure(err, events.problem());
    if (watched.code() == StatusCode::kDeadlineExceeded && timeout) {
      err << "error: timed out waiting for the condition\n";
      return kExitFailure;
    }
    if (!watched.is_ok()) return report_failure(err, watched);
    // Ended by the server: watched again, but not for ever if it ends every watch at once.
    empty_watches = events.any() ? 0 : empty_watches + 1;
    if (empty_watches >= WatchEvents::kMaxEmptyWatches) {
      return report_failure(
          err, Status(StatusCode::kUnavailable, "the server ended " +
                                                    std::to_string(WatchEvents::kMaxEmptyWatches) +
                                                    " watches in a row without an event"));
    }
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
  const Node* paused = node_at(*deployment, {"spec", "paused"});
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
  const VerbUsage usage{"rollout", kUsage};
  const auto fail = [&](const Status& status) { return usage.fail(err, status); };
  const std::optional<int> exit = read_verb_line(
      usage, args, out, err, cluster, &positional, [&](FlagReader& flags, Status* error) {
        if (flags.is("--timeout")) {
          Result<std::chrono::nanoseconds> duration =
              flags.duration(std::chrono::nanoseconds(0), std::chrono::hours(24 * 7));
          // kubectl: 0 waits forever.
          if (duration && duration->count() > 0) timeout = *duration;
          *error = duration.status();
          return true;
        }
        if (flags.is("--to-revision")) {
          Result<std::int64_t> revision = flags.count(0, std::numeric_limits<std::int64_t>::max());
          if (revision) to_revision = *revision;
          *error = revision.status();
          return true;
        }
        if (flags.is("-w", "--watch")) {
          Result<bool> value = flags.parsed(parse_bool);
          if (value) watch = *value;
          *error = value.status();
          return true;
        }
        return false;
      });
  if (exit) return *exit;
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
