#include "api/field_error.h"

#include "base/strings.h"

namespace nodrop::api {

std::string quote(const std::string& text) { return json_quote(text); }

std::string FieldError::to_string() const {
  std::string body;
  switch (type) {
    case FieldErrorType::kRequired:
      body = "Required value";
      break;
    case FieldErrorType::kInvalid:
      body = "Invalid value: " + value;
      break;
    case FieldErrorType::kUnsupported:
      body = "Unsupported value: " + value;
      break;
    case FieldErrorType::kDuplicate:
      body = "Duplicate value: " + value;
      break;
    case FieldErrorType::kForbidden:
      body = "Forbidden";
      break;
    case FieldErrorType::kTooLong:
      body = "Too long";
      break;
    case FieldErrorType::kTooMany:
      body = "Too many";
      break;
    case FieldErrorType::kUnknown:
      body = "unknown field";
      break;
    case FieldErrorType::kNotSupported:
      body = "nodrop does not act on this field";
      break;
    case FieldErrorType::kTypeMismatch:
      body = "Invalid value: " + value;
      break;
  }
  std::string text = path.empty() ? body : path + ": " + body;
  if (!detail.empty()) text += ": " + detail;
  return text;
}

FieldError required(const FieldPath& path, std::string detail) {
  return {FieldErrorType::kRequired, path.str(), "", std::move(detail)};
}

FieldError invalid(const FieldPath& path, std::int64_t value, std::string detail) {
  return {FieldErrorType::kInvalid, path.str(), std::to_string(value), std::move(detail)};
}

FieldError invalid(const FieldPath& path, const std::string& value, std::string detail) {
  return {FieldErrorType::kInvalid, path.str(), quote(value), std::move(detail)};
}

FieldError invalid_rendered(const FieldPath& path, std::string rendered_value, std::string detail) {
  return {FieldErrorType::kInvalid, path.str(), std::move(rendered_value), std::move(detail)};
}

FieldError unsupported(const FieldPath& path, const std::string& value,
                       const std::vector<std::string>& supported) {
  std::string detail = "supported values: ";
  for (std::size_t i = 0; i < supported.size(); ++i) {
    if (i > 0) detail += ", ";
    detail += quote(supported[i]);
  }
  return {FieldErrorType::kUnsupported, path.str(), quote(value), detail};
}

FieldError duplicate(const FieldPath& path, const std::string& value) {
  return {FieldErrorType::kDuplicate, path.str(), quote(value), ""};
}

FieldError forbidden(const FieldPath& path, std::string detail) {
  return {FieldErrorType::kForbidden, path.str(), "", std::move(detail)};
}

}  // namespace nodrop::api
