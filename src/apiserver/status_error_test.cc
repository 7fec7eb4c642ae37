#include "apiserver/status_error.h"

#include <gtest/gtest.h>

#include "apiserver/json.h"

namespace nodrop::apiserver {
namespace {

TEST(StatusError, NotFoundAsTheApiServerWritesIt) {
  ApiError error = not_found_error("deployments.apps \"web\" not found");
  error.name = "web";
  error.group = "apps";
  error.kind = "deployments";
  const http::ServerResponse response = error_response(error);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"deployments.apps \"web\" not found","reason":"NotFound",)"
            R"("details":{"name":"web","group":"apps","kind":"deployments"},"code":404})");
  ASSERT_EQ(response.fields.size(), 1u);
  EXPECT_EQ(response.fields[0].second, "application/json");
}

TEST(StatusError, InvalidCarriesACauseForEachFieldWithoutRepeatingItsPath) {
  ApiError error{.code = 422, .reason = "Invalid"};
  error.message =
      "Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be "
      "greater than or equal to 0";
  error.name = "web";
  error.kind = "Deployment";
  error.causes = {
      {.type = api::FieldErrorType::kInvalid,
       .path = "spec.replicas",
       .value = "-1",
       .detail = "must be greater than or equal to 0"},
      {.type = api::FieldErrorType::kRequired, .path = "spec.selector", .value = "", .detail = ""}};
  const Node status = status_object(error);
  const std::vector<Node>& causes = status.find("details")->find("causes")->items();
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(to_json(causes[0]),
            R"({"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than )"
            R"(or equal to 0","field":"spec.replicas"})");
  EXPECT_EQ(causes[1].find("reason")->text(), "FieldValueRequired");
  EXPECT_EQ(causes[1].find("field")->text(), "spec.selector");
  EXPECT_EQ(status.find("code")->text(), "422");
}

TEST(StatusError, NoDetailsWhenNothingIsKnownAndEachReasonHasItsCode) {
  EXPECT_EQ(status_object(unauthorized()).find("details"), nullptr);
  EXPECT_EQ(unauthorized().code, 401);
  EXPECT_EQ(bad_request("x").code, 400);
  EXPECT_EQ(method_not_allowed("x").code, 405);
  EXPECT_EQ(not_acceptable("x").code, 406);
  EXPECT_EQ(too_large("x").reason, "RequestEntityTooLarge");
  EXPECT_EQ(too_large("x").code, 413);
  EXPECT_EQ(unsupported_media_type("x").code, 415);
  EXPECT_EQ(internal("x").code, 500);
}

TEST(StatusError, RefusalsOfTheHttpsServerAreStatusesToo) {
  const auto reason = [](int code) {
    const http::ServerResponse response = error_response(code, "why");
    EXPECT_EQ(response.status, code);
    Result<Node> status = parse_body(response.body);
    EXPECT_TRUE(status.is_ok());
    EXPECT_EQ(status->find("message")->text(), "why");
    return status->find("reason")->text();
  };
  EXPECT_EQ(reason(408), "Timeout");
  EXPECT_EQ(reason(413), "RequestEntityTooLarge");
  EXPECT_EQ(reason(411), "BadRequest");
  EXPECT_EQ(reason(431), "BadRequest");
}

}  // namespace
}  // namespace nodrop::apiserver
