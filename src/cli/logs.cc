// nodrop logs POD | deploy/NAME [-c CONTAINER] [--tail N] [-f] [-p]
//
// kubectl's `logs`: a pod's log through the API's log subresource. For a Deployment, one of its
// pods, as kubectl picks one: a running, ready pod that is not being deleted first ("Found 3 pods,
// using pod/web-..." on standard error when there is a choice).
#include <algorithm>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/kind_and_names.h"
#include "cli/node_paths.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kUsage[] =
    "Usage: nodrop logs POD | deploy/NAME [-c CONTAINER] [--tail N] [-f] [-p] [flags]\n"
    "\n"
    "Prints a pod's log; for a Deployment, the log of one of its pods.\n"
    "\n"
    "  -c, --container C       the container (default: the pod's only or first)\n"
    "  --tail N                only the last N lines\n"
    "  -f, --follow            go on printing what the container writes until it ends\n"
    "  -p, --previous          the log of the container's previous run (before a restart)\n";

// The server keeps a bounded log per container; the largest tail asked is bounded alike.
constexpr std::int64_t kMaxTailLines = 10'000'000;

// Running, ready and not being deleted: a pod whose log goes on.
bool is_running_and_ready(const Node& pod) {
  if (node_at(pod, {"metadata", "deletionTimestamp"}) != nullptr) return false;
  const Node* phase = node_at(pod, {"status", "phase"});
  if (phase == nullptr || phase->text() != "Running") return false;
  const Node* conditions = node_at(pod, {"status", "conditions"});
  if (conditions == nullptr || !conditions->is_sequence()) return false;
  for (const Node& condition : conditions->items()) {
    const Node* type = node_at(condition, {"type"});
    const Node* status = node_at(condition, {"status"});
    if (type != nullptr && type->text() == "Ready")
      return status != nullptr && status->text() == "True";
  }
  return false;
}

// The pod of a Deployment (or ReplicaSet) whose log to show.
Result<std::string> pod_of(ApiClient& client, const NamedObject& object, std::ostream& err) {
  Result<Node> owner = client.request_json(
      "GET", object_path(*object.resource, client.namespace_name(), object.name));
  if (!owner) return owner.status();
  const Node* labels = node_at(*owner, {"spec", "selector", "matchLabels"});
  if (labels == nullptr || !labels->is_mapping() || labels->entries().empty()) {
    return invalid_argument(output_name(*object.resource) + "/" + object.name +
                            " selects its pods by expressions; name a pod");
  }
  std::string selector;
  for (const Node::Entry& entry : labels->entries()) {
    selector += (selector.empty() ? "" : ",") + entry.key + "=" + entry.value.text();
  }
  Result<Node> pods =
      client.request_json("GET", "/api/v1/namespaces/" + client.namespace_name() +
                                     "/pods?labelSelector=" + query_escape(selector));
  if (!pods) return pods.status();
  const Node* items = pods->find("items");
  if (items == nullptr || !items->is_sequence() || items->items().empty()) {
    return not_found("no pods of " + output_name(*object.resource) + "/" + object.name);
  }
  std::vector<const Node*> candidates;
  for (const Node& pod : items->items()) candidates.push_back(&pod);
  std::stable_sort(candidates.begin(), candidates.end(), [](const Node* a, const Node* b) {
    return is_running_and_ready(*a) && !is_running_and_ready(*b);
  });
  const Node* name = node_at(*candidates[0], {"metadata", "name"});
  if (name == nullptr) return internal_error("the server listed a pod without a name");
  if (candidates.size() > 1) {
    err << "Found " << candidates.size() << " pods, using pod/" << name->text() << "\n";
  }
  return name->text();
}

}  // namespace

int run_logs(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  std::vector<std::string> positional;
  std::string container;
  std::optional<std::int64_t> tail;
  bool follow = false;
  bool previous = false;
  const VerbUsage usage{"logs", kUsage};
  const auto fail = [&](const Status& status) { return usage.fail(err, status); };
  const std::optional<int> exit = read_verb_line(
      usage, args, out, err, cluster, &positional, [&](FlagReader& flags, Status* error) {
        if (flags.is("-c", "--container")) {
          Result<std::string> value = flags.value();
          if (value) container = *value;
          *error = value.status();
          return true;
        }
        if (flags.is("-f", "--follow")) {
          *error = flags.is_switch();
          follow = true;
          return true;
        }
        if (flags.is("-p", "--previous")) {
          *error = flags.is_switch();
          previous = true;
          return true;
        }
        if (flags.is("--tail")) {
          // kubectl: -1, the default, is the whole log.
          Result<std::int64_t> count = flags.count(-1, kMaxTailLines);
          if (count && *count >= 0) tail = *count;
          *error = count.status();
          return true;
        }
        return false;
      });
  if (exit) return *exit;
  if (positional.size() != 1) return fail(invalid_argument("name one pod, or deploy/NAME"));
  Result<ApiClient> client = ApiClient::connect(cluster, ClusterEnvironment::of_process());
  if (!client) return report_failure(err, client.status());

  std::string pod = positional[0];
  if (pod.find('/') != std::string::npos) {
    Result<std::vector<NamedObject>> named = named_objects(positional, false);
    if (!named) return fail(named.status());
    const std::string_view kind = (*named)[0].resource->kind;
    if (kind == "Pod") {
      pod = (*named)[0].name;
    } else if (kind == "Deployment" || kind == "ReplicaSet") {
      Result<std::string> chosen = pod_of(*client, (*named)[0], err);
      if (!chosen) return report_failure(err, chosen.status());
      pod = *chosen;
    } else {
      return fail(invalid_argument("logs of a pod, a Deployment or a ReplicaSet, not " +
                                   std::string(kind)));
    }
  }
  std::string target = "/api/v1/namespaces/" + client->namespace_name() + "/pods/" + pod + "/log";
  std::string query;
  if (!container.empty()) query += "&container=" + query_escape(container);
  if (tail) query += "&tailLines=" + std::to_string(*tail);
  if (previous) query += "&previous=true";
  if (follow) query += "&follow=true";
  if (!query.empty()) target += "?" + query.substr(1);
  if (follow) {
    // Each piece as it arrives; a reader that went away (a closed pipe) ends the stream.
    Status followed = client->stream(target, "application/json, */*", [&](std::string_view data) {
      out << data;
      out.flush();
      return out.good();
    });
    if (!followed.is_ok()) return report_failure(err, followed);
    return kExitOk;
  }
  Result<ApiResponse> log = client->request("GET", target, "", "", "application/json, */*");
  if (!log) return report_failure(err, log.status());
  out << log->body;
  return kExitOk;
}

}  // namespace nodrop::cli
