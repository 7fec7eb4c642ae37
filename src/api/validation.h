// Kubernetes' API validation (pkg/apis/{apps,core,discovery}/validation) for the fields nodrop
// reads, with Kubernetes' field paths and messages. Runs on defaulted objects, as the API server
// does, and returns every error at once.
#pragma once

#include <string>

#include "api/field_error.h"
#include "api/object.h"

namespace nodrop::api {

FieldErrors validate(const Object& object);
// As the API server words a refused object: `Deployment.apps "web" is invalid: spec.replicas:
// Invalid value: -1: must be greater than or equal to 0` (several errors in brackets, joined by
// ", ").
std::string invalid_object_message(const Object& object, const FieldErrors& errors);

FieldErrors validate_deployment(const Deployment& deployment);
FieldErrors validate_replica_set(const ReplicaSet& replica_set);
FieldErrors validate_pod(const Pod& pod);
FieldErrors validate_service(const Service& service);
FieldErrors validate_endpoint_slice(const EndpointSlice& slice);
FieldErrors validate_node(const Node& node);
FieldErrors validate_event(const Event& event);

// Name rules from k8s.io/apimachinery/pkg/util/validation; each returns the error messages
// (empty when the value is valid).
std::vector<std::string> is_dns1123_subdomain(const std::string& value);
std::vector<std::string> is_dns1123_label(const std::string& value);
std::vector<std::string> is_dns1035_label(const std::string& value);
std::vector<std::string> is_qualified_name(const std::string& value);
std::vector<std::string> is_valid_label_value(const std::string& value);
std::vector<std::string> is_valid_port_name(const std::string& value);  // IANA_SVC_NAME

}  // namespace nodrop::api
