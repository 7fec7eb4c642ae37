// How the cluster verbs read the objects named on their command line, as kubectl reads them.
#include "cli/kind_and_names.h"

#include <gtest/gtest.h>

#include "cli/api_client.h"

namespace nodrop::cli {
namespace {

TEST(ResourceNamed, KubectlsShortNamesPluralsSingularsKindsAndGroups) {
  const std::vector<std::pair<std::string, std::string>> names = {
      {"deploy", "deployment.apps"},
      {"rs", "replicaset.apps"},
      {"po", "pod"},
      {"svc", "service"},
      {"ep", "endpoints"},
      {"no", "node"},
      {"ev", "event"},
      {"cm", "configmap"},
      {"Deployments", "deployment.apps"},
      {"pod", "pod"},
      {"deployments.apps", "deployment.apps"}};
  for (const auto& [name, shown] : names) {
    const apiserver::Resource* resource = resource_named(name);
    ASSERT_NE(resource, nullptr) << name;
    EXPECT_EQ(output_name(*resource), shown) << name;
  }
  EXPECT_EQ(resource_named("deployments.core"), nullptr);
  EXPECT_EQ(resource_named("widgets"), nullptr);
}

TEST(NamedObjects, KindThenNamesOrKindSlashName) {
  Result<std::vector<NamedObject>> two = named_objects({"deploy", "web", "api"}, false);
  ASSERT_TRUE(two.is_ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].name, "api");
  Result<std::vector<NamedObject>> slashed = named_objects({"deploy/web", "svc/web"}, false);
  ASSERT_TRUE(slashed.is_ok());
  EXPECT_EQ(std::string((*slashed)[1].resource->kind), "Service");
  EXPECT_EQ(named_objects({"pods"}, true)->at(0).name, "");
}

TEST(NamedObjects, MistakesSayWhatIsWrong) {
  EXPECT_EQ(named_objects({"deploy"}, false).status().message(),
            "name the object too: deploy NAME, or deploy/NAME");
  EXPECT_EQ(named_objects({"deploy/web", "api"}, false).status().message(),
            "with KIND/NAME every argument is one; got api");
  EXPECT_EQ(named_objects({"widgets", "x"}, false).status().message(),
            "the server doesn't have a resource type \"widgets\"");
}

}  // namespace
}  // namespace nodrop::cli
