#include "traffic/report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace nodrop::traffic {
namespace {

using std::chrono::milliseconds;

const runtime::Time kStart = runtime::Time(std::chrono::seconds(100));

Report sample_report() {
  Recorder recorder(kStart);
  for (int i = 0; i < 20; ++i) {
    const runtime::Time due = kStart + milliseconds(100 * i);
    recorder.record_send(due, due);
    recorder.record(due, due + milliseconds(2), Outcome::kOk, 200);
  }
  recorder.record(kStart + milliseconds(1500), kStart + milliseconds(1501), Outcome::kHttp5xx, 503);
  recorder.record(kStart + milliseconds(1600), kStart + milliseconds(1601),
                  Outcome::kConnectRefused, 0);
  recorder.mark(kStart + milliseconds(1000), "command <started>");
  Report report(std::move(recorder));
  report.options.target.host = "127.0.0.1";
  report.options.target.port = 8080;
  report.options.rate_per_second = 10;
  report.options.duration = std::chrono::seconds(2);
  report.elapsed = std::chrono::seconds(2);
  report.command = CommandRun{{"sh", "-c", "exit 0"},
                              milliseconds(1000),
                              milliseconds(300),
                              milliseconds(1000),
                              milliseconds(1700),
                              0,
                              false};
  return report;
}

TEST(Report, VerdictFailsOnMoreFailuresThanAllowedOrAFailedCommand) {
  Report report = sample_report();
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.verdict(), "FAIL: 2 of 22 requests failed (allowed 0)");
  report.max_failures = 2;
  EXPECT_TRUE(report.passed());
  report.command->exit_status = 1;
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.verdict(), "FAIL: the command exited 1");
}

TEST(Report, SummaryNamesEachFailureClassAndCodeAndSecond) {
  std::ostringstream out;
  write_summary(sample_report(), out);
  const std::string text = out.str();
  EXPECT_EQ(
      text.rfind("nodrop verify http://127.0.0.1:8080/: 10 req/s from 1.00s before the command "
                 "until 300ms after it (at most 2.00s)",
                 0),
      0U)
      << text;
  EXPECT_NE(text.find("ok 20  http_5xx 1 (503: 1)  connect_refused 1"), std::string::npos) << text;
  EXPECT_NE(text.find("1s  http_5xx 1  connect_refused 1"), std::string::npos) << text;
  EXPECT_NE(text.find("sh -c 'exit 0': started at 1.00s, exited 0 at 1.70s"), std::string::npos)
      << text;
}

TEST(Report, JsonCarriesTheCountsTimelineAndCommand) {
  std::ostringstream out;
  write_json(sample_report(), out);
  const std::string json = out.str();
  EXPECT_NE(
      json.find(
          "\"outcomes\": {\"ok\": 20, \"http_4xx\": 0, \"http_5xx\": 1, \"connect_refused\": 1"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find("\"status_codes\": {\"200\": 20, \"503\": 1}"), std::string::npos);
  EXPECT_NE(json.find("{\"second\": 1, \"http_5xx\": 1, \"connect_refused\": 1}"),
            std::string::npos);
  EXPECT_NE(json.find("\"label\": \"command <started>\""), std::string::npos);
  EXPECT_NE(json.find("\"exit_status\": 0"), std::string::npos);
  EXPECT_NE(json.find("\"passed\": false"), std::string::npos);
}

TEST(Report, TimelineSvgIsSelfContainedAndEscapesLabels) {
  const std::string svg = timeline_svg(sample_report());
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0U);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);  // no external assets
  EXPECT_NE(svg.find("command &lt;started&gt;"), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#de2d26\"><title>1.5s: 1 failed</title>"), std::string::npos) << svg;
}

TEST(Report, FormatsLatenciesWithThreeSignificantDigits) {
  EXPECT_EQ(format_latency(std::chrono::microseconds(123)), "0.123ms");
  EXPECT_EQ(format_latency(std::chrono::microseconds(4560)), "4.56ms");
  EXPECT_EQ(format_latency(milliseconds(45)), "45.0ms");
  EXPECT_EQ(format_latency(milliseconds(2350)), "2.35s");
  EXPECT_EQ(format_latency(std::chrono::minutes(10)), "10m");
}

}  // namespace
}  // namespace nodrop::traffic
