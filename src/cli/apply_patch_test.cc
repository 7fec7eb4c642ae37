// apply's client half: the last-applied text kubectl writes, the patch from the previous apply
// to the file, and the verdict (unchanged when the patch changes nothing).
#include "cli/apply_patch.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"
#include "cli/go_json.h"

namespace nodrop::cli {
namespace {

using manifest::Node;

Node json(const std::string& text) { return apiserver::parse_body(text).value(); }

const Node& annotation_of(const Node& object) {
  return *object.find("metadata")->find("annotations")->find(kLastAppliedAnnotation);
}

TEST(WithLastApplied, RecordsTheObjectWithItsNamespaceAndEmptyAnnotationsAsKubectlDoes) {
  // kubectl 1.32 wrote this annotation for the same file applied in namespace default.
  const Node applied = with_last_applied(
      json(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config"},
               "data": {"mode": "fast"}})"),
      "default");
  EXPECT_EQ(annotation_of(applied).text(),
            "{\"apiVersion\":\"v1\",\"data\":{\"mode\":\"fast\"},\"kind\":\"ConfigMap\","
            "\"metadata\":{\"annotations\":{},\"name\":\"web-config\",\"namespace\":\"default\"}}"
            "\n");
  // Applying an object that carries an old annotation records the object without it.
  const Node again = with_last_applied(applied, "default");
  EXPECT_EQ(annotation_of(again).text(), annotation_of(applied).text());
}

TEST(ApplyPatch, DeletesWhatThePreviousApplySaidAndTheFileNoLongerDoes) {
  const Node original = json(R"({"kind": "Deployment", "metadata": {"labels": {"a": "1", "b": "2"}},
    "spec": {"template": {"spec": {"containers": [
      {"name": "app", "image": "v1", "env": [{"name": "KEPT", "value": "1"},
                                              {"name": "DROPPED", "value": "2"}]},
      {"name": "sidecar", "image": "s"}]}}}})");
  const Node modified = json(R"({"kind": "Deployment", "metadata": {"labels": {"a": "1"}},
    "spec": {"template": {"spec": {"containers": [
      {"name": "app", "image": "v2", "env": [{"name": "KEPT", "value": "1"}]}]}}}})");
  EXPECT_EQ(go_json(apply_patch(original, modified, "Deployment")),
            go_json(json(R"({"kind": "Deployment", "metadata": {"labels": {"a": "1", "b": null}},
    "spec": {"template": {"spec": {"containers": [
      {"name": "app", "image": "v2", "env": [{"name": "KEPT", "value": "1"},
                                              {"name": "DROPPED", "$patch": "delete"}]},
      {"name": "sidecar", "$patch": "delete"}]}}}})")));
  // Without a previous apply nothing is deleted: the patch is the file.
  EXPECT_EQ(go_json(apply_patch(std::nullopt, modified, "Deployment")), go_json(modified));
}

TEST(PatchToSend, NothingWhenTheLiveObjectAlreadySaysWhatTheFileDoes) {
  const Node file = json(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web"}, "spec": {"replicas": 2, "template": {"spec": {"containers": [
      {"name": "app", "image": "v1", "ports": [{"containerPort": 8080}]}]}}}})");
  const Node modified = with_last_applied(file, "default");
  // The server added defaults and status; the file's fields are all there, as applied.
  Node live = json(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "uid": "u", "generation": 1},
    "spec": {"replicas": 2, "strategy": {"type": "RollingUpdate"}, "template": {"spec": {
      "containers": [{"name": "app", "image": "v1", "imagePullPolicy": "IfNotPresent",
                      "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]}}},
    "status": {"replicas": 2}})");
  for (Node::Entry& entry : live.entries()) {
    if (entry.key == "metadata") {
      Node annotations = Node::mapping();
      annotations.set(kLastAppliedAnnotation, annotation_of(modified));
      entry.value.set("annotations", std::move(annotations));
    }
  }
  Result<std::optional<Node>> unchanged = patch_to_send(live, modified, "Deployment");
  ASSERT_TRUE(unchanged.is_ok()) << unchanged.status().message();
  EXPECT_FALSE(unchanged->has_value());

  // Scaled by hand since: applying the file again sets the file's replicas back.
  for (Node::Entry& entry : live.entries()) {
    if (entry.key == "spec") entry.value.set("replicas", Node::integer(5));
  }
  Result<std::optional<Node>> configured = patch_to_send(live, modified, "Deployment");
  ASSERT_TRUE(configured.is_ok());
  ASSERT_TRUE(configured->has_value());
  EXPECT_EQ((**configured).find("spec")->find("replicas")->int_value(), 2);
}

}  // namespace
}  // namespace nodrop::cli
