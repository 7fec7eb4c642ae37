#include "base/cri_log.h"

#include <gtest/gtest.h>

namespace nodrop {
namespace {

const WallTime kTime = WallTime(std::chrono::seconds(1'780'000'000) + std::chrono::nanoseconds(5));

TEST(CriLog, FramesCompleteLinesAndKeepsAnIncompleteOneForLater) {
  CriLineFramer framer;
  std::string out;
  framer.frame("one\ntw", kTime, &out);
  EXPECT_EQ(out, format_rfc3339_nano(kTime) + " stdout F one\n");
  out.clear();
  framer.frame("o\n\nthree", kTime, &out);
  EXPECT_EQ(out, format_rfc3339_nano(kTime) + " stdout F two\n" + format_rfc3339_nano(kTime) +
                     " stdout F \n");
  out.clear();
  framer.finish(kTime, &out);
  EXPECT_EQ(out, format_rfc3339_nano(kTime) + " stdout F three\n");
  EXPECT_EQ(format_rfc3339_nano(kTime), "2026-05-28T20:26:40.000000005Z");
}

TEST(CriLog, SplitsALineLongerThanTheBoundIntoPartialLines) {
  CriLineFramer framer;
  std::string out;
  const std::string long_line(CriLineFramer::kMaxLineBytes * 2 + 10, 'x');
  framer.frame(long_line.substr(0, 100), kTime, &out);
  EXPECT_TRUE(out.empty());
  framer.frame(long_line.substr(100) + "\n", kTime, &out);
  std::vector<CriLine> lines;
  std::size_t start = 0;
  while (start < out.size()) {
    const auto end = out.find('\n', start);
    auto parsed = parse_cri_line(std::string_view(out).substr(start, end - start));
    ASSERT_TRUE(parsed.has_value());
    lines.push_back(*parsed);
    start = end + 1;
  }
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_FALSE(lines[0].full);
  EXPECT_FALSE(lines[1].full);
  EXPECT_TRUE(lines[2].full);
  EXPECT_EQ(lines[0].content.size(), CriLineFramer::kMaxLineBytes);
  EXPECT_EQ(lines[2].content.size(), 10U);
  EXPECT_EQ(lines[2].time, kTime);
  EXPECT_EQ(lines[2].stream, "stdout");
}

TEST(CriLog, ParseRefusesWhatIsNotACriLine) {
  EXPECT_FALSE(parse_cri_line("hello world").has_value());
  EXPECT_FALSE(parse_cri_line("2026-05-28T20:26:40Z stdout X text").has_value());
  auto empty = parse_cri_line("2026-05-28T20:26:40.5Z stdout F");
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->content, "");
}

}  // namespace
}  // namespace nodrop
