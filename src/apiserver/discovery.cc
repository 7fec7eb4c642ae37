#include "apiserver/discovery.h"

#include <fmt/format.h>

#include "apiserver/json.h"
#include "apiserver/resources.h"

namespace nodrop::apiserver {
namespace {

Node group_version_entry(const std::string& group, const std::string& version) {
  return object_of({{"groupVersion", text(group + "/" + version)}, {"version", text(version)}});
}

Node api_resource(const Resource& resource) {
  Node entry = object_of({{"name", text(resource.plural)},
                          {"singularName", text(resource.singular)},
                          {"namespaced", Node::boolean(resource.namespaced)},
                          {"kind", text(resource.kind)},
                          {"verbs", strings_of(resource.verbs())}});
  if (!resource.short_names.empty()) entry.set("shortNames", strings_of(resource.short_names));
  if (!resource.categories.empty()) entry.set("categories", strings_of(resource.categories));
  return entry;
}

Node api_subresource(const Resource& resource, const Subresource& sub) {
  Node entry = object_of({{"name", text(std::string(resource.plural) + "/" + sub.name)},
                          {"singularName", text("")},
                          {"namespaced", Node::boolean(resource.namespaced)}});
  if (std::string(sub.group) != resource.group) {
    entry.set("group", text(sub.group));
    entry.set("version", text(sub.version));
  }
  entry.set("kind", text(sub.kind));
  entry.set("verbs", strings_of(sub.verbs));
  return entry;
}

std::string gv_path(const GroupVersion& gv) {
  return gv.group.empty() ? "api/" + gv.version : "apis/" + gv.group + "/" + gv.version;
}

Node gvk(const char* group, const char* version, const char* kind) {
  return object_of({{"group", text(group)}, {"version", text(version)}, {"kind", text(kind)}});
}

Node query_parameter(const char* name, const char* description) {
  return object_of({{"name", text(name)},
                    {"in", text("query")},
                    {"description", text(description)},
                    {"schema", object_of({{"type", text("string")}})},
                    {"uniqueItems", Node::boolean(true)}});
}

Node write_parameters() {
  Node parameters = Node::sequence();
  parameters.push(query_parameter("dryRun", "All: validate and answer, store nothing"));
  parameters.push(query_parameter(
      "fieldValidation", "Strict, Warn (default) or Ignore: what unknown or duplicate fields do"));
  parameters.push(query_parameter("fieldManager", "the name of the writer"));
  return parameters;
}

Node json_response() {
  Node content = object_of({{"application/json", object_of({{"schema", Node::mapping()}})}});
  return object_of({{"200", object_of({{"description", text("OK")}, {"content", content}})}});
}

Node operation(const char* action, const std::string& id, const Node& kind, bool writes,
               const std::vector<const char*>& content_types) {
  Node op = object_of({{"operationId", text(id)},
                       {"responses", json_response()},
                       {"x-kubernetes-action", text(action)},
                       {"x-kubernetes-group-version-kind", kind}});
  if (writes) {
    op.set("parameters", write_parameters());
    Node content = Node::mapping();
    for (const char* type : content_types) {
      content.set(type, object_of({{"schema", Node::mapping()}}));
    }
    op.set("requestBody", object_of({{"content", content}, {"required", Node::boolean(true)}}));
  }
  return op;
}

Node path_parameter(const char* name) {
  return object_of({{"name", text(name)},
                    {"in", text("path")},
                    {"required", Node::boolean(true)},
                    {"schema", object_of({{"type", text("string")}})}});
}

void add_paths(Node& paths, const Resource& resource) {
  const std::string base =
      resource.prefix() + (resource.namespaced ? "/namespaces/{namespace}" : "");
  const std::string collection = base + "/" + resource.plural;
  const std::string item = collection + "/{name}";
  const Node kind = gvk(resource.group, resource.version, resource.kind);
  const std::string id = fmt::format("{}{}", resource.kind, resource.version);
  const std::vector<const char*> json = {"application/json", "application/yaml"};
  const std::vector<const char*> patches = {
      "application/json-patch+json", "application/merge-patch+json",
      "application/strategic-merge-patch+json", "application/apply-patch+yaml"};
  Node collection_ops = Node::mapping();
  collection_ops.set("get", operation("list", "list" + id, kind, false, {}));
  if (resource.writable) {
    collection_ops.set("post", operation("post", "create" + id, kind, true, json));
    collection_ops.set("delete",
                       operation("deletecollection", "deletecollection" + id, kind, false, {}));
  }
  Node parameters = Node::sequence();
  if (resource.namespaced) parameters.push(path_parameter("namespace"));
  collection_ops.set("parameters", parameters);
  paths.set(collection, std::move(collection_ops));

  Node item_ops = Node::mapping();
  item_ops.set("get", operation("get", "read" + id, kind, false, {}));
  if (resource.writable) {
    item_ops.set("put", operation("put", "replace" + id, kind, true, json));
    item_ops.set("patch", operation("patch", "patch" + id, kind, true, patches));
    item_ops.set("delete", operation("delete", "delete" + id, kind, false, {}));
  }
  Node item_parameters = parameters;
  item_parameters.push(path_parameter("name"));
  item_ops.set("parameters", item_parameters);
  paths.set(item, std::move(item_ops));

  for (const Subresource& sub : resource.subresources) {
    if (std::string(sub.name) == "log") continue;
    const Node sub_kind = gvk(sub.group, sub.version, sub.kind);
    Node ops = Node::mapping();
    ops.set("get", operation("get", "read" + id + sub.name, sub_kind, false, {}));
    ops.set("put", operation("put", "replace" + id + sub.name, sub_kind, true, json));
    ops.set("patch", operation("patch", "patch" + id + sub.name, sub_kind, true, patches));
    ops.set("parameters", item_parameters);
    paths.set(item + "/" + sub.name, std::move(ops));
  }
}

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

Node version_document() {
  return object_of({{"major", text(kServedMajor)},
                    {"minor", text(kServedMinor)},
                    {"gitVersion", text(kServedGitVersion)},
                    {"gitCommit", text("")},
                    {"gitTreeState", text("clean")},
                    {"buildDate", text("2026-01-01T00:00:00Z")},
                    {"goVersion", text("nodrop (C++20)")},
                    {"compiler", text("gc")},
                    {"platform", text("linux/amd64")}});
}

Node core_versions(const std::string& server_address) {
  Node cidrs = Node::sequence();
  cidrs.push(
      object_of({{"clientCIDR", text("0.0.0.0/0")}, {"serverAddress", text(server_address)}}));
  return object_of({{"kind", text("APIVersions")},
                    {"versions", strings_of(std::vector<const char*>{"v1"})},
                    {"serverAddressByClientCIDRs", std::move(cidrs)}});
}

Node group_list() {
  Node groups = Node::sequence();
  for (const GroupVersion& gv : group_versions()) {
    if (gv.group.empty()) continue;
    Node versions = Node::sequence();
    versions.push(group_version_entry(gv.group, gv.version));
    groups.push(object_of({{"name", text(gv.group)},
                           {"versions", std::move(versions)},
                           {"preferredVersion", group_version_entry(gv.group, gv.version)}}));
  }
  return object_of(
      {{"kind", text("APIGroupList")}, {"apiVersion", text("v1")}, {"groups", std::move(groups)}});
}

std::optional<Node> resource_list(const std::string& group, const std::string& version) {
  bool served = false;
  for (const GroupVersion& gv : group_versions()) {
    served = served || (gv.group == group && gv.version == version);
  }
  if (!served) return std::nullopt;
  Node list = Node::sequence();
  for (const Resource& resource : resources()) {
    if (group != resource.group || version != resource.version) continue;
    list.push(api_resource(resource));
    for (const Subresource& sub : resource.subresources) {
      list.push(api_subresource(resource, sub));
    }
  }
  return object_of({{"kind", text("APIResourceList")},
                    {"apiVersion", text("v1")},
                    {"groupVersion", text(group.empty() ? version : group + "/" + version)},
                    {"resources", std::move(list)}});
}

std::optional<Node> openapi_document(const std::string& path) {
  for (const GroupVersion& gv : group_versions()) {
    if (path != gv_path(gv)) continue;
    Node paths = Node::mapping();
    for (const Resource& resource : resources()) {
      if (gv.group == resource.group && gv.version == resource.version) {
        add_paths(paths, resource);
      }
    }
    return object_of({{"openapi", text("3.0.0")},
                      {"info", object_of({{"title", text("Kubernetes (nodrop)")},
                                          {"version", text(kServedGitVersion)}})},
                      {"paths", std::move(paths)},
                      {"components", object_of({{"schemas", Node::mapping()}})}});
  }
  return std::nullopt;
}

Node openapi_root() {
  Node paths = Node::mapping();
  for (const GroupVersion& gv : group_versions()) {
    const std::string path = gv_path(gv);
    const std::uint64_t hash = fnv1a(to_json(*openapi_document(path)));
    paths.set(path, object_of({{"serverRelativeURL",
                                text(fmt::format("/openapi/v3/{}?hash={:016X}", path, hash))}}));
  }
  return object_of({{"paths", std::move(paths)}});
}

}  // namespace nodrop::apiserver
