// Typed api objects back into Node trees (then text through writer.h), with Kubernetes' JSON
// field names and omitempty: a field at its zero value is left out.
#pragma once

#include "api/object.h"
#include "manifest/node.h"

namespace nodrop::manifest {

Node encode_object(const api::Object& object);

}  // namespace nodrop::manifest
