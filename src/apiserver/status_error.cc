#include "apiserver/status_error.h"

#include "apiserver/json.h"

namespace nodrop::apiserver {

ApiError bad_request(std::string message) {
  return {.code = 400, .reason = "BadRequest", .message = std::move(message)};
}
ApiError not_found_error(std::string message) {
  return {.code = 404, .reason = "NotFound", .message = std::move(message)};
}
ApiError method_not_allowed(std::string message) {
  return {.code = 405, .reason = "MethodNotAllowed", .message = std::move(message)};
}
ApiError unauthorized() {
  return {.code = 401, .reason = "Unauthorized", .message = "Unauthorized"};
}
ApiError unsupported_media_type(std::string message) {
  return {.code = 415, .reason = "UnsupportedMediaType", .message = std::move(message)};
}
ApiError not_acceptable(std::string message) {
  return {.code = 406, .reason = "NotAcceptable", .message = std::move(message)};
}
ApiError too_large(std::string message) {
  return {.code = 413, .reason = "RequestEntityTooLarge", .message = std::move(message)};
}
ApiError internal(std::string message) {
  return {.code = 500, .reason = "InternalError", .message = std::move(message)};
}

namespace {

// metav1.CauseType of a field error ("FieldValueInvalid", ...).
const char* cause_type(api::FieldErrorType type) {
  switch (type) {
    case api::FieldErrorType::kRequired:
      return "FieldValueRequired";
    case api::FieldErrorType::kInvalid:
      return "FieldValueInvalid";
    case api::FieldErrorType::kUnsupported:
      return "FieldValueNotSupported";
    case api::FieldErrorType::kDuplicate:
      return "FieldValueDuplicate";
    case api::FieldErrorType::kForbidden:
      return "FieldValueForbidden";
    case api::FieldErrorType::kTooLong:
      return "FieldValueTooLong";
    case api::FieldErrorType::kTooMany:
      return "FieldValueTooMany";
    case api::FieldErrorType::kUnknown:
      return "FieldValueInvalid";
    case api::FieldErrorType::kNotSupported:
      return "FieldValueNotSupported";
    case api::FieldErrorType::kTypeMismatch:
      return "FieldValueTypeInvalid";
  }
  return "FieldValueInvalid";
}

// The message of a cause: the field error without its path, which the cause's field holds.
std::string cause_message(const api::FieldError& error) {
  std::string full = error.to_string();
  const std::string prefix = error.path + ": ";
  if (!error.path.empty() && full.rfind(prefix, 0) == 0) full.erase(0, prefix.size());
  return full;
}

}  // namespace

manifest::Node status_object(const ApiError& error) {
  Node status = object_of({{"kind", text("Status")},
                           {"apiVersion", text("v1")},
                           {"metadata", Node::mapping()},
                           {"status", text("Failure")},
                           {"message", text(error.message)},
                           {"reason", text(error.reason)}});
  Node details = Node::mapping();
  if (!error.name.empty()) details.set("name", text(error.name));
  if (!error.group.empty()) details.set("group", text(error.group));
  if (!error.kind.empty()) details.set("kind", text(error.kind));
  if (!error.causes.empty()) {
    Node causes = Node::sequence();
    for (const api::FieldError& cause : error.causes) {
      causes.push(object_of({{"reason", text(cause_type(cause.type))},
                             {"message", text(cause_message(cause))},
                             {"field", text(cause.path)}}));
    }
    details.set("causes", std::move(causes));
  }
  if (!details.entries().empty()) status.set("details", std::move(details));
  status.set("code", Node::integer(error.code));
  return status;
}

http::ServerResponse error_response(const ApiError& error) {
  http::ServerResponse response;
  response.status = error.code;
  response.body = to_json(status_object(error));
  response.with("Content-Type", "application/json");
  return response;
}

http::ServerResponse error_response(int code, const std::string& message) {
  const char* reason = "BadRequest";
  if (code == 408) reason = "Timeout";
  if (code == 413) reason = "RequestEntityTooLarge";
  if (code == 401) reason = "Unauthorized";
  return error_response(ApiError{.code = code, .reason = reason, .message = message});
}

}  // namespace nodrop::apiserver
