// The resources nodrop's Kubernetes API serves, as discovery lists them: group, version, plural
// name, kind, scope, short names, categories, verbs and subresources. One table, read by
// discovery, the OpenAPI documents, the router and the tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nodrop::apiserver {

struct Subresource {
  const char* name;   // "status", "scale", "log"
  const char* group;  // of the subresource's kind: "" (core), "autoscaling"
  const char* version;
  const char* kind;  // "Scale", "Pod"
  std::vector<const char*> verbs;
};

struct Resource {
  const char* group;     // "" for the core group
  const char* version;   // "v1"
  const char* plural;    // "deployments"
  const char* singular;  // "deployment"
  const char* kind;      // "Deployment"
  bool namespaced = true;
  bool writable = true;  // false: derived by nodrop (endpoints), read-only
  // false: a kind of Kubernetes nodrop does not run (Ingress, StatefulSet, ...): listed by
  // discovery so that kubectl sends its requests here, which list nothing and refuse every write
  // naming the kind.
  bool runs = true;
  std::vector<const char*> short_names{};
  std::vector<const char*> categories{};  // "all"
  std::vector<Subresource> subresources{};

  // "apps/v1", "v1".
  std::string group_version() const;
  // "deployments.apps", "pods": how Status messages name the resource.
  std::string qualified() const;
  // "/apis/apps/v1" or "/api/v1".
  std::string prefix() const;
  const Subresource* subresource(std::string_view name) const;
  std::vector<const char*> verbs() const;
};

struct GroupVersion {
  std::string group;
  std::string version;
};

const std::vector<Resource>& resources();
// The group versions served, core first: v1, apps/v1, discovery.k8s.io/v1, events.k8s.io/v1, then
// those of kinds nodrop does not run.
const std::vector<GroupVersion>& group_versions();
// The resource with that plural in that group and version, or null.
const Resource* find_resource(std::string_view group, std::string_view version,
                              std::string_view plural);
// The resource that stores objects of kind in its group ("Deployment" -> deployments.apps); null
// for a kind nodrop does not serve.
const Resource* resource_of_kind(std::string_view group, std::string_view kind);

}  // namespace nodrop::apiserver
