#include "apiserver/resources.h"

namespace nodrop::apiserver {

std::string Resource::group_version() const {
  return std::string(group).empty() ? std::string(version) : std::string(group) + "/" + version;
}

std::string Resource::qualified() const {
  return std::string(group).empty() ? std::string(plural) : std::string(plural) + "." + group;
}

std::string Resource::prefix() const {
  return std::string(group).empty() ? "/api/" + std::string(version) : "/apis/" + group_version();
}

const Subresource* Resource::subresource(std::string_view name) const {
  for (const Subresource& sub : subresources) {
    if (name == sub.name) return &sub;
  }
  return nullptr;
}

std::vector<const char*> Resource::verbs() const {
  if (!writable) return {"get", "list", "watch"};
  return {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
}

namespace {

Resource refused(const char* group, const char* version, const char* plural, const char* singular,
                 const char* kind, std::vector<const char*> short_names) {
  return {.group = group,
          .version = version,
          .plural = plural,
          .singular = singular,
          .kind = kind,
          .runs = false,
          .short_names = std::move(short_names)};
}

}  // namespace

const std::vector<Resource>& resources() {
  static const Subresource kPodStatus{"status", "", "v1", "Pod", {"get", "patch", "update"}};
  static const std::vector<Resource> kResources = {
      {.group = "",
       .version = "v1",
       .plural = "namespaces",
       .singular = "namespace",
       .kind = "Namespace",
       .namespaced = false,
       .short_names = {"ns"},
       .subresources = {{"status", "", "v1", "Namespace", {"get", "patch", "update"}}}},
      {.group = "",
       .version = "v1",
       .plural = "nodes",
       .singular = "node",
       .kind = "Node",
       .namespaced = false,
       .short_names = {"no"},
       .subresources = {{"status", "", "v1", "Node", {"get", "patch", "update"}}}},
      {.group = "",
       .version = "v1",
       .plural = "pods",
       .singular = "pod",
       .kind = "Pod",
       .short_names = {"po"},
       .categories = {"all"},
       .subresources = {kPodStatus, {"log", "", "v1", "Pod", {"get"}}}},
      {.group = "",
       .version = "v1",
       .plural = "services",
       .singular = "service",
       .kind = "Service",
       .short_names = {"svc"},
       .categories = {"all"},
       .subresources = {{"status", "", "v1", "Service", {"get", "patch", "update"}}}},
      {.group = "",
       .version = "v1",
       .plural = "endpoints",
       .singular = "endpoints",
       .kind = "Endpoints",
       .writable = false,
       .short_names = {"ep"}},
      {.group = "",
       .version = "v1",
       .plural = "events",
       .singular = "event",
       .kind = "Event",
       .short_names = {"ev"}},
      {.group = "apps",
       .version = "v1",
       .plural = "deployments",
       .singular = "deployment",
       .kind = "Deployment",
       .short_names = {"deploy"},
       .categories = {"all"},
       .subresources = {{"status", "apps", "v1", "Deployment", {"get", "patch", "update"}},
                        {"scale", "autoscaling", "v1", "Scale", {"get", "patch", "update"}}}},
      {.group = "apps",
       .version = "v1",
       .plural = "replicasets",
       .singular = "replicaset",
       .kind = "ReplicaSet",
       .short_names = {"rs"},
       .categories = {"all"},
       .subresources = {{"status", "apps", "v1", "ReplicaSet", {"get", "patch", "update"}},
                        {"scale", "autoscaling", "v1", "Scale", {"get", "patch", "update"}}}},
      {.group = "discovery.k8s.io",
       .version = "v1",
       .plural = "endpointslices",
       .singular = "endpointslice",
       .kind = "EndpointSlice"},
      {.group = "events.k8s.io",
       .version = "v1",
       .plural = "events",
       .singular = "event",
       .kind = "Event",
       .short_names = {"ev"}},
      // Stored and served; nodrop acts on none of them.
      {.group = "",
       .version = "v1",
       .plural = "configmaps",
       .singular = "configmap",
       .kind = "ConfigMap",
       .short_names = {"cm"}},
      {.group = "", .version = "v1", .plural = "secrets", .singular = "secret", .kind = "Secret"},
      {.group = "",
       .version = "v1",
       .plural = "serviceaccounts",
       .singular = "serviceaccount",
       .kind = "ServiceAccount",
       .short_names = {"sa"}},
      // Kinds nodrop does not run.
      refused("apps", "v1", "statefulsets", "statefulset", "StatefulSet", {"sts"}),
      refused("apps", "v1", "daemonsets", "daemonset", "DaemonSet", {"ds"}),
      refused("batch", "v1", "jobs", "job", "Job", {}),
      refused("batch", "v1", "cronjobs", "cronjob", "CronJob", {"cj"}),
      refused("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", {"ing"}),
      refused("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy",
              {"netpol"}),
      refused("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler",
              "HorizontalPodAutoscaler", {"hpa"}),
      refused("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget",
              {"pdb"}),
      refused("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim",
              {"pvc"}),

  };
  return kResources;
}

const std::vector<GroupVersion>& group_versions() {
  static const std::vector<GroupVersion> kGroupVersions = {{"", "v1"},
                                                           {"apps", "v1"},
                                                           {"discovery.k8s.io", "v1"},
                                                           {"events.k8s.io", "v1"},
                                                           {"batch", "v1"},
                                                           {"networking.k8s.io", "v1"},
                                                           {"autoscaling", "v2"},
                                                           {"policy", "v1"}};
  return kGroupVersions;
}

const Resource* find_resource(std::string_view group, std::string_view version,
                              std::string_view plural) {
  for (const Resource& resource : resources()) {
    if (group == resource.group && version == resource.version && plural == resource.plural) {
      return &resource;
    }
  }
  return nullptr;
}

const Resource* resource_of_kind(std::string_view group, std::string_view kind) {
  for (const Resource& resource : resources()) {
    if (group == resource.group && kind == resource.kind) return &resource;
  }
  return nullptr;
}

}  // namespace nodrop::apiserver
