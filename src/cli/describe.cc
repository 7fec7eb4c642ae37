// nodrop describe KIND [NAME...] [-l SELECTOR] (also KIND/NAME...)
//
// kubectl's `describe` for the kinds nodrop runs: Deployments, ReplicaSets, pods, Services,
// Endpoints, ConfigMaps and Secrets. Each object is read through the API with what its
// description needs (its events, its ReplicaSets or pods, its Service's EndpointSlices) and laid
// out as kubectl lays it out (deployment_description.h, pod_description.h,
// service_description.h, config_description.h). A kind without a name describes every object of
// it (those matching -l); a name that is not found describes the objects whose names begin with
// it, as kubectl does. Other kinds are refused with a message naming `get -o yaml` instead.
#include <functional>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/config_description.h"
#include "cli/deployment_description.h"
#include "cli/describe_sections.h"
#include "cli/kind_and_names.h"
#include "cli/node_paths.h"
#include "cli/pod_description.h"
#include "cli/service_description.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"
#include "live/loop/system_clock.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kUsage[] =
    "Usage: nodrop describe KIND [NAME_PREFIX...] [-l SELECTOR] [flags]\n"
    "       nodrop describe KIND/NAME... [flags]\n"
    "\n"
    "Describes objects as kubectl does: deployments (deploy), replicasets (rs), pods (po),\n"
    "services (svc), endpoints (ep), configmaps (cm) and secrets. Without a name, every object\n"
    "of the kind (those matching -l); a name that is not found describes those it begins.\n"
    "(Other kinds: nodrop get KIND NAME -o yaml.)\n"
    "\n"
    "  -l, --selector S        only objects whose labels match (app=web,tier!=db,env in (a,b))\n";

// The events kubectl's describe shows for an object: those whose involvedObject is it (by name,
// namespace, uid and, but for pods, kind; searchEvents).
Result<Node> events_of(ApiClient& client, const Node& object, const std::string& kind) {
  const std::string namespace_name = text_at(object, {"metadata", "namespace"});
  std::string selector = "involvedObject.name=" + text_at(object, {"metadata", "name"}) +
                         ",involvedObject.namespace=" + namespace_name;
  if (kind != "Pod") selector += ",involvedObject.kind=" + kind;
  selector += ",involvedObject.uid=" + text_at(object, {"metadata", "uid"});
  return client.request_json("GET", collection_path(*resource_named("events"), namespace_name) +
                                        "?fieldSelector=" + query_escape(selector));
}

// The list of a kind in a namespace, narrowed by a label selector ("" for all).
Result<Node> list_of(ApiClient& client, const char* resource, const std::string& namespace_name,
                     const std::string& label_selector) {
  std::string target = collection_path(*resource_named(resource), namespace_name);
  if (!label_selector.empty()) target += "?labelSelector=" + query_escape(label_selector);
  return client.request_json("GET", target);
}

// One object described: what else its description needs read through the API.
using Describer =
    std::function<Result<std::string>(ApiClient& client, const Node& object, WallTime now)>;

// The describer of a kind; null for a kind nodrop does not describe.
Describer describer_of(std::string_view kind) {
  const auto namespace_of = [](const Node& object) {
    return text_at(object, {"metadata", "namespace"});
  };
  if (kind == "Deployment") {
    return [=](ApiClient& client, const Node& object, WallTime now) -> Result<std::string> {
      Result<Node> sets = list_of(client, "replicasets.apps", namespace_of(object), "");
      if (!sets) return sets.status();
      Result<Node> events = events_of(client, object, "Deployment");
      if (!events) return events.status();
      return describe_deployment(object, *sets, *events, now);
    };
  }
  if (kind == "ReplicaSet") {
    return [=](ApiClient& client, const Node& object, WallTime now) -> Result<std::string> {
      Result<Node> pods = list_of(client, "pods", namespace_of(object),
                                  label_selector_text(node_at(object, {"spec", "selector"})));
      if (!pods) return pods.status();
      Result<Node> events = events_of(client, object, "ReplicaSet");
      if (!events) return events.status();
      return describe_replica_set(object, *pods, *events, now);
    };
  }
  if (kind == "Pod") {
    return [](ApiClient& client, const Node& object, WallTime now) -> Result<std::string> {
      Result<Node> events = events_of(client, object, "Pod");
      if (!events) return events.status();
      return describe_pod(object, *events, now);
    };
  }
  if (kind == "Service") {
    return [=](ApiClient& client, const Node& object, WallTime now) -> Result<std::string> {
      Result<Node> slices =
          list_of(client, "endpointslices.discovery.k8s.io", namespace_of(object),
                  "kubernetes.io/service-name=" + text_at(object, {"metadata", "name"}));
      if (!slices) return slices.status();
      Result<Node> events = events_of(client, object, "Service");
      if (!events) return events.status();
      return describe_service(object, *slices, *events, now);
    };
  }
  if (kind == "Endpoints") {
    return [](ApiClient& client, const Node& object, WallTime now) -> Result<std::string> {
      Result<Node> events = events_of(client, object, "Endpoints");
      if (!events) return events.status();
      return describe_endpoints(object, *events, now);
    };
  }
  if (kind == "ConfigMap") {
    return [](ApiClient& client, const Node& object, WallTime now) -> Result<std::string> {
      Result<Node> events = events_of(client, object, "ConfigMap");
      if (!events) return events.status();
      return describe_config_map(object, *events, now);
    };
  }
  if (kind == "Secret") {
    return [](ApiClient&, const Node& object, WallTime) -> Result<std::string> {
      return describe_secret(object);
    };
  }
  return nullptr;
}

}  // namespace

int run_describe(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  std::string selector;
  std::vector<std::string> positional;
  const VerbUsage usage{"describe", kUsage};
  const auto fail = [&](const Status& status) { return usage.fail(err, status); };
  if (const std::optional<int> exit = read_verb_line(usage, args, out, err, cluster, &positional,
                                                     [&](FlagReader& flags, Status* error) {
                                                       if (!flags.is("-l", "--selector"))
                                                         return false;
                                                       Result<std::string> value = flags.value();
                                                       if (value) selector = *value;
                                                       *error = value.status();
                                                       return true;
                                                     })) {
    return *exit;
  }
  if (positional.empty()) return fail(invalid_argument("name a kind: nodrop describe pods"));
  Result<std::vector<NamedObject>> named = named_objects(positional, true);
  if (!named) return fail(named.status());
  for (const NamedObject& object : *named) {
    if (describer_of(object.resource->kind) == nullptr) {
      const std::string kind = output_name(*object.resource);
      return fail(invalid_argument(
          "nodrop describes deployments, replicasets, pods, services, endpoints, configmaps "
          "and secrets, not " +
          kind + "; try nodrop get " + kind + (object.name.empty() ? "" : " " + object.name) +
          " -o yaml"));
    }
  }
  Result<ApiClient> client = ApiClient::connect(cluster, ClusterEnvironment::of_process());
  if (!client) return report_failure(err, client.status());
  const std::string namespace_name = cluster.all_namespaces ? "" : client->namespace_name();
  live::SystemClock clock;
  const WallTime now = clock.wall_now();
  bool first = true;
  bool described = false;
  // kubectl separates the descriptions it was asked for by a blank line.
  const auto print = [&](const std::string& description) {
    out << (first ? "" : "\n\n") << description;
    first = false;
    described = true;
  };
  for (const NamedObject& object : *named) {
    const Describer describe = describer_of(object.resource->kind);
    const auto describe_listed = [&](const std::string& prefix, bool prefix_form) -> Status {
      Result<Node> listed =
          list_of(*client, object.resource->plural, namespace_name, prefix_form ? "" : selector);
      if (!listed) return listed.status();
      for (const Node& item : items_of(node_at(*listed, {"items"}))) {
        if (text_at(item, {"metadata", "name"}).rfind(prefix, 0) != 0) continue;
        Result<std::string> text = describe(*client, item, now);
        if (!text) return text.status();
        // Found by a name's prefix, kubectl ends each description with a newline instead.
        if (prefix_form) {
          out << *text << "\n";
          described = true;
        } else {
          print(*text);
        }
      }
      return Status::ok();
    };
    if (object.name.empty()) {
      if (Status status = describe_listed("", false); !status.is_ok()) {
        return report_failure(err, status);
      }
      continue;
    }
    Result<Node> found =
        client->request_json("GET", object_path(*object.resource, namespace_name, object.name));
    if (!found && found.status().code() == StatusCode::kNotFound && positional.size() == 2) {
      const bool any_before = described;
      if (Status status = describe_listed(object.name, true); !status.is_ok()) {
        return report_failure(err, status);
      }
      if (described != any_before) continue;
    }
    if (!found) return report_failure(err, found.status());
    Result<std::string> text = describe(*client, *found, now);
    if (!text) return report_failure(err, text.status());
    print(*text);
  }
  if (!described) {
    err << (cluster.all_namespaces ? std::string("No resources found\n")
                                   : "No resources found in " + namespace_name + " namespace.\n");
  }
  return kExitOk;
}

}  // namespace nodrop::cli
