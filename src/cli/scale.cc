// nodrop scale deploy/NAME --replicas N   (also KIND NAME, and ReplicaSets)
//
// kubectl's `scale`: the scale subresource patched to N replicas, reported as
// `deployment.apps/web scaled`.
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/kind_and_names.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"

namespace nodrop::cli {
namespace {

constexpr char kUsage[] =
    "Usage: nodrop scale KIND/NAME... --replicas N [flags]\n"
    "\n"
    "Sets the replicas of Deployments or ReplicaSets, as kubectl does.\n"
    "\n"
    "  --replicas N            the number of pods wanted (0 to 1000000)\n";

// The largest count nodrop's API accepts is Kubernetes' int32; a million is far beyond one host.
constexpr std::int64_t kMaxReplicas = 1'000'000;

}  // namespace

int run_scale(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  std::vector<std::string> positional;
  std::optional<std::int64_t> replicas;
  const VerbUsage usage{"scale", kUsage};
  const auto fail = [&](const Status& status) { return usage.fail(err, status); };
  const std::optional<int> exit = read_verb_line(
      usage, args, out, err, cluster, &positional, [&](FlagReader& flags, Status* error) {
        if (flags.is("--replicas")) {
          Result<std::int64_t> count = flags.count(0, kMaxReplicas);
          if (count) replicas = *count;
          *error = count.status();
          return true;
        }
        return false;
      });
  if (exit) return *exit;
  if (!replicas) return fail(invalid_argument("--replicas N is required"));
  Result<std::vector<NamedObject>> named = named_objects(positional, false);
  if (!named) return fail(named.status());
  for (const NamedObject& object : *named) {
    if (object.resource->subresource("scale") == nullptr) {
      return fail(invalid_argument(output_name(*object.resource) + " cannot be scaled"));
    }
  }
  Result<ApiClient> client = ApiClient::connect(cluster, ClusterEnvironment::of_process());
  if (!client) return report_failure(err, client.status());

  int status = kExitOk;
  for (const NamedObject& object : *named) {
    Result<ApiResponse> scaled = client->request(
        "PATCH", object_path(*object.resource, client->namespace_name(), object.name) + "/scale",
        "{\"spec\":{\"replicas\":" + std::to_string(*replicas) + "}}",
        "application/merge-patch+json");
    if (!scaled) {
      status = report_failure(err, scaled.status());
      continue;
    }
    out << output_name(*object.resource) << "/" << object.name << " scaled\n";
  }
  return status;
}

}  // namespace nodrop::cli
