#include "api/object.h"

namespace nodrop::api {
namespace {

template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;  // clang 14 lacks aggregate deduction

}  // namespace

const char* kind_of(const Object& object) {
  return std::visit(
      Overloaded{[](const Deployment&) { return "Deployment"; },
                 [](const ReplicaSet&) { return "ReplicaSet"; }, [](const Pod&) { return "Pod"; },
                 [](const Service&) { return "Service"; },
                 [](const EndpointSlice&) { return "EndpointSlice"; },
                 [](const Node&) { return "Node"; }, [](const Event&) { return "Event"; },
                 [](const ConfigMap&) { return "ConfigMap"; },
                 [](const Secret&) { return "Secret"; },
                 [](const ServiceAccount&) { return "ServiceAccount"; }},
      object);
}

const char* api_version_of(const Object& object) {
  return std::visit(
      Overloaded{[](const Deployment&) { return "apps/v1"; },
                 [](const ReplicaSet&) { return "apps/v1"; }, [](const Pod&) { return "v1"; },
                 [](const Service&) { return "v1"; },
                 [](const EndpointSlice&) { return "discovery.k8s.io/v1"; },
                 [](const Node&) { return "v1"; }, [](const Event&) { return "v1"; },
                 [](const ConfigMap&) { return "v1"; }, [](const Secret&) { return "v1"; },
                 [](const ServiceAccount&) { return "v1"; }},
      object);
}

const ObjectMeta& metadata_of(const Object& object) {
  return std::visit([](const auto& typed) -> const ObjectMeta& { return typed.metadata; }, object);
}

ObjectMeta& metadata_of(Object& object) {
  return std::visit([](auto& typed) -> ObjectMeta& { return typed.metadata; }, object);
}

bool is_namespaced(const Object& object) { return !std::holds_alternative<Node>(object); }

std::string describe(const Object& object) {
  const ObjectMeta& metadata = metadata_of(object);
  std::string name = metadata.name.empty() ? "(unnamed)" : metadata.name;
  if (is_namespaced(object)) {
    name = (metadata.namespace_name.empty() ? "default" : metadata.namespace_name) + "/" + name;
  }
  return std::string(kind_of(object)) + " " + name;
}

std::string qualified_resource_of_kind(const std::string& kind) {
  if (kind == "Deployment") return "deployments.apps";
  if (kind == "ReplicaSet") return "replicasets.apps";
  if (kind == "Pod") return "pods";
  if (kind == "Service") return "services";
  if (kind == "EndpointSlice") return "endpointslices.discovery.k8s.io";
  if (kind == "Node") return "nodes";
  if (kind == "Event") return "events";
  if (kind == "ConfigMap") return "configmaps";
  if (kind == "Secret") return "secrets";
  if (kind == "ServiceAccount") return "serviceaccounts";
  std::string lower;
  for (const char c : kind) lower += c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  return lower;
}

}  // namespace nodrop::api
