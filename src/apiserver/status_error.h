// Kubernetes' Status: how the API answers every error (metav1.Status with a reason and an HTTP
// code), so that kubectl prints "Error from server (NotFound): deployments.apps "web" not found"
// and client libraries read the reason.
#pragma once

#include <string>

#include "api/field_error.h"
#include "base/status.h"
#include "http/exchange.h"
#include "manifest/node.h"

namespace nodrop::apiserver {

struct ApiError {
  int code = 500;
  std::string reason{};  // "NotFound", "AlreadyExists", "Conflict", "Invalid", "BadRequest", ...
  std::string message{};
  // details: what the error is about; causes for Invalid, each with its field path.
  std::string name{};
  std::string group{};
  std::string kind{};  // the resource's plural as Kubernetes puts it there ("deployments")
  api::FieldErrors causes{};
};

ApiError bad_request(std::string message);
ApiError not_found_error(std::string message);
ApiError method_not_allowed(std::string message);
ApiError unauthorized();
ApiError unsupported_media_type(std::string message);
ApiError not_acceptable(std::string message);
ApiError too_large(std::string message);
ApiError internal(std::string message);

// The Status object of error.
manifest::Node status_object(const ApiError& error);
http::ServerResponse error_response(const ApiError& error);
// The reason Kubernetes gives a code when nothing more is known: 408 Timeout, 411 BadRequest...
http::ServerResponse error_response(int code, const std::string& message);

}  // namespace nodrop::apiserver
