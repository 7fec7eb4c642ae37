// nodrop describe deploy/NAME (also KIND NAME)
//
// kubectl's `describe` for Deployments (deployment_description.h): the Deployment, the
// ReplicaSets of its namespace and its events, read through the API and laid out as kubectl does.
// Other kinds are refused with a message naming `get -o yaml` instead.
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/deployment_description.h"
#include "cli/kind_and_names.h"
#include "cli/node_paths.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"
#include "live/loop/system_clock.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kUsage[] =
    "Usage: nodrop describe deploy/NAME... [flags]\n"
    "\n"
    "Describes Deployments as kubectl does: the pod template, conditions, ReplicaSets and events.\n"
    "(Other kinds: nodrop get KIND NAME -o yaml.)\n";

}  // namespace

int run_describe(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  std::vector<std::string> positional;
  const VerbUsage usage{"describe", kUsage};
  const auto fail = [&](const Status& status) { return usage.fail(err, status); };
  if (const std::optional<int> exit = read_verb_line(usage, args, out, err, cluster, &positional)) {
    return *exit;
  }
  Result<std::vector<NamedObject>> named = named_objects(positional, false);
  if (!named) return fail(named.status());
  for (const NamedObject& object : *named) {
    if (std::string_view(object.resource->kind) != "Deployment") {
      return fail(invalid_argument("nodrop describes Deployments only so far, not " +
                                   output_name(*object.resource) + "; try nodrop get " +
                                   output_name(*object.resource) + " " + object.name + " -o yaml"));
    }
  }
  Result<ApiClient> client = ApiClient::connect(cluster, ClusterEnvironment::of_process());
  if (!client) return report_failure(err, client.status());
  const std::string& namespace_name = client->namespace_name();
  const apiserver::Resource* replica_sets = resource_named("replicasets.apps");
  const apiserver::Resource* events = resource_named("events");
  live::SystemClock clock;
  bool first = true;
  for (const NamedObject& object : *named) {
    Result<Node> deployment =
        client->request_json("GET", object_path(*object.resource, namespace_name, object.name));
    if (!deployment) return report_failure(err, deployment.status());
    Result<Node> sets = client->request_json("GET", collection_path(*replica_sets, namespace_name));
    if (!sets) return report_failure(err, sets.status());
    const std::string selector = "involvedObject.name=" + object.name +
                                 ",involvedObject.namespace=" + namespace_name +
                                 ",involvedObject.kind=Deployment,involvedObject.uid=" +
                                 text_at(*deployment, {"metadata", "uid"});
    Result<Node> its_events =
        client->request_json("GET", collection_path(*events, namespace_name) +
                                        "?fieldSelector=" + query_escape(selector));
    if (!its_events) return report_failure(err, its_events.status());
    if (!first) out << "\n\n";  // kubectl separates descriptions by a blank line
    first = false;
    out << describe_deployment(*deployment, *sets, *its_events, clock.wall_now());
  }
  return kExitOk;
}

}  // namespace nodrop::cli
