// kubectl's JSONPath templates, the part scripts use. Each form was checked against kubectl 1.32
// on live objects; the e2e test (tests/cli/own_verbs_test.sh) compares some on every run.
#include "cli/jsonpath.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::cli {
namespace {

const manifest::Node& pods() {
  static const manifest::Node list = apiserver::parse_body(R"({"kind": "List", "items": [
    {"metadata": {"name": "web-1", "labels": {"app": "web"},
                  "annotations": {"deployment.kubernetes.io/revision": "3"}},
     "spec": {"containers": [{"name": "app", "image": "demo-app:v1"},
                             {"name": "side", "image": "proxy:2"}]},
     "status": {"podIP": "127.0.171.1", "conditions": [{"type": "Ready", "status": "True"}]}},
    {"metadata": {"name": "web-2"},
     "spec": {"containers": [{"name": "app", "image": "demo-app:v2"}]},
     "status": {"conditions": [{"type": "Ready", "status": "False"}]}}]})")
                                         .value();
  return list;
}

std::string apply(const std::string& text) {
  Result<std::string> out = apply_jsonpath(text, pods());
  return out ? *out : "error: " + out.status().message();
}

TEST(JsonPath, PathsIndexesAndWildcardsJoinedBySpaces) {
  EXPECT_EQ(apply("{.items[*].metadata.name}"), "web-1 web-2");
  EXPECT_EQ(apply("{.items[0].spec.containers[1].image}"), "proxy:2");
  EXPECT_EQ(apply("{.items[-1].metadata.name}"), "web-2");
  EXPECT_EQ(apply("{.items[0].metadata.labels}"), R"({"app":"web"})");
  EXPECT_EQ(apply("{$.kind}"), "List");
  EXPECT_EQ(apply("name: {.items[1].metadata.name}!"), "name: web-2!");
  EXPECT_EQ(apply("x{.nope.nothing}y"), "xy");  // a missing field prints nothing
}

TEST(JsonPath, EscapedDotsAndQuotedKeys) {
  EXPECT_EQ(apply("{.items[0].metadata.annotations.deployment\\.kubernetes\\.io/revision}"), "3");
  EXPECT_EQ(apply("{.items[0].metadata.annotations['deployment.kubernetes.io/revision']}"), "3");
}

TEST(JsonPath, RangesNestAndLiteralsTakeEscapes) {
  EXPECT_EQ(apply("{range .items[*]}{.metadata.name}{\"\\t\"}{.status.podIP}{\"\\n\"}{end}"),
            "web-1\t127.0.171.1\nweb-2\t\n");
  EXPECT_EQ(apply("{range .items[*]}[{range .spec.containers[*]}{.name}={.image},{end}]{end}"),
            "[app=demo-app:v1,side=proxy:2,][app=demo-app:v2,]");
}

TEST(JsonPath, FiltersCompareAPathWithALiteralOrTestItIsThere) {
  EXPECT_EQ(apply("{.items[*].status.conditions[?(@.type==\"Ready\")].status}"), "True False");
  EXPECT_EQ(apply("{.items[?(@.status.podIP)].metadata.name}"), "web-1");
  EXPECT_EQ(apply("{.items[?(@.metadata.name!='web-1')].metadata.name}"), "web-2");
}

TEST(JsonPath, SlicesTakeStartEndAndStrideWithNegativeBoundsFromTheEnd) {
  EXPECT_EQ(apply("{.items[0:1].metadata.name}"), "web-1");
  EXPECT_EQ(apply("{.items[0:2].metadata.name}"), "web-1 web-2");
  EXPECT_EQ(apply("{.items[-1:].metadata.name}"), "web-2");
  EXPECT_EQ(apply("{.items[:1].metadata.name}"), "web-1");
  EXPECT_EQ(apply("{.items[::2].metadata.name}"), "web-1");
  EXPECT_EQ(apply("{.items[1:1].metadata.name}"), "");  // empty, not out of bounds
  EXPECT_EQ(apply("{.items[0].spec.containers[-2:].name}"), "app side");
}

TEST(JsonPath, OutsideTheListIsAnErrorAsKubectlSays) {
  EXPECT_EQ(apply("{.items[2].metadata.name}"),
            "error: array index out of bounds: index 2, length 2");
  EXPECT_EQ(apply("{.items[0:3]}"), "error: array index out of bounds: index 2, length 2");
  EXPECT_EQ(apply("{.items[1:0]}"), "error: starting index 1 is greater than ending index 0");
  EXPECT_EQ(apply("{.items[::0]}"), "error: step must be > 0");
}

TEST(JsonPath, UnionsGiveEachPartsResultsInTurn) {
  EXPECT_EQ(apply("{.items[1,0].metadata.name}"), "web-2 web-1");
  EXPECT_EQ(apply("{.items[0].spec.containers[*]['name','image']}"),
            "app side demo-app:v1 proxy:2");
  EXPECT_EQ(apply("{.items[0].metadata['name', 'labels']}"), R"(web-1 {"app":"web"})");
}

TEST(JsonPath, RecursiveDescentFindsTheNameAtEveryDepth) {
  EXPECT_EQ(apply("{.items[1]..name}"), "web-2 app");
  EXPECT_EQ(apply("{..podIP}"), "127.0.171.1");
}

TEST(JsonPath, FiltersCompareNumbersAndStringsInOrder) {
  const manifest::Node ports = apiserver::parse_body(R"({"ports": [
    {"name": "http", "port": 80}, {"name": "admin", "port": 9090}, {"name": "dns", "port": 53.5}]})")
                                   .value();
  const auto on_ports = [&](const std::string& text) {
    Result<std::string> out = apply_jsonpath(text, ports);
    return out ? *out : "error: " + out.status().message();
  };
  EXPECT_EQ(on_ports("{.ports[?(@.port>80)].name}"), "admin");
  EXPECT_EQ(on_ports("{.ports[?(@.port >= 80)].name}"), "http admin");
  EXPECT_EQ(on_ports("{.ports[?(@.port<80)].name}"), "dns");
  EXPECT_EQ(on_ports("{.ports[?(@.port<=53.5)].name}"), "dns");
  EXPECT_EQ(on_ports("{.ports[?(@.name<'b')].name}"), "admin");
  EXPECT_EQ(on_ports("{.ports[?(@.port=80)].name}"), "error: unrecognized filter operator =");
}

TEST(JsonPath, WhatItDoesNotReadIsRefusedByName) {
  EXPECT_EQ(apply("{.items"), "error: unclosed action");
  EXPECT_EQ(apply("{.items[x]}"), "error: invalid array index x");
  EXPECT_EQ(apply("{end}"), "error: {end} without a range");
}

}  // namespace
}  // namespace nodrop::cli
