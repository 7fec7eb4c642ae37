// nodrop get KIND [NAME...] [-o wide|json|yaml|name] [-l SELECTOR] [-n NS] [-A] [-w]
//
// kubectl's `get`: the server's Table for the kind (apiserver/tables.h) printed as kubectl prints
// it (table_printer.h; several kinds: a table each, names prefixed with their kind), or the
// objects themselves as JSON or YAML (keys sorted, as kubectl's
// printers write its maps), or their names as KIND.GROUP/NAME.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "apiserver/json.h"
#include "cli/api_client.h"
#include "cli/go_json.h"
#include "cli/jsonpath.h"
#include "cli/kind_and_names.h"
#include "cli/node_paths.h"
#include "cli/table_printer.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"
#include "cli/watch_events.h"
#include "manifest/writer.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kUsage[] =
    "Usage: nodrop get KIND [NAME...] [-o wide|json|yaml|name] [-l SELECTOR] [flags]\n"
    "       nodrop get KIND/NAME...\n"
    "\n"
    "Lists objects of a kind, or the ones named, as kubectl does. KIND is a resource's plural,\n"
    "singular or short name: deployments (deploy), replicasets (rs), pods (po), services (svc),\n"
    "endpoints (ep), nodes (no), events (ev), configmaps (cm), ...\n"
    "\n"
    "  -o, --output F          wide (more columns), json, yaml, name (KIND/NAME) or\n"
    "                          jsonpath=TEMPLATE ('{.spec.replicas}', '{range "
    ".items[*]}...{end}')\n"
    "  -l, --selector S        only objects whose labels match (app=web,tier!=db,env in (a,b))\n"
    "  --no-headers            the table without its header line\n"
    "  -w, --watch             after the table, a line for each change, until interrupted\n";

enum class Output { kTable, kWide, kJson, kYaml, kName, kJsonPath };

Result<Output> parse_output(std::string_view text) {
  if (text.starts_with("jsonpath=")) return Output::kJsonPath;
  if (text == "wide") return Output::kWide;
  if (text == "json") return Output::kJson;
  if (text == "yaml") return Output::kYaml;
  if (text == "name") return Output::kName;
  return invalid_argument(
      fmt::format("must be wide, json, yaml, name or jsonpath=TEMPLATE, not \"{}\"", text));
}

// What one request answered: a list's items, or one object.
struct Answer {
  std::vector<Node> objects;
  bool listed = false;  // a list (of a kind), not objects asked by name
};

// `get -w` after its table: a line for every change, each row aligned on its own (kubectl flushes
// its tabwriter after every event), until the server ends the watch or the output goes away.
int watch_rows(ApiClient& client, const NamedObject& object, const std::string& namespace_name,
               const std::string& selector, const Node& listed, const TablePrintOptions& options,
               std::ostream& out, std::ostream& err) {
  const std::string version = text_at(listed, {"metadata", "resourceVersion"});
  std::string target = collection_path(*object.resource, namespace_name) + "?watch=1";
  if (!version.empty()) {
    target += "&resourceVersion=" + query_escape(version);
  }
  if (!object.name.empty())
    target += "&fieldSelector=" + query_escape("metadata.name=" + object.name);
  if (!selector.empty()) target += "&labelSelector=" + query_escape(selector);
  // Each row as wide as every line printed before it, as kubectl's tabwriter keeps them: the
  // changes line up under the table, and a wider cell widens its column from then on.
  TablePrintOptions with_headers = options;
  with_headers.headers = true;
  Result<std::vector<std::vector<std::string>>> printed = table_cells(listed, with_headers);
  if (!printed) return report_failure(err, printed.status());
  std::vector<std::size_t> widths = column_widths(*printed);
  Status not_a_table;
  WatchEvents events([&](const std::string& /*type*/, const Node& table) {
    // Only the first event carries the columns; the list's are the same.
    Node rows = table;
    if (const Node* columns = listed.find("columnDefinitions")) {
      rows.set("columnDefinitions", *columns);
    }
    Result<std::vector<std::vector<std::string>>> cells = table_cells(rows, options);
    if (!cells) {
      not_a_table = cells.status();
      return false;
    }
    for (const std::vector<std::string>& row : *cells) {
      out << align_columns({row}, {}, widths);
      const std::vector<std::size_t> these = column_widths({row});
      widths.resize(std::max(widths.size(), these.size()), 0);
      for (std::size_t i = 0; i < these.size(); ++i) widths[i] = std::max(widths[i], these[i]);
    }
    return true;
  });
  Status watched =
      client.stream(target, "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
                    [&](std::string_view data) {
                      const bool more = events.feed(data);
                      out.flush();
                      return more && out.good();
                    });
  if (!events.problem().is_ok()) return report_failure(err, events.problem());
  if (!not_a_table.is_ok()) return report_failure(err, not_a_table);
  if (!watched.is_ok()) return report_failure(err, watched);
  return kExitOk;
}

}  // namespace

int run_get(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  Output output = Output::kTable;
  std::string selector;
  bool headers = true;
  bool watch = false;
  std::string jsonpath;  // -o jsonpath=TEMPLATE
  std::vector<std::string> positional;
  const VerbUsage usage{"get", kUsage};
  const auto fail = [&](const Status& status) { return usage.fail(err, status); };
  const std::optional<int> exit = read_verb_line(
      usage, args, out, err, cluster, &positional, [&](FlagReader& flags, Status* error) {
        if (flags.is("-o", "--output")) {
          // The value is kept whole: jsonpath=TEMPLATE carries the template.
          Result<std::string> text = flags.value();
          Result<Output> chosen = text ? parse_output(*text) : Result<Output>(text.status());
          if (!text) {
            *error = text.status();
          } else if (!chosen) {
            *error = flags.error(chosen.status().message());
          } else {
            output = *chosen;
          }
          if (chosen && output == Output::kJsonPath)
            jsonpath = text->substr(std::string_view("jsonpath=").size());
          return true;
        }
        if (flags.is("-l", "--selector")) {
          Result<std::string> value = flags.value();
          if (value) selector = *value;
          *error = value.status();
          return true;
        }
        if (flags.is("-w", "--watch")) {
          *error = flags.is_switch();
          watch = true;
          return true;
        }
        if (flags.is("--no-headers")) {
          *error = flags.is_switch();
          headers = false;
          return true;
        }
        return false;
      });
  if (exit) return *exit;
  if (positional.empty()) return fail(invalid_argument("name a kind: nodrop get pods"));

  Result<std::vector<NamedObject>> wanted = named_objects(positional, true);
  if (!wanted) return report_failure(err, wanted.status());
  if (watch && (wanted->size() != 1 || (output != Output::kTable && output != Output::kWide))) {
    return fail(invalid_argument("-w watches one kind (or one object), printed as a table"));
  }

  Result<ApiClient> client = ApiClient::connect(cluster, ClusterEnvironment::of_process());
  if (!client) return report_failure(err, client.status());
  const std::string namespace_name = cluster.all_namespaces ? "" : client->namespace_name();
  const bool table = output == Output::kTable || output == Output::kWide;

  // Tables, one per run of requests for the same kind (`get deploy a b`: one table of two rows);
  // objects and their names for the other outputs.
  std::vector<std::pair<const apiserver::Resource*, Node>> tables;
  std::vector<Node> objects;
  std::vector<std::string> names;
  for (const auto& [resource, name] : *wanted) {
    // -w with a name lists by a field selector, as kubectl does: a list's Table carries the
    // resourceVersion the watch starts from.
    std::string target = name.empty() || watch ? collection_path(*resource, namespace_name)
                                               : object_path(*resource, namespace_name, name);
    std::string query;
    if (!name.empty() && watch) query += "&fieldSelector=" + query_escape("metadata.name=" + name);
    if (name.empty() && !selector.empty()) query += "&labelSelector=" + query_escape(selector);
    if (!query.empty()) target += "?" + query.substr(1);
    Result<Node> answer =
        client->request_json("GET", target, "", "",
                             table ? "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
                                   : "application/json");
    if (!answer) return report_failure(err, answer.status());
    if (table) {
      const Node* rows = answer->find("rows");
      if (!tables.empty() && tables.back().first == resource && rows != nullptr &&
          rows->is_sequence()) {
        Node& previous = tables.back().second;
        for (Node::Entry& entry : previous.entries()) {
          if (entry.key != "rows" || !entry.value.is_sequence()) continue;
          for (const Node& row : rows->items()) entry.value.push(row);
        }
      } else {
        tables.emplace_back(resource, std::move(answer).value());
      }
      continue;
    }
    std::vector<Node> got;
    if (name.empty()) {
      const Node* items = answer->find("items");
      if (items != nullptr && items->is_sequence()) got = items->items();
      // A list's items carry no kind in Kubernetes' answers; kubectl puts it back.
      for (Node& item : got) {
        if (item.find("kind") == nullptr) item.set("kind", Node::string(resource->kind));
        if (item.find("apiVersion") == nullptr) {
          item.set("apiVersion", Node::string(resource->group_version()));
        }
      }
    } else {
      got.push_back(std::move(answer).value());
    }
    for (Node& object : got) {
      names.push_back(output_name(*resource) + "/" + text_at(object, {"metadata", "name"}));
      objects.push_back(std::move(object));
    }
  }

  // kubectl names each object with its kind when a `get` shows more than one kind.
  bool several_kinds = false;
  for (const NamedObject& object : *wanted) {
    several_kinds = several_kinds || object.resource != (*wanted)[0].resource;
  }
  std::string table_text;
  for (const auto& [resource, answer] : tables) {
    Result<std::string> text =
        print_table(answer, {.wide = output == Output::kWide,
                             .with_namespace = cluster.all_namespaces && resource->namespaced,
                             .headers = headers,
                             .name_prefix = several_kinds ? output_name(*resource) + "/" : ""});
    if (!text) return report_failure(err, text.status());
    if (text->empty()) continue;
    if (!table_text.empty()) table_text += "\n";  // a blank line between kinds
    table_text += *text;
  }

  // kubectl says there is nothing only for tables; -o name prints nothing, -o json|yaml an empty
  // List.
  const bool by_name = wanted->size() == 1 && !(*wanted)[0].name.empty();
  if (table && table_text.empty() && !by_name) {
    if (cluster.all_namespaces || !(*wanted)[0].resource->namespaced) {
      err << "No resources found\n";
    } else {
      err << "No resources found in " << namespace_name << " namespace.\n";
    }
    return kExitOk;
  }
  switch (output) {
    case Output::kTable:
    case Output::kWide:
      out << table_text;
      if (watch) {
        out.flush();
        return watch_rows(
            *client, (*wanted)[0], namespace_name, selector, tables[0].second,
            {.wide = output == Output::kWide,
             .with_namespace = cluster.all_namespaces && (*wanted)[0].resource->namespaced,
             .headers = false},
            out, err);
      }
      break;
    case Output::kName:
      for (const std::string& name : names) out << name << "\n";
      break;
    case Output::kJson:
    case Output::kYaml:
    case Output::kJsonPath: {
      Node shown;
      if (objects.size() == 1 && by_name) {
        shown = objects[0];
      } else {
        shown = Node::mapping();
        shown.set("apiVersion", Node::string("v1"));
        Node items = Node::sequence();
        for (const Node& object : objects) items.push(object);
        shown.set("items", std::move(items));
        shown.set("kind", Node::string("List"));
        Node metadata = Node::mapping();
        metadata.set("resourceVersion", Node::string(""));
        shown.set("metadata", std::move(metadata));
      }
      if (output == Output::kJsonPath) {
        Result<std::string> text = apply_jsonpath(jsonpath, shown);
        if (!text) {
          err << "error: error parsing jsonpath " << jsonpath << ", " << text.status().message()
              << "\n";
          return kExitFailure;
        }
        out << *text;
        break;
      }
      out << (output == Output::kJson ? go_json_indented(shown) : manifest::write_yaml(shown));
      break;
    }
  }
  return kExitOk;
}

}  // namespace nodrop::cli
