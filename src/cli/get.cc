// nodrop get KIND [NAME...] [-o wide|json|yaml|name|jsonpath=T|custom-columns=C] [-l SELECTOR]
//           [-n NS] [-A] [-w]
//
// kubectl's `get`: the server's Table for the kind (apiserver/tables.h) printed as kubectl prints
// it (table_printer.h; several kinds: a table each, names prefixed with their kind), or the
// objects themselves as JSON or YAML (go_json.h, go_yaml.h), their names as KIND.GROUP/NAME, a
// JSONPath template applied to them (jsonpath.h), or columns of JSONPath values.
// With -w, what follows the first listing: a row for each change (tables), or each changed object
// in the output's form (YAML documents separated by "---").
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "apiserver/json.h"
#include "cli/api_client.h"
#include "cli/go_json.h"
#include "cli/go_yaml.h"
#include "cli/jsonpath.h"
#include "cli/kind_and_names.h"
#include "cli/node_paths.h"
#include "cli/table_printer.h"
#include "cli/verb.h"
#include "cli/verbs_list.h"
#include "cli/watch_events.h"
#include "manifest/file_reader.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

constexpr char kUsage[] =
    "Usage: nodrop get KIND [NAME...] [-o wide|json|yaml|name|...] [-l SELECTOR] [flags]\n"
    "       nodrop get KIND/NAME...\n"
    "\n"
    "Lists objects of a kind, or the ones named, as kubectl does. KIND is a resource's plural,\n"
    "singular or short name: deployments (deploy), replicasets (rs), pods (po), services (svc),\n"
    "endpoints (ep), nodes (no), events (ev), configmaps (cm), ...\n"
    "\n"
    "  -o, --output F          wide (more columns), json, yaml, name (KIND/NAME),\n"
    "                          jsonpath=TEMPLATE ('{.spec.replicas}', '{range "
    ".items[*]}...{end}'),\n"
    "                          custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image\n"
    "                          or custom-columns-file=FILE (a line of headers, a line of paths)\n"
    "  -l, --selector S        only objects whose labels match (app=web,tier!=db,env in (a,b))\n"
    "  --no-headers            the table without its header line\n"
    "  -w, --watch             after the objects, each change (a row, or the object in the\n"
    "                          output's form), until interrupted\n";

enum class Output { kTable, kWide, kJson, kYaml, kName, kJsonPath, kCustomColumns };

Result<Output> parse_output(std::string_view text) {
  if (text.starts_with("jsonpath=")) return Output::kJsonPath;
  if (text.starts_with("custom-columns=") || text.starts_with("custom-columns-file=")) {
    return Output::kCustomColumns;
  }
  if (text == "wide") return Output::kWide;
  if (text == "json") return Output::kJson;
  if (text == "yaml") return Output::kYaml;
  if (text == "name") return Output::kName;
  return invalid_argument(
      fmt::format("must be wide, json, yaml, name, jsonpath=TEMPLATE or custom-columns=SPEC, not "
                  "\"{}\"",
                  text));
}

// One column of -o custom-columns: its header and the path of its values.
struct Column {
  std::string header;
  std::string path;
};

// A column's path as kubectl relaxes it: `.a.b`, `a.b`, `{.a.b}` and `{a.b}` all mean `.a.b`.
Result<std::string> relaxed_path(std::string_view text) {
  if (text.empty()) return std::string();
  std::string_view inside = text;
  if (inside.size() >= 2 && inside.front() == '{' && inside.back() == '}') {
    inside = inside.substr(1, inside.size() - 2);
  }
  if (inside.starts_with(".")) inside.remove_prefix(1);
  if (inside.empty() || inside.find_first_of("{}") != std::string_view::npos) {
    return invalid_argument(
        "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' "
        "or '{.name1.name2}'");
  }
  std::string path = "." + std::string(inside);
  // Checked now, so that a path that does not parse is refused before anything is asked.
  Result<std::vector<const Node*>> parsed = find_jsonpath(path, Node::mapping());
  if (!parsed) return parsed.status();
  return path;
}

// custom-columns=HEADER:PATH,... as kubectl splits it (a comma always ends a column).
Result<std::vector<Column>> parse_columns(std::string_view spec) {
  if (spec.empty()) {
    return invalid_argument("custom-columns format specified but no custom columns given");
  }
  std::vector<Column> columns;
  while (true) {
    const std::size_t comma = spec.find(',');
    const std::string_view part = spec.substr(0, comma);
    const std::size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      return invalid_argument(fmt::format(
          "unexpected custom-columns spec: {}, expected <header>:<json-path-expr>", part));
    }
    Result<std::string> path = relaxed_path(part.substr(colon + 1));
    if (!path) return path.status();
    columns.push_back({std::string(part.substr(0, colon)), std::move(path).value()});
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  return columns;
}

std::vector<std::string> split_on_whitespace(std::string_view line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.emplace_back(line.substr(start, i - start));
  }
  return words;
}

// custom-columns-file=FILE: a line of headers, then a line of paths, each separated by spaces.
Result<std::vector<Column>> read_columns_file(const std::string& path) {
  Result<std::string> text = manifest::read_manifest_file(path);
  if (!text) return invalid_argument(path + ": " + text.status().message());
  const std::size_t first_end = text->find('\n');
  if (first_end == std::string::npos) {
    return invalid_argument(
        "invalid template, missing spec line. Expected format is one line of space separated "
        "headers, one line of space separated column specs.");
  }
  const std::vector<std::string> headers = split_on_whitespace(text->substr(0, first_end));
  const std::size_t second_end = text->find('\n', first_end + 1);
  const std::vector<std::string> paths =
      split_on_whitespace(text->substr(first_end + 1, second_end - first_end - 1));
  if (headers.size() != paths.size()) {
    return invalid_argument(
        fmt::format("number of headers ({}) and field specifications ({}) don't match",
                    headers.size(), paths.size()));
  }
  std::vector<Column> columns;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    Result<std::string> relaxed = relaxed_path(paths[i]);
    if (!relaxed) return relaxed.status();
    columns.push_back({headers[i], std::move(relaxed).value()});
  }
  return columns;
}

// One object's cells: each column's values as Go's fmt.Sprint writes them, joined by commas;
// <none> where the path leads nowhere. Escape and carriage return shown as ^[ and \r, as kubectl
// keeps them from the terminal.
Result<std::vector<std::string>> column_cells(const std::vector<Column>& columns,
                                              const Node& object) {
  std::vector<std::string> cells;
  for (const Column& column : columns) {
    Result<std::vector<const Node*>> values = find_jsonpath(column.path, object);
    if (!values) return values.status();
    std::string cell = values->empty() ? "<none>" : "";
    for (std::size_t i = 0; i < values->size(); ++i) {
      if (i > 0) cell += ',';
      for (const char c : go_sprint(*(*values)[i])) {
        if (c == '\x1b') {
          cell += "^[";
        } else if (c == '\r') {
          cell += "\\r";
        } else {
          cell += c;
        }
      }
    }
    cells.push_back(std::move(cell));
  }
  return cells;
}

// An object printed alone in a non-table output, as `get -w` prints each one.
struct ObjectPrinter {
  Output output;
  const std::string& jsonpath;
  std::size_t printed = 0;  // YAML documents after the first start with "---"

  Result<std::string> print(const Node& object, const std::string& name) {
    switch (output) {
      case Output::kJson:
        return go_json_indented(object);
      case Output::kYaml:
        return std::string(printed++ > 0 ? "---\n" : "") + go_yaml(object);
      case Output::kName:
        return name + "\n";
      case Output::kJsonPath:
        return apply_jsonpath(jsonpath, object);
      case Output::kTable:
      case Output::kWide:
      case Output::kCustomColumns:
        break;
    }
    return invalid_argument("not an output printed object by object");
  }
};

// What one request answered: a list's items, or one object.
struct Answer {
  std::vector<Node> objects;
  bool listed = false;  // a list (of a kind), not objects asked by name
};

// The watch that follows a listing taken at version: of the kind, or of the one object named (by a
// field selector, as kubectl watches one object).
std::string watch_target(const NamedObject& object, const std::string& namespace_name,
                         const std::string& selector, const std::string& version) {
  std::string target = collection_path(*object.resource, namespace_name) + "?watch=1";
  if (!version.empty()) target += "&resourceVersion=" + query_escape(version);
  if (!object.name.empty())
    target += "&fieldSelector=" + query_escape("metadata.name=" + object.name);
  if (!selector.empty()) target += "&labelSelector=" + query_escape(selector);
  return target;
}

// Streams the watch into events, out flushed after each piece, until the server ends it, events
// stop it or out goes away; the exit status, after the first failure's message: the stream's,
// the handler's (handler_failure, set by the events' handler) or the watch's own.
int follow_watch(ApiClient& client, const std::string& target, const std::string& accept,
                 WatchEvents& events, const Status& handler_failure, std::ostream& out,
                 std::ostream& err) {
  Status watched = client.stream(target, accept, [&](std::string_view data) {
    const bool more = events.feed(data);
    out.flush();
    return more && out.good();
  });
  if (!events.problem().is_ok()) return report_failure(err, events.problem());
  if (!handler_failure.is_ok()) return report_failure(err, handler_failure);
  if (!watched.is_ok()) return report_failure(err, watched);
  return kExitOk;
}

// `get -w` after its table: a line for every change, each row aligned on its own (kubectl flushes
// its tabwriter after every event), until the server ends the watch or the output goes away.
int watch_rows(ApiClient& client, const NamedObject& object, const std::string& namespace_name,
               const std::string& selector, const Node& listed, const TablePrintOptions& options,
               std::ostream& out, std::ostream& err) {
  const std::string target = watch_target(object, namespace_name, selector,
                                          text_at(listed, {"metadata", "resourceVersion"}));
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
  return follow_watch(client, target,
                      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json", events,
                      not_a_table, out, err);
}

// `get -w` in a non-table output: each object the watch reports, printed alone, until the
// server ends the watch or the output goes away. kubectl prints a deleted object too.
int watch_objects(ApiClient& client, const NamedObject& object, const std::string& namespace_name,
                  const std::string& selector, const std::string& version, ObjectPrinter& printer,
                  std::ostream& out, std::ostream& err) {
  Status not_printed;
  WatchEvents events([&](const std::string& /*type*/, const Node& changed) {
    Result<std::string> text = printer.print(
        changed, output_name(*object.resource) + "/" + text_at(changed, {"metadata", "name"}));
    if (!text) {
      not_printed = text.status();
      return false;
    }
    out << *text;
    return true;
  });
  return follow_watch(client, watch_target(object, namespace_name, selector, version),
                      "application/json", events, not_printed, out, err);
}

}  // namespace

int run_get(const Args& args, std::ostream& out, std::ostream& err) {
  ClusterFlags cluster;
  Output output = Output::kTable;
  std::string selector;
  bool headers = true;
  bool watch = false;
  std::string jsonpath;         // -o jsonpath=TEMPLATE
  std::vector<Column> columns;  // -o custom-columns=SPEC or custom-columns-file=FILE
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
          if (chosen && output == Output::kCustomColumns) {
            const std::size_t equals = text->find('=');
            Result<std::vector<Column>> read =
                text->starts_with("custom-columns-file=")
                    ? read_columns_file(text->substr(equals + 1))
                    : parse_columns(std::string_view(*text).substr(equals + 1));
            if (read) {
              columns = std::move(read).value();
            } else {
              *error = flags.error(read.status().message());
            }
          }
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
  if (watch && (wanted->size() != 1 || output == Output::kCustomColumns)) {
    return fail(invalid_argument(
        "-w watches one kind (or one object), printed as a table, json, yaml, name or jsonpath"));
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
  std::string listed_version;  // -w: the list's resourceVersion, where the watch starts
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
    if (watch) listed_version = text_at(*answer, {"metadata", "resourceVersion"});
    if (name.empty() || watch) {
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
  if (watch && !table) {
    // Each object alone, as kubectl prints them before the changes.
    ObjectPrinter printer{output, jsonpath};
    for (std::size_t i = 0; i < objects.size(); ++i) {
      Result<std::string> text = printer.print(objects[i], names[i]);
      if (!text) return report_failure(err, text.status());
      out << *text;
    }
    out.flush();
    return watch_objects(*client, (*wanted)[0], namespace_name, selector, listed_version, printer,
                         out, err);
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
    case Output::kCustomColumns: {
      std::vector<std::vector<std::string>> lines;
      if (headers) {
        lines.emplace_back();
        for (const Column& column : columns) lines.back().push_back(column.header);
      }
      for (const Node& object : objects) {
        Result<std::vector<std::string>> cells = column_cells(columns, object);
        if (!cells) return report_failure(err, cells.status());
        lines.push_back(std::move(cells).value());
      }
      out << align_columns(lines);
      break;
    }
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
      out << (output == Output::kJson ? go_json_indented(shown) : go_yaml(shown));
      break;
    }
  }
  return kExitOk;
}

}  // namespace nodrop::cli
