#include "apiserver/patch.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::apiserver {
namespace {

Node parse(const std::string& text) {
  Result<Node> node = parse_body(text);
  EXPECT_TRUE(node.is_ok()) << node.status().message();
  return node.is_ok() ? *node : Node::null();
}

std::string json_patch(const std::string& document, const std::string& patch) {
  Result<Node> result = apply_json_patch(parse(document), parse(patch));
  return result ? to_json(*result) : "error: " + result.status().message();
}

std::string merge_patch(const std::string& document, const std::string& patch) {
  Result<Node> result = apply_merge_patch(parse(document), parse(patch));
  return result ? to_json(*result) : "error: " + result.status().message();
}

std::string strategic(const std::string& document, const std::string& patch,
                      const std::string& kind = "Deployment") {
  Result<Node> result = apply_strategic_merge_patch(
      parse(document), parse(patch),
      [&](const std::vector<std::string>& path) { return kubernetes_list_strategy(kind, path); });
  return result ? to_json(*result) : "error: " + result.status().message();
}

// RFC 6902's examples (appendix A), each operation and each failure.
TEST(JsonPatch, AddsRemovesReplacesMovesCopiesAndTests) {
  EXPECT_EQ(json_patch(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])"),
            R"({"foo":"bar","baz":"qux"})");
  EXPECT_EQ(
      json_patch(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])"),
      R"({"foo":["bar","qux","baz"]})");
  EXPECT_EQ(json_patch(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":"x"}])"),
            R"({"foo":["bar","x"]})");
  EXPECT_EQ(json_patch(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])"),
            R"({"foo":"bar"})");
  EXPECT_EQ(json_patch(R"({"baz":"qux"})", R"([{"op":"replace","path":"/baz","value":"boo"}])"),
            R"({"baz":"boo"})");
  EXPECT_EQ(json_patch(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                       R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])"),
            R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})");
  EXPECT_EQ(json_patch(R"({"a":[1,2]})", R"([{"op":"copy","from":"/a/0","path":"/b"}])"),
            R"({"a":[1,2],"b":1})");
  EXPECT_EQ(
      json_patch(R"({"a/b":{"m~n":1}})", R"([{"op":"replace","path":"/a~1b/m~0n","value":2}])"),
      R"({"a/b":{"m~n":2}})");
  EXPECT_EQ(json_patch(R"({"a":1})", R"([{"op":"test","path":"/a","value":1.0}])"), R"({"a":1})");
}

TEST(JsonPatch, FailuresNameTheOperation) {
  EXPECT_EQ(json_patch(R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])"),
            "error: the JSON patch's operation 0: test failed: /a is 1");
  EXPECT_EQ(json_patch(R"({"a":1})", R"([{"op":"remove","path":"/b"}])"),
            "error: the JSON patch's operation 0: path /b does not exist");
  EXPECT_EQ(json_patch(R"({"a":[1]})", R"([{"op":"add","path":"/a/5","value":1}])"),
            "error: the JSON patch's operation 0: array index 5 is out of bounds");
  EXPECT_EQ(json_patch(R"({"a":[1]})", R"([{"op":"add","path":"/a/01","value":1}])"),
            "error: the JSON patch's operation 0: \"01\" is not an array index");
  EXPECT_EQ(json_patch(R"({})", R"([{"op":"jump","path":"/a"}])"),
            "error: the JSON patch's operation 0: unknown op \"jump\"");
  EXPECT_EQ(json_patch(R"({})", R"({"op":"add"})"),
            "error: a JSON patch must be a list of operations");
  EXPECT_EQ(json_patch(R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])"),
            "error: the JSON patch's operation 0: cannot move /a into itself");
}

// RFC 7386's appendix A.
TEST(MergePatch, MergesMapsDeletesWithNullAndReplacesLists) {
  EXPECT_EQ(merge_patch(R"({"a":"b"})", R"({"a":"c"})"), R"({"a":"c"})");
  EXPECT_EQ(merge_patch(R"({"a":"b"})", R"({"b":"c"})"), R"({"a":"b","b":"c"})");
  EXPECT_EQ(merge_patch(R"({"a":"b"})", R"({"a":null})"), R"({})");
  EXPECT_EQ(merge_patch(R"({"a":[{"b":"c"}]})", R"({"a":[1]})"), R"({"a":[1]})");
  EXPECT_EQ(merge_patch(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})"), R"({"a":{"b":"d"}})");
  EXPECT_EQ(merge_patch(R"({"e":null})", R"({"a":1})"), R"({"e":null,"a":1})");
  EXPECT_EQ(merge_patch(R"({})", R"({"a":{"bb":{"ccc":null}}})"), R"({"a":{"bb":{}}})");
}

constexpr const char* kDeployment =
    R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"v1",)"
    R"("env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],)"
    R"("ports":[{"containerPort":80,"name":"http"}]},{"name":"side","image":"s"}]}}}})";

TEST(StrategicMergePatch, ContainersMergeByNameAndEnvByName) {
  EXPECT_EQ(strategic(kDeployment,
                      R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"v2",)"
                      R"("env":[{"name":"C","value":"3"}]}]}}}})"),
            R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"v2",)"
            R"("env":[{"name":"A","value":"1"},{"name":"B","value":"2"},{"name":"C","value":"3"}],)"
            R"("ports":[{"containerPort":80,"name":"http"}]},{"name":"side","image":"s"}]}}}})");
}

// What `kubectl apply` sends when an env var was removed from the file: a $patch: delete item
// by merge key, and the order of what remains.
TEST(StrategicMergePatch, DeleteDirectiveRemovesOneItemByKey) {
  EXPECT_EQ(
      strategic(kDeployment,
                R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[)"
                R"({"name":"app"},{"name":"side"}],"containers":[{"$setElementOrder/env":)"
                R"([{"name":"A"}],"env":[{"$patch":"delete","name":"B"}],"name":"app"}]}}}})"),
      R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"v1",)"
      R"("env":[{"name":"A","value":"1"}],)"
      R"("ports":[{"containerPort":80,"name":"http"}]},{"name":"side","image":"s"}]}}}})");
}

TEST(StrategicMergePatch, SetElementOrderReordersTheMergedList) {
  EXPECT_EQ(strategic(R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
                      R"({"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"b"},)"
                      R"({"name":"a"}],"containers":[{"name":"c"}]}})",
                      "Pod"),
            R"({"spec":{"containers":[{"name":"c"},{"name":"b"},{"name":"a"}]}})");
}

TEST(StrategicMergePatch, ListsWithoutMergeKeysAreReplaced) {
  EXPECT_EQ(strategic(R"({"spec":{"containers":[{"name":"a","args":["x","y"]}]}})",
                      R"({"spec":{"containers":[{"name":"a","args":["z"]}]}})", "Pod"),
            R"({"spec":{"containers":[{"name":"a","args":["z"]}]}})");
  EXPECT_EQ(strategic(R"({"spec":{"tolerations":[{"key":"a"}]}})",
                      R"({"spec":{"tolerations":[{"key":"b"}]}})", "Pod"),
            R"({"spec":{"tolerations":[{"key":"b"}]}})");
}

TEST(StrategicMergePatch, ReplaceDirectives) {
  EXPECT_EQ(strategic(R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
                      R"({"spec":{"containers":[{"name":"c"},{"$patch":"replace"}]}})", "Pod"),
            R"({"spec":{"containers":[{"name":"c"}]}})");
  EXPECT_EQ(
      strategic(R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})",
                R"({"spec":{"strategy":{"$patch":"replace","type":"Recreate"}}})"),
      R"({"spec":{"strategy":{"type":"Recreate"}}})");
  EXPECT_EQ(strategic(R"({"spec":{"strategy":{"type":"RollingUpdate"}},"x":1})",
                      R"({"spec":{"strategy":{"$patch":"delete"}}})"),
            R"({"spec":{},"x":1})");
}

// `kubectl apply` switching a Deployment to Recreate: $retainKeys drops rollingUpdate.
TEST(StrategicMergePatch, RetainKeysKeepsOnlyTheNamedFields) {
  EXPECT_EQ(
      strategic(R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})",
                R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})"),
      R"({"spec":{"strategy":{"type":"Recreate"}}})");
}

TEST(StrategicMergePatch, PrimitiveListsMergeAndDeleteFromPrimitiveList) {
  EXPECT_EQ(strategic(R"({"metadata":{"finalizers":["a","b"]}})",
                      R"({"metadata":{"finalizers":["c","a"]}})"),
            R"({"metadata":{"finalizers":["a","b","c"]}})");
  EXPECT_EQ(strategic(R"({"metadata":{"finalizers":["a","b"]}})",
                      R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})"),
            R"({"metadata":{"finalizers":["b"]}})");
}

TEST(StrategicMergePatch, NullDeletesAndServicePortsMergeByPort) {
  EXPECT_EQ(strategic(R"({"spec":{"paused":true,"replicas":3}})", R"({"spec":{"paused":null}})"),
            R"({"spec":{"replicas":3}})");
  EXPECT_EQ(strategic(R"({"spec":{"ports":[{"port":80,"name":"a"},{"port":443}]}})",
                      R"({"spec":{"ports":[{"port":80,"targetPort":8080}]}})", "Service"),
            R"({"spec":{"ports":[{"port":80,"name":"a","targetPort":8080},{"port":443}]}})");
}

TEST(StrategicMergePatch, MistakesAreErrors) {
  EXPECT_EQ(strategic(R"({"spec":{"containers":[]}})", R"({"spec":{"containers":[{"image":"x"}]}})",
                      "Pod"),
            "error: an item of containers has no merge key \"name\"");
  EXPECT_EQ(strategic(R"({})", R"({"$patch":"explode"})"),
            "error: unknown $patch directive \"explode\"");
  EXPECT_EQ(strategic(R"({})", R"({"$weird":1})"), "error: unknown directive \"$weird\"");
  EXPECT_EQ(strategic(R"({})", R"([1])"), "error: a strategic merge patch must be an object");
}

TEST(ListStrategy, KubernetesMergeKeys) {
  using Type = ListStrategy::Type;
  const auto of = [](const std::string& kind, std::vector<std::string> path) {
    return kubernetes_list_strategy(kind, path);
  };
  EXPECT_EQ(of("Deployment", {"spec", "template", "spec", "containers"}).merge_key, "name");
  EXPECT_EQ(of("Deployment", {"spec", "template", "spec", "containers", "ports"}).merge_key,
            "containerPort");
  EXPECT_EQ(of("Pod", {"spec", "containers", "volumeMounts"}).merge_key, "mountPath");
  EXPECT_EQ(of("Pod", {"spec", "volumes"}).merge_key, "name");
  EXPECT_EQ(of("Service", {"spec", "ports"}).merge_key, "port");
  EXPECT_EQ(of("Deployment", {"status", "conditions"}).merge_key, "type");
  EXPECT_EQ(of("Pod", {"metadata", "finalizers"}).type, Type::kMergePrimitives);
  EXPECT_EQ(of("Pod", {"spec", "containers", "args"}).type, Type::kReplace);
  EXPECT_EQ(of("Pod", {"spec", "tolerations"}).type, Type::kReplace);
}

}  // namespace
}  // namespace nodrop::apiserver
