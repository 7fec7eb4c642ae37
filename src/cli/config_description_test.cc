// kubectl's describe of a ConfigMap and of a Secret: data in full, secrets by size only.
#include "cli/config_description.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::cli {
namespace {

manifest::Node json(const std::string& text) { return apiserver::parse_body(text).value(); }

TEST(DescribeConfigMap, ShowsEveryValueAndTheSizeOfBinaryOnes) {
  const manifest::Node config_map = json(R"({
    "metadata": {"name": "web-config", "namespace": "default", "labels": {"app": "web"}},
    "data": {"note": "a <b> & c", "mode": "fast\nand safe"},
    "binaryData": {"logo": "AAEC"}})");
  EXPECT_EQ(describe_config_map(config_map, json(R"({"items": []})"), WallTime{}),
            "Name:         web-config\n"
            "Namespace:    default\n"
            "Labels:       app=web\n"
            "Annotations:  <none>\n"
            "\n"
            "Data\n"
            "====\n"
            "mode:\n"
            "----\n"
            "fast\n"
            "and safe\n"
            "\n"
            "note:\n"
            "----\n"
            "a <b> & c\n"
            "\n"
            "\n"
            "BinaryData\n"
            "====\n"
            "logo: 3 bytes\n"
            "\n"
            "Events:  <none>\n");
}

TEST(DescribeSecret, ShowsSizesNotValues) {
  const manifest::Node secret = json(R"({
    "metadata": {"name": "db", "namespace": "default"}, "type": "Opaque",
    "data": {"password": "aHVudGVyMg==", "user": "YWRtaW4="}})");
  EXPECT_EQ(describe_secret(secret),
            "Name:         db\n"
            "Namespace:    default\n"
            "Labels:       <none>\n"
            "Annotations:  <none>\n"
            "\n"
            "Type:  Opaque\n"
            "\n"
            "Data\n"
            "====\n"
            "password:  7 bytes\n"
            "user:      5 bytes\n");
}

}  // namespace
}  // namespace nodrop::cli
