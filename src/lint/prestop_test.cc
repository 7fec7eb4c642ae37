#include "lint/prestop.h"

#include <gtest/gtest.h>

namespace nodrop::lint {
namespace {

api::Handler exec(std::vector<std::string> command) {
  api::Handler handler;
  handler.exec = api::ExecAction{std::move(command)};
  return handler;
}

TEST(PreStopSleep, ReadsTheSleepAction) {
  api::Handler handler;
  handler.sleep = api::SleepAction{15};
  EXPECT_EQ(prestop_sleep_seconds(handler), 15);
}

TEST(PreStopSleep, ReadsSleepCommandsDirectlyAndThroughAShell) {
  EXPECT_EQ(prestop_sleep_seconds(exec({"sleep", "30"})), 30);
  EXPECT_EQ(prestop_sleep_seconds(exec({"/bin/sleep", "5s"})), 5);
  EXPECT_EQ(prestop_sleep_seconds(exec({"sh", "-c", "sleep 10 && nginx -s quit"})), 10);
  EXPECT_EQ(prestop_sleep_seconds(exec({"/bin/sh", "-c", "sleep 1m"})), 60);
  EXPECT_EQ(prestop_sleep_seconds(exec({"/bin/sh", "-c", "  exec sleep 7;"})), 7);
  EXPECT_EQ(prestop_sleep_seconds(exec({"/bin/busybox", "sh", "-c", "sleep 3"})), 3);
}

TEST(PreStopSleep, TruncatesFractionsAsTheKubeletDoes) {
  EXPECT_EQ(prestop_sleep_seconds(exec({"sleep", "2.9"})), 2);
}

TEST(PreStopSleep, UnknownForScriptsAndHttpHooks) {
  EXPECT_EQ(prestop_sleep_seconds(exec({"/drain.sh"})), std::nullopt);
  EXPECT_EQ(prestop_sleep_seconds(exec({"sh", "-c", "nginx -s quit; sleep 5"})), std::nullopt);
  EXPECT_EQ(prestop_sleep_seconds(exec({"sleep", "infinity"})), std::nullopt);
  api::Handler http;
  http.http_get = api::HttpGetAction{};
  EXPECT_EQ(prestop_sleep_seconds(http), std::nullopt);
}

TEST(SleepArgument, BoundedToADay) {
  EXPECT_EQ(parse_sleep_argument("99999999999999999999"), 24 * 60 * 60);
  EXPECT_EQ(parse_sleep_argument("100d"), 24 * 60 * 60);
  EXPECT_EQ(parse_sleep_argument("1h"), 3600);
  EXPECT_EQ(parse_sleep_argument(""), std::nullopt);
  EXPECT_EQ(parse_sleep_argument("5x"), std::nullopt);
  EXPECT_EQ(parse_sleep_argument("s"), std::nullopt);
}

}  // namespace
}  // namespace nodrop::lint
