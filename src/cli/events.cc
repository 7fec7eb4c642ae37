// nodrop events [--for KIND/NAME] [--types Normal,Warning] [-n NS] [-A]
//
// kubectl's `events`: the namespace's core/v1 Events oldest first, as kubectl lists them (LAST
// SEEN, TYPE, REASON, OBJECT as Kind/name, MESSAGE; event_times.h), optionally only those of one
// object or of some types.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/event_times.h"
#include "cli/kind_and_names.h"
#include "cli/node_paths.h"
#include "cli/table_printer.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"
#include "live/loop/system_clock.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kUsage[] =
    "Usage: nodrop events [--for KIND/NAME] [--types Normal,Warning] [flags]\n"
    "\n"
    "Lists the events of a namespace, oldest first, as kubectl events does.\n"
    "\n"
    "  --for KIND/NAME         only the events of that object (deploy/web, pod/web-1)\n"
    "  --types T,...           only events of these types (Normal, Warning)\n";

}  // namespace

int run_events(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  std::string for_object;
  std::vector<std::string> types;
  const VerbUsage usage{"events", kUsage};
  const auto fail = [&](const Status& status) { return usage.fail(err, status); };
  const std::optional<int> exit = read_verb_line(
      usage, args, out, err, cluster, nullptr, [&](FlagReader& flags, Status* error) {
        if (flags.is("--for")) {
          Result<std::string> value = flags.value();
          if (value) for_object = *value;
          *error = value.status();
          return true;
        }
        if (flags.is("--types")) {
          Result<std::string> value = flags.value();
          if (value) {
            std::string_view list = *value;
            while (!list.empty()) {
              const std::size_t comma = list.find(',');
              const std::string type(list.substr(0, comma));
              if (type != "Normal" && type != "Warning") {
                *error = flags.error(fmt::format("must be Normal or Warning, not \"{}\"", type));
                break;
              }
              types.push_back(type);
              list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
            }
          } else {
            *error = value.status();
          }
          return true;
        }
        return false;
      });
  if (exit) return *exit;
  std::string selector;
  if (!for_object.empty()) {
    Result<std::vector<NamedObject>> named = named_objects({for_object}, false);
    if (!named) return fail(named.status());
    if (named->size() != 1) return fail(invalid_argument("--for names one object"));
    selector = std::string("involvedObject.kind=") + (*named)[0].resource->kind +
               ",involvedObject.name=" + (*named)[0].name;
  }
  Result<ApiClient> client = ApiClient::connect(cluster, ClusterEnvironment::of_process());
  if (!client) return report_failure(err, client.status());
  const std::string namespace_name = cluster.all_namespaces ? "" : client->namespace_name();
  std::string target = collection_path(*resource_named("events"), namespace_name);
  if (!selector.empty()) target += "?fieldSelector=" + query_escape(selector);
  Result<Node> events = client->request_json("GET", target);
  if (!events) return report_failure(err, events.status());

  live::SystemClock clock;
  const WallTime now = clock.wall_now();
  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> header = {"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"};
  if (cluster.all_namespaces) header.insert(header.begin(), "NAMESPACE");
  lines.push_back(std::move(header));
  for (const Node* event : events_by_last_seen(*events)) {
    const std::string type = text_at(*event, {"type"});
    if (!types.empty() && std::find(types.begin(), types.end(), type) == types.end()) continue;
    std::vector<std::string> line;
    if (cluster.all_namespaces) line.push_back(text_at(*event, {"metadata", "namespace"}));
    line.push_back(event_interval(*event, now));
    line.push_back(type);
    line.push_back(text_at(*event, {"reason"}));
    line.push_back(text_at(*event, {"involvedObject", "kind"}) + "/" +
                   text_at(*event, {"involvedObject", "name"}));
    line.push_back(event_message(*event));
    lines.push_back(std::move(line));
  }
  if (lines.size() == 1) {
    if (cluster.all_namespaces) {
      err << "No events found.\n";
    } else {
      err << "No events found in " << namespace_name << " namespace.\n";
    }
    return kExitOk;
  }
  out << align_columns(lines);
  return kExitOk;
}

}  // namespace nodrop::cli
