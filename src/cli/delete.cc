// nodrop delete KIND NAME... | KIND/NAME... | -f FILE|DIR|- [--cascade
// background|foreground|orphan]
//                            [--ignore-not-found]
//
// kubectl's `delete`: each object deleted through the API with the propagation policy asked for
// (background by default, as kubectl's --cascade=background), reported as `deployment.apps "web"
// deleted`. It does not wait for the objects to be gone (kubectl's --wait=false).
#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/applied_objects.h"
#include "cli/kind_and_names.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"

namespace nodrop::cli {
namespace {

constexpr char kUsage[] =
    "Usage: nodrop delete KIND NAME... | KIND/NAME... | -f FILE|DIR|- [flags]\n"
    "\n"
    "Deletes the objects named, or those of the files, as kubectl does.\n"
    "\n"
    "  -f, --filename F        the objects of a file, directory or - (repeatable)\n"
    "  --cascade C             background (default: dependents deleted after), foreground\n"
    "                          (dependents first) or orphan (dependents kept)\n"
    "  --ignore-not-found      an object that does not exist is not an error\n";

Result<std::string> parse_cascade(std::string_view text) {
  if (text == "background" || text == "true") return std::string("Background");
  if (text == "foreground") return std::string("Foreground");
  if (text == "orphan" || text == "false") return std::string("Orphan");
  return invalid_argument(
      fmt::format("must be background, foreground or orphan, not \"{}\"", text));
}

}  // namespace

int run_delete(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  std::vector<std::string> inputs;
  std::vector<std::string> positional;
  std::string propagation = "Background";
  bool ignore_not_found = false;
  FlagReader flags(args);
  const auto fail = [&](const Status& status) {
    err << "nodrop delete: " << status.message() << "\n" << kUsage << ClusterFlags::help_text();
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
    } else if (flags.is("-f", "--filename")) {
      Result<std::string> file = flags.value();
      if (file) inputs.push_back(*file);
      status = file.status();
    } else if (flags.is("--cascade")) {
      Result<std::string> chosen = flags.parsed(parse_cascade);
      if (chosen) propagation = *chosen;
      status = chosen.status();
    } else if (flags.is("--ignore-not-found")) {
      status = flags.is_switch();
      ignore_not_found = true;
    } else {
      status = flags.unknown();
    }
    if (!status.is_ok()) return fail(status);
  }
  if (inputs.empty() == positional.empty()) {
    return fail(invalid_argument("name the objects either as KIND NAME... or with -f FILE"));
  }

  // (resource, namespace from the file or "", name)
  struct Target {
    const apiserver::Resource* resource;
    std::string namespace_name;
    std::string name;
  };
  std::vector<Target> targets;
  if (!inputs.empty()) {
    Result<std::vector<AppliedObject>> objects = read_applied_objects(inputs, err);
    if (!objects) return report_failure(err, objects.status());
    for (const AppliedObject& object : *objects) {
      targets.push_back({object.resource, object.namespace_name, object.name});
    }
  } else {
    Result<std::vector<NamedObject>> named = named_objects(positional, false);
    if (!named) return report_failure(err, named.status());
    for (const NamedObject& object : *named) targets.push_back({object.resource, "", object.name});
  }
  Result<ApiClient> client = ApiClient::connect(cluster, ClusterEnvironment::of_process());
  if (!client) return report_failure(err, client.status());

  int status = kExitOk;
  for (const Target& target : targets) {
    const std::string namespace_name =
        target.namespace_name.empty() ? client->namespace_name() : target.namespace_name;
    Result<ApiResponse> deleted =
        client->request("DELETE", object_path(*target.resource, namespace_name, target.name) +
                                      "?propagationPolicy=" + propagation);
    if (!deleted) {
      if (ignore_not_found && deleted.status().code() == StatusCode::kNotFound) continue;
      status = report_failure(err, deleted.status());
      continue;
    }
    out << output_name(*target.resource) << " \"" << target.name << "\" deleted\n";
  }
  return status;
}

}  // namespace nodrop::cli
