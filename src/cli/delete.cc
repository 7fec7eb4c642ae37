// nodrop delete KIND NAME... | KIND/NAME... | -f FILE|DIR|- [--cascade
// background|foreground|orphan]
//                            [--ignore-not-found]
//
// kubectl's `delete`: each object deleted through the API with the propagation policy asked for
// (background by default, as kubectl's --cascade=background), reported as `deployment.apps "web"
// deleted`. It does not wait for the objects to be gone (kubectl's --wait=false).
#include <fmt/format.h>

#include <chrono>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/applied_objects.h"
#include "cli/kind_and_names.h"
#include "cli/node_paths.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"
#include "cli/watch_events.h"
#include "live/loop/system_clock.h"

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
    "  --ignore-not-found      an object that does not exist is not an error\n"
    "  --wait BOOL             false: do not wait for the objects to be gone (default true)\n"
    "  --timeout D             the longest wait for them (default 5m)\n";

// How long `delete` waits for its objects to be gone unless told: kubectl's default waits without
// a bound; five minutes is longer than any grace period nodrop's examples use.
constexpr std::chrono::minutes kDefaultWait{5};

Result<bool> parse_bool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return invalid_argument(fmt::format("must be true or false, not \"{}\"", text));
}

// Waits until the object of that name and uid is gone: listed by name, then watched from that
// list's resourceVersion until it is deleted. DeadlineExceeded once the deadline passes.
Status wait_until_gone(ApiClient& client, const apiserver::Resource& resource,
                       const std::string& namespace_name, const std::string& name,
                       const std::string& uid, const live::SystemClock& clock,
                       runtime::Time deadline) {
  const std::string collection =
      collection_path(resource, resource.namespaced ? namespace_name : "");
  const std::string by_name = "fieldSelector=" + query_escape("metadata.name=" + name);
  int empty_watches = 0;  // in a row
  while (true) {
    Result<manifest::Node> list = client.request_json("GET", collection + "?" + by_name);
    if (!list) return list.status();
    const manifest::Node* items = node_at(*list, {"items"});
    if (items == nullptr || items->items().empty() ||
        (!uid.empty() && text_at(items->items()[0], {"metadata", "uid"}) != uid)) {
      return Status::ok();
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now());
    if (left.count() <= 0) break;
    bool gone = false;
    WatchEvents events([&](const std::string& type, const manifest::Node&) {
      gone = type == "DELETED";
      return !gone;
    });
    Status watched = client.stream(
        collection + "?watch=1&" + by_name +
            "&resourceVersion=" + query_escape(text_at(*list, {"metadata", "resourceVersion"})),
        "application/json", [&](std::string_view data) { return events.feed(data); }, left);
    if (gone) return Status::ok();
    if (!events.problem().is_ok()) return events.problem();
    if (watched.code() == StatusCode::kDeadlineExceeded) break;
    if (!watched.is_ok()) return watched;
    // Ended by the server: watched again, but not for ever if it ends every watch at once.
    empty_watches = events.any() ? 0 : empty_watches + 1;
    if (empty_watches >= WatchEvents::kMaxEmptyWatches) {
      return Status(StatusCode::kUnavailable, "the server ended " +
                                                  std::to_string(WatchEvents::kMaxEmptyWatches) +
                                                  " watches in a row without an event");
    }
  }
  return Status(StatusCode::kDeadlineExceeded, "timed out waiting for the condition on " +
                                                   std::string(resource.plural) + "/" + name);
}

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
  bool wait = true;
  std::chrono::nanoseconds timeout = kDefaultWait;
  const VerbUsage usage{"delete", kUsage};
  const auto fail = [&](const Status& status) { return usage.fail(err, status); };
  const std::optional<int> exit = read_verb_line(
      usage, args, out, err, cluster, &positional, [&](FlagReader& flags, Status* error) {
        if (flags.is("-f", "--filename")) {
          Result<std::string> file = flags.value();
          if (file) inputs.push_back(*file);
          *error = file.status();
          return true;
        }
        if (flags.is("--cascade")) {
          Result<std::string> chosen = flags.parsed(parse_cascade);
          if (chosen) propagation = *chosen;
          *error = chosen.status();
          return true;
        }
        if (flags.is("--wait")) {
          Result<bool> value = flags.parsed(parse_bool);
          if (value) wait = *value;
          *error = value.status();
          return true;
        }
        if (flags.is("--timeout")) {
          Result<std::chrono::nanoseconds> value =
              flags.duration(std::chrono::milliseconds(1), std::chrono::hours(24));
          if (value) timeout = *value;
          *error = value.status();
          return true;
        }
        if (flags.is("--ignore-not-found")) {
          *error = flags.is_switch();
          ignore_not_found = true;
          return true;
        }
        return false;
      });
  if (exit) return *exit;
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
  struct Deleted {
    const Target* target;
    std::string namespace_name;
    std::string
        uid;  // of the object deleted, so that one made again under its name is not waited for
  };
  std::vector<Deleted> deleted_objects;
  for (const Target& target : targets) {
    const std::string namespace_name =
        target.namespace_name.empty() ? client->namespace_name() : target.namespace_name;
    Result<manifest::Node> deleted =
        client->request_json("DELETE", object_path(*target.resource, namespace_name, target.name) +
                                           "?propagationPolicy=" + propagation);
    if (!deleted) {
      if (ignore_not_found && deleted.status().code() == StatusCode::kNotFound) continue;
      status = report_failure(err, deleted.status());
      continue;
    }
    out << output_name(*target.resource) << " \"" << target.name << "\" deleted" << std::endl;
    // The answer is the object (still terminating) or a Status; a Status's details carry the uid.
    std::string uid = text_at(*deleted, {"metadata", "uid"});
    if (uid.empty()) uid = text_at(*deleted, {"details", "uid"});
    deleted_objects.push_back({&target, namespace_name, uid});
  }
  if (!wait) return status;
  live::SystemClock clock;
  const runtime::Time deadline = clock.now() + timeout;
  for (const Deleted& deleted : deleted_objects) {
    Status gone = wait_until_gone(*client, *deleted.target->resource, deleted.namespace_name,
                                  deleted.target->name, deleted.uid, clock, deadline);
    if (!gone.is_ok()) status = report_failure(err, gone);
  }
  return status;
}

}  // namespace nodrop::cli
