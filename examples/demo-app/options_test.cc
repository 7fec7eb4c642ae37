#include "options.h"

#include <gtest/gtest.h>

namespace demo_app {
namespace {

using std::chrono::milliseconds;

TEST(DemoAppOptions, ParsesDurationsInMillisecondsSecondsAndMinutes) {
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("2s"), milliseconds(2000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration("1m"), milliseconds(60'000));
  EXPECT_EQ(parse_duration("5"), std::nullopt);
  EXPECT_EQ(parse_duration("-1s"), std::nullopt);
  EXPECT_EQ(parse_duration("s"), std::nullopt);
}

TEST(DemoAppOptions, AcceptsBothFlagForms) {
  const ParsedOptions parsed =
      parse_options({"--listen", "127.0.2.7:9000", "--version=v2", "--startup-delay", "3s",
                     "--shutdown=immediate", "--latency=10ms"});
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.options.listen_host, "127.0.2.7");
  EXPECT_EQ(parsed.options.listen_port, 9000);
  EXPECT_EQ(parsed.options.version, "v2");
  EXPECT_EQ(parsed.options.startup_delay, milliseconds(3000));
  EXPECT_EQ(parsed.options.shutdown, ShutdownMode::kImmediate);
  EXPECT_EQ(parsed.options.latency, milliseconds(10));
}

TEST(DemoAppOptions, RejectsUnknownFlagsAndBadValuesWithAMessage) {
  EXPECT_EQ(parse_options({"--colour", "red"}).error, "unknown flag --colour");
  EXPECT_EQ(parse_options({"--shutdown=later"}).error, "invalid value \"later\" for --shutdown");
  EXPECT_EQ(parse_options({"--listen=nowhere"}).error, "invalid value \"nowhere\" for --listen");
  EXPECT_EQ(parse_options({"--listen=1.2.3.4:70000"}).error,
            "invalid value \"1.2.3.4:70000\" for --listen");
  EXPECT_EQ(parse_options({"--latency"}).error, "--latency needs a value");
}

}  // namespace
TEST(Options, TheEnvironmentGivesListenAndVersionWhichFlagsOverride) {
  const std::vector<std::string> flags = flags_from_environment("127.0.2.9:8080", "v4");
  EXPECT_EQ(flags, (std::vector<std::string>{"--listen=127.0.2.9:8080", "--version=v4"}));
  EXPECT_TRUE(flags_from_environment(nullptr, "").empty());
  std::vector<std::string_view> args(flags.begin(), flags.end());
  args.push_back("--version");
  args.push_back("v5");
  const ParsedOptions parsed = parse_options(args);
  ASSERT_TRUE(parsed.error.empty()) << parsed.error;
  EXPECT_EQ(parsed.options.version, "v5");
  EXPECT_EQ(parsed.options.listen_port, 8080);
}

}  // namespace demo_app
