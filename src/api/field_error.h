// field.Error and field.Path from k8s.io/apimachinery/pkg/util/validation/field: a problem with
// one field, printed the way the API server prints it:
//   spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when maxSurge is 0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nodrop::api {

// A field path as Kubernetes writes it: spec.template.spec.containers[0].ports[1].name
class FieldPath {
 public:
  FieldPath() = default;
  explicit FieldPath(std::string root) : text_(std::move(root)) {}

  FieldPath child(const std::string& name) const {
    return FieldPath(text_.empty() ? name : text_ + "." + name);
  }
  FieldPath index(std::size_t position) const {
    return FieldPath(text_ + "[" + std::to_string(position) + "]");
  }
  FieldPath key(const std::string& map_key) const { return FieldPath(text_ + "[" + map_key + "]"); }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

enum class FieldErrorType {
  kRequired,      // "Required value"
  kInvalid,       // "Invalid value: <value>"
  kUnsupported,   // "Unsupported value: <value>: supported values: ..."
  kDuplicate,     // "Duplicate value: <value>"
  kForbidden,     // "Forbidden"
  kTooLong,       // "Too long: ..."
  kTooMany,       // "Too many: ..."
  kUnknown,       // a field nodrop does not know (a warning, an error under --strict)
  kNotSupported,  // a Kubernetes field nodrop does not act on (a warning)
  kTypeMismatch,  // the YAML holds the wrong type for the field
};

struct FieldError {
  FieldErrorType type = FieldErrorType::kInvalid;
  std::string path;
  std::string value;  // already rendered: 0, "abc", map[string]string{...}; empty when none
  std::string detail;

  // "path: Invalid value: 0: detail"
  std::string to_string() const;
};

using FieldErrors = std::vector<FieldError>;

// Renders a value as Kubernetes' field errors do: strings quoted, numbers bare.
std::string quote(const std::string& text);

FieldError required(const FieldPath& path, std::string detail = "");
FieldError invalid(const FieldPath& path, std::int64_t value, std::string detail);
FieldError invalid(const FieldPath& path, const std::string& value, std::string detail);
FieldError invalid_rendered(const FieldPath& path, std::string rendered_value, std::string detail);
FieldError unsupported(const FieldPath& path, const std::string& value,
                       const std::vector<std::string>& supported);
FieldError duplicate(const FieldPath& path, const std::string& value);
FieldError forbidden(const FieldPath& path, std::string detail);

}  // namespace nodrop::api
