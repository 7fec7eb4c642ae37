// The objects a verb names on kubectl's command line: `KIND NAME...` or `KIND/NAME...`
// (`deploy web`, `deploy/web svc/web`), each kind by any of its names (api_client.h's
// resource_named), several kinds separated by commas (`deploy,svc`), `all` standing for the kinds
// of that category (pods, services, deployments, replicasets).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "apiserver/resources.h"
#include "base/status.h"

namespace nodrop::cli {

struct NamedObject {
  const apiserver::Resource* resource = nullptr;
  std::string name{};  // empty: every object of the kind (allowed only when the caller says so)
};

// InvalidArgument for a kind nodrop does not serve ("the server doesn't have a resource type
// \"x\"", kubectl's words), a mix of the two forms, or no name where one is needed.
Result<std::vector<NamedObject>> named_objects(const std::vector<std::string>& arguments,
                                               bool kind_alone_allowed);

}  // namespace nodrop::cli
