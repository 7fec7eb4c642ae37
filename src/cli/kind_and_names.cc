#include "cli/kind_and_names.h"

#include "cli/api_client.h"

namespace nodrop::cli {

Result<std::vector<NamedObject>> named_objects(const std::vector<std::string>& arguments,
                                               bool kind_alone_allowed) {
  if (arguments.empty()) return invalid_argument("name a kind and an object: deploy/web");
  std::vector<std::pair<std::string, std::string>> kinds_and_names;
  if (arguments[0].find('/') != std::string::npos) {
    for (const std::string& argument : arguments) {
      const std::size_t slash = argument.find('/');
      if (slash == std::string::npos || slash + 1 == argument.size()) {
        return invalid_argument("with KIND/NAME every argument is one; got " + argument);
      }
      kinds_and_names.emplace_back(argument.substr(0, slash), argument.substr(slash + 1));
    }
  } else if (arguments.size() == 1) {
    if (!kind_alone_allowed) {
      return invalid_argument("name the object too: " + arguments[0] + " NAME, or " + arguments[0] +
                              "/NAME");
    }
    kinds_and_names.emplace_back(arguments[0], "");
  } else {
    for (std::size_t i = 1; i < arguments.size(); ++i) {
      kinds_and_names.emplace_back(arguments[0], arguments[i]);
    }
  }
  std::vector<NamedObject> objects;
  for (const auto& [kinds, name] : kinds_and_names) {
    // "deploy,svc": each kind in turn; "all": the kinds of that category, in the API's order.
    std::string_view list = kinds;
    while (true) {
      const std::size_t comma = list.find(',');
      const std::string kind(list.substr(0, comma));
      if (kind == "all") {
        for (const apiserver::Resource& resource : apiserver::resources()) {
          for (const char* category : resource.categories) {
            if (std::string_view(category) == "all") objects.push_back({&resource, name});
          }
        }
      } else {
        const apiserver::Resource* resource = resource_named(kind);
        if (resource == nullptr) {
          return invalid_argument("the server doesn't have a resource type \"" + kind + "\"");
        }
        objects.push_back({resource, name});
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return objects;
}

}  // namespace nodrop::cli
