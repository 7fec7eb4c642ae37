#include "base/flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodrop {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ParseDuration, ReadsUnitsAndRefusesTheRest) {
  EXPECT_EQ(*parse_duration("500ms", false), milliseconds(500));
  EXPECT_EQ(*parse_duration("10s", false), seconds(10));
  EXPECT_EQ(*parse_duration("1.5s", false), milliseconds(1500));
  EXPECT_EQ(*parse_duration("2m", false), seconds(120));
  EXPECT_EQ(*parse_duration("0s", true), std::chrono::nanoseconds::zero());
  for (const char* bad : {"", "10", "s", "-1s", "1.2.3s", "0s", "5 s", "1e9h", "10sec"}) {
    EXPECT_FALSE(parse_duration(bad, false).is_ok()) << bad;
  }
}

// Reads args as a verb with --strict, -o/--output and --workers would.
struct Read {
  bool strict = false;
  std::string output;
  std::int64_t workers = 0;
  std::vector<std::string> positional;
};

Result<Read> read(std::vector<std::string> args) {
  Read read;
  FlagReader flags(args);
  while (flags.next()) {
    if (!flags.at_flag()) {
      read.positional.push_back(flags.argument());
    } else if (flags.is("--strict")) {
      if (Status status = flags.is_switch(); !status.is_ok()) return status;
      read.strict = true;
    } else if (flags.is("-o", "--output")) {
      Result<std::string> output = flags.value();
      if (!output) return output.status();
      read.output = *output;
    } else if (flags.is("--workers")) {
      Result<std::int64_t> workers = flags.count(1, 64);
      if (!workers) return workers.status();
      read.workers = *workers;
    } else {
      return flags.unknown();
    }
  }
  return read;
}

TEST(FlagReader, TakesValuesAfterASpaceOrAnEqualsSignAndPositionalArgumentsAnywhere) {
  auto result = read({"a.yaml", "--output=json", "-", "--workers", "3", "--strict", "b.yaml"});
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  EXPECT_TRUE(result->strict);
  EXPECT_EQ(result->output, "json");
  EXPECT_EQ(result->workers, 3);
  EXPECT_EQ(result->positional, (std::vector<std::string>{"a.yaml", "-", "b.yaml"}));
  result = read({"-o", "yaml", "--", "--strict"});
  ASSERT_TRUE(result.is_ok());
  EXPECT_FALSE(result->strict);  // after "--", a file named --strict
  EXPECT_EQ(result->positional, std::vector<std::string>{"--strict"});
}

TEST(FlagReader, NamesTheFlagInEveryError) {
  const auto message = [](std::vector<std::string> args) {
    auto result = read(std::move(args));
    return result.is_ok() ? std::string("ok") : result.status().message();
  };
  // An unknown flag is unknown, whether a value follows it or not.
  EXPECT_EQ(message({"--colour"}), "unknown flag --colour");
  EXPECT_EQ(message({"--colour", "red"}), "unknown flag --colour");
  EXPECT_EQ(message({"--colour=red"}), "unknown flag --colour");
  EXPECT_EQ(message({"--output"}), "--output needs a value");
  EXPECT_EQ(message({"--output", "--", "x"}), "--output needs a value");
  EXPECT_EQ(message({"--strict=yes"}), "--strict: takes no value");
  EXPECT_EQ(message({"--workers", "0"}), "--workers: \"0\": expected a whole number from 1 to 64");
  EXPECT_EQ(message({"--workers=x"}), "--workers: \"x\": expected a whole number from 1 to 64");
}

TEST(FlagReader, ReadsDurationsWithinBounds) {
  std::vector<std::string> args = {"--timeout", "1.5s", "--timeout", "2h", "--timeout", "5"};
  FlagReader flags(args);
  ASSERT_TRUE(flags.next());
  auto first = flags.duration(milliseconds(1), std::chrono::hours(1));
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(*first, milliseconds(1500));
  ASSERT_TRUE(flags.next());
  auto second = flags.duration(milliseconds(1), std::chrono::hours(1));
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().message(), "--timeout: \"2h\": expected from 1ms to 3600s");
  ASSERT_TRUE(flags.next());
  auto third = flags.duration(milliseconds(1), std::chrono::hours(1));
  ASSERT_FALSE(third.is_ok());
  EXPECT_NE(third.status().message().find("not a duration"), std::string::npos);
  EXPECT_FALSE(flags.next());
}

}  // namespace
}  // namespace nodrop
