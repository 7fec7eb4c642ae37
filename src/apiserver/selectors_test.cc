#include "apiserver/selectors.h"

#include <gtest/gtest.h>

#include "apiserver/target.h"

namespace nodrop::apiserver {
namespace {

bool selects(const std::string& selector, const api::Labels& labels) {
  Result<api::LabelSelector> parsed = parse_label_selector(selector);
  EXPECT_TRUE(parsed.is_ok()) << parsed.status().message();
  return parsed.is_ok() && parsed->matches(labels);
}

TEST(LabelSelector, EveryRequirementForm) {
  const api::Labels web = {{"app", "web"}, {"tier", "front"}};
  EXPECT_TRUE(selects("", web));
  EXPECT_TRUE(selects("app=web", web));
  EXPECT_TRUE(selects("app==web,tier=front", web));
  EXPECT_FALSE(selects("app=web,tier=back", web));
  EXPECT_TRUE(selects("app!=db", web));
  EXPECT_TRUE(selects("missing!=x", web));  // != holds where the label is absent
  EXPECT_TRUE(selects("tier in (back, front)", web));
  EXPECT_FALSE(selects("tier notin (front)", web));
  EXPECT_TRUE(selects("app", web));
  EXPECT_TRUE(selects("!canary", web));
  EXPECT_FALSE(selects("!app", web));
  EXPECT_TRUE(selects("example.com/team in (a,b),app", {{"example.com/team", "a"}, {"app", "x"}}));
}

TEST(LabelSelector, MistakesAreErrors) {
  EXPECT_FALSE(parse_label_selector("app=we b").is_ok());
  EXPECT_FALSE(parse_label_selector("app in x").is_ok());
  EXPECT_FALSE(parse_label_selector("a,,b").is_ok());
  EXPECT_FALSE(parse_label_selector("tier between (a)").is_ok());
}

TEST(FieldSelector, SupportedFieldsPerKind) {
  api::Pod pod;
  pod.metadata.name = "web-1";
  pod.metadata.namespace_name = "default";
  pod.spec.node_name = "node-2";
  pod.status.phase = api::PodPhase::kRunning;
  const api::Object object = pod;
  Result<std::vector<FieldRequirement>> parsed = parse_field_selector(
      "spec.nodeName=node-2,status.phase!=Pending,metadata.name==web-1", "Pod");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  EXPECT_TRUE(fields_match(*parsed, object));
  parsed = parse_field_selector("spec.nodeName=node-1", "Pod");
  EXPECT_FALSE(fields_match(*parsed, object));
  EXPECT_EQ(parse_field_selector("spec.nodeName=x", "Deployment").status().message(),
            "field label not supported: spec.nodeName");
  EXPECT_FALSE(parse_field_selector("metadata.name", "Pod").is_ok());

  api::Event event;
  event.involved_object.kind = "Pod";
  event.involved_object.name = "web-1";
  parsed = parse_field_selector("involvedObject.kind=Pod,involvedObject.name=web-1", "Event");
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_TRUE(fields_match(*parsed, api::Object(event)));
}

TEST(Target, PathSegmentsAndQueryParametersArePercentDecoded) {
  Result<Target> target = parse_target(
      "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%29&limit=5&watch=1");
  ASSERT_TRUE(target.is_ok());
  EXPECT_EQ(target->segments,
            (std::vector<std::string>{"api", "v1", "namespaces", "default", "pods"}));
  EXPECT_EQ(target->param("labelSelector"), "app=web,tier in (a)");
  EXPECT_EQ(target->param("limit"), "5");
  EXPECT_TRUE(target->flag("watch"));
  EXPECT_FALSE(target->flag("follow"));
}

TEST(Target, HostileTargetsAreRefused) {
  EXPECT_FALSE(parse_target("api/v1").is_ok());
  EXPECT_FALSE(parse_target("/api/%zz").is_ok());
  EXPECT_FALSE(parse_target("/api/%2").is_ok());
  EXPECT_FALSE(parse_target("/api/v1/namespaces/../secrets").is_ok());
  std::string many = "/api?";
  for (int i = 0; i < 65; ++i) many += "p" + std::to_string(i) + "=1&";
  EXPECT_FALSE(parse_target(many).is_ok());
}

}  // namespace
}  // namespace nodrop::apiserver
