// nodrop apply -f FILE|DIR|- [-f ...] [-n NS]
//
// kubectl's client-side apply, through the same API: each object created when it does not exist,
// else patched from what the previous apply recorded to what the file says (apply_patch.h), and
// reported as kubectl reports it: `deployment.apps/web created`, `configured` or `unchanged`.
// Every file is checked before anything is sent (applied_objects.h).
#include <string>
#include <vector>

#include "apiserver/json.h"
#include "cli/api_client.h"
#include "cli/applied_objects.h"
#include "cli/apply_patch.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kUsage[] =
    "Usage: nodrop apply -f FILE|DIR|- [-f ...] [flags]\n"
    "\n"
    "Creates each object of the files, or brings it to what the file says, as `kubectl apply`\n"
    "does (the two can be used on the same objects). A directory stands for every *.yaml, *.yml\n"
    "and *.json file below it; - for standard input.\n"
    "\n"
    "  -f, --filename F        a file, directory or - (repeatable)\n";

}  // namespace

int run_apply(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  std::vector<std::string> inputs;
  const VerbUsage usage{"apply", kUsage};
  const auto fail = [&](const Status& status) { return usage.fail(err, status); };
  const std::optional<int> exit = read_verb_line(usage, args, out, err, cluster, nullptr,
                                                 [&](FlagReader& flags, Status* error) {
                                                   if (flags.is("-f", "--filename")) {
                                                     Result<std::string> file = flags.value();
                                                     if (file) inputs.push_back(*file);
                                                     *error = file.status();
                                                     return true;
                                                   }
                                                   return false;
                                                 });
  if (exit) return *exit;
  if (inputs.empty()) return fail(invalid_argument("name what to apply with -f FILE|DIR|-"));
  if (cluster.all_namespaces) return fail(invalid_argument("-A: apply works in one namespace"));

  Result<std::vector<AppliedObject>> objects = read_applied_objects(inputs, err);
  if (!objects) return report_failure(err, objects.status());
  Result<ApiClient> client = ApiClient::connect(cluster, ClusterEnvironment::of_process());
  if (!client) return report_failure(err, client.status());

  int status = kExitOk;
  for (const AppliedObject& object : *objects) {
    const apiserver::Resource& resource = *object.resource;
    std::string namespace_name;
    if (resource.namespaced) {
      namespace_name =
          object.namespace_name.empty() ? client->namespace_name() : object.namespace_name;
      if (!cluster.namespace_name.empty() && namespace_name != cluster.namespace_name) {
        err << "error: the namespace from the provided object \"" << namespace_name
            << "\" does not match the namespace \"" << cluster.namespace_name
            << "\". You must pass '--namespace=" << namespace_name
            << "' to perform this operation.\n";
        status = kExitFailure;
        continue;
      }
    }
    const Node modified = with_last_applied(object.object, namespace_name);
    const std::string shown = output_name(resource) + "/" + object.name;
    const std::string path = object_path(resource, namespace_name, object.name);
    Result<Node> live = client->request_json("GET", path);
    if (!live && live.status().code() == StatusCode::kNotFound) {
      Result<ApiResponse> created = client->request(
          "POST", collection_path(resource, namespace_name), apiserver::to_json(modified));
      if (!created) {
        status = report_failure(err, created.status());
        continue;
      }
      out << shown << " created\n";
      continue;
    }
    if (!live) {
      status = report_failure(err, live.status());
      continue;
    }
    if (!last_applied_of(*live)) {
      // As kubectl warns: without the annotation, fields removed from the file stay.
      err << "Warning: resource " << resource.plural << "/" << object.name << " is missing the "
          << kLastAppliedAnnotation
          << " annotation which apply needs to remove what a file no longer says; it will be "
             "patched automatically.\n";
    }
    Result<std::optional<Node>> patch = patch_to_send(*live, modified, resource.kind);
    if (!patch) {
      status = report_failure(err, Status(patch.status().code(), object.file + ": " + shown + ": " +
                                                                     patch.status().message()));
      continue;
    }
    if (!patch->has_value()) {
      out << shown << " unchanged\n";
      continue;
    }
    Result<ApiResponse> patched = client->request("PATCH", path, apiserver::to_json(**patch),
                                                  "application/strategic-merge-patch+json");
    if (!patched) {
      status = report_failure(err, patched.status());
      continue;
    }
    out << shown << " configured\n";
  }
  return status;
}

}  // namespace nodrop::cli
