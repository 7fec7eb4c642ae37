// Label and field selectors as they arrive in a list or watch query
// (labelSelector=app=web,tier!=db,env in (a,b),!canary; fieldSelector=spec.nodeName=node-1),
// parsed into predicates over objects. Errors are InvalidArgument with Kubernetes' wording.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/meta.h"
#include "api/object.h"
#include "base/status.h"

namespace nodrop::apiserver {

// labels.Parse: comma-separated requirements (key, !key, key=v, key==v, key!=v, key in (..),
// key notin (..)) into the selector they all must hold for.
Result<api::LabelSelector> parse_label_selector(std::string_view text);

struct FieldRequirement {
  std::string field;
  std::string value;
  bool equal = true;  // = or ==; false: !=
};

// fields.ParseSelector, then each field checked against what the kind supports.
Result<std::vector<FieldRequirement>> parse_field_selector(std::string_view text,
                                                           const std::string& kind);

// The value of a selectable field of object ("spec.nodeName"); empty when unset.
std::string field_value(const api::Object& object, const std::string& field);
bool fields_match(const std::vector<FieldRequirement>& requirements, const api::Object& object);

}  // namespace nodrop::apiserver
