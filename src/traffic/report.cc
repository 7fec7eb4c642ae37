#include "traffic/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/strings.h"
#include "base/time.h"

namespace nodrop::traffic {
namespace {

double seconds_of(runtime::Duration duration) {
  return std::chrono::duration<double>(duration).count();
}

double millis_of(runtime::Duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

std::string join_command(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& argument : argv) {
    if (!text.empty()) text += ' ';
    const bool plain =
        !argument.empty() && argument.find_first_of(" \t'\"$\\") == std::string::npos;
    text += plain ? argument : "'" + argument + "'";
  }
  return text;
}

std::string rate_text(const LoadOptions& options) {
  return options.rate_per_second ? fmt::format("{} req/s", *options.rate_per_second)
                                 : std::string("max rate (closed loop)");
}

std::string mode_text(const LoadOptions& options) {
  switch (options.mode) {
    case ConnectionMode::kKeepAlive:
      return "keep-alive";
    case ConnectionMode::kNewConnection:
      return "new-connection";
  }
  return "unknown";
}

std::string outcome_counts(const Recorder& recorder, bool failures_only) {
  std::string text;
  for (const Outcome outcome : kAllOutcomes) {
    const std::uint64_t count = recorder.count(outcome);
    if (count == 0 || (failures_only && !is_failure(outcome))) continue;
    if (!text.empty()) text += "  ";
    text += fmt::format("{} {}", outcome_name(outcome), count);
    if (outcome == Outcome::kHttp5xx || outcome == Outcome::kHttp4xx) {
      std::string codes;
      const int low = outcome == Outcome::kHttp5xx ? 500 : 400;
      for (const auto& [code, code_count] : recorder.status_counts()) {
        if (code < low || code >= low + 100) continue;
        codes += fmt::format("{}{}: {}", codes.empty() ? "" : ", ", code, code_count);
      }
      text += " (" + codes + ")";
    }
  }
  return text.empty() ? "none" : text;
}

}  // namespace

std::string format_latency(runtime::Duration duration) {
  const double ms = millis_of(duration);
  if (ms < 1) return fmt::format("{:.3f}ms", ms);
  if (ms < 10) return fmt::format("{:.2f}ms", ms);
  if (ms < 100) return fmt::format("{:.1f}ms", ms);
  if (ms < 1000) return fmt::format("{:.0f}ms", ms);
  if (ms < 60'000 || std::fmod(ms, 60'000) != 0) return fmt::format("{:.2f}s", ms / 1000);
  return fmt::format("{:.0f}m", ms / 60'000);
}

bool Report::passed() const {
  if (recorder.failures() > max_failures) return false;
  if (command && (command->killed_at_deadline || command->exit_status.value_or(1) != 0))
    return false;
  return true;
}

std::string Report::verdict() const {
  std::vector<std::string> reasons;
  const std::uint64_t failures = recorder.failures();
  if (failures > max_failures) {
    reasons.push_back(fmt::format("{} of {} requests failed (allowed {})", failures,
                                  recorder.total(), max_failures));
  }
  if (command) {
    if (command->killed_at_deadline) {
      reasons.push_back("the command was still running when the load ended and was killed");
    } else if (command->exit_status.value_or(1) != 0) {
      reasons.push_back(fmt::format("the command exited {}", command->exit_status.value_or(-1)));
    }
  }
  if (reasons.empty()) {
    return fmt::format("PASS: {} requests, {} failed (allowed {}){}", recorder.total(), failures,
                       max_failures, command ? ", the command exited 0" : "");
  }
  std::string text = "FAIL: ";
  for (std::size_t i = 0; i < reasons.size(); ++i) text += (i ? "; " : "") + reasons[i];
  return text;
}

void write_summary(const Report& report, std::ostream& out) {
  const Recorder& recorder = report.recorder;
  const LoadOptions& options = report.options;
  const std::string how_long =
      report.command
          ? fmt::format("from {} before the command until {} after it (at most {})",
                        format_latency(report.command->before),
                        format_latency(report.command->settle), format_latency(options.duration))
          : fmt::format("for {}", format_latency(options.duration));
  out << fmt::format("{} {}: {} {}, {} {} connections, timeout {}\n",
                     report.command ? "nodrop verify" : "nodrop load", options.target.to_string(),
                     rate_text(options), how_long, options.connections, mode_text(options),
                     format_latency(options.timeout));
  const double elapsed = seconds_of(report.elapsed);
  out << fmt::format(
      "  requests   {} in {:.2f}s ({:.0f}/s answered ok)\n", recorder.total(), elapsed,
      elapsed > 0 ? static_cast<double>(recorder.count(Outcome::kOk)) / elapsed : 0.0);
  out << fmt::format("  outcomes   {}\n", outcome_counts(recorder, false));
  const LatencyHistogram& latency = recorder.latency();
  if (latency.count() > 0) {
    out << fmt::format(
        "  latency    p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  (ok answers, from the "
        "intended send time)\n",
        format_latency(latency.percentile(0.5)), format_latency(latency.percentile(0.9)),
        format_latency(latency.percentile(0.99)), format_latency(latency.percentile(0.999)),
        format_latency(latency.max()));
  }
  if (report.options.rate_per_second && recorder.send_lag().count() > 0) {
    out << fmt::format("  send lag   p99 {}  max {}  (how late the generator itself sent)\n",
                       format_latency(recorder.send_lag().percentile(0.99)),
                       format_latency(recorder.send_lag().max()));
  }
  const auto by_second = recorder.failures_by_second();
  if (!by_second.empty()) {
    out << "  failures by second (of the intended send time)\n";
    constexpr std::size_t kMaxLines = 30;
    for (std::size_t i = 0; i < by_second.size() && i < kMaxLines; ++i) {
      std::string classes;
      for (const Outcome outcome : kAllOutcomes) {
        const std::uint64_t count = by_second[i].second[outcome_index(outcome)];
        if (count != 0) classes += fmt::format("  {} {}", outcome_name(outcome), count);
      }
      out << fmt::format("    {:>5}s{}\n", by_second[i].first, classes);
    }
    if (by_second.size() > kMaxLines) {
      out << fmt::format("    ... {} more seconds with failures (see --json)\n",
                         by_second.size() - kMaxLines);
    }
  }
  if (report.command) {
    const CommandRun& command = *report.command;
    std::string ending;
    if (command.killed_at_deadline) {
      ending = "was still running when the load ended, and was killed";
    } else if (command.exit_status && command.exited_at) {
      ending =
          fmt::format("exited {} at {:.2f}s", *command.exit_status, seconds_of(*command.exited_at));
    }
    out << fmt::format("  command    {}: started at {:.2f}s, {}\n", join_command(command.argv),
                       seconds_of(command.started_at), ending);
  }
  if (report.interrupted) out << "  interrupted: the load stopped early on a signal\n";
  out << "  verdict    " << report.verdict() << "\n";
}

void write_json(const Report& report, std::ostream& out) {
  const Recorder& recorder = report.recorder;
  const LoadOptions& options = report.options;
  out << "{\n";
  out << fmt::format("  \"target\": {},\n", json_quote(options.target.to_string()));
  out << fmt::format("  \"rate_per_second\": {},\n",
                     options.rate_per_second ? std::to_string(*options.rate_per_second) : "null");
  out << fmt::format("  \"duration_seconds\": {:.3f},\n", seconds_of(options.duration));
  out << fmt::format("  \"connections\": {},\n", options.connections);
  out << fmt::format("  \"mode\": {},\n", json_quote(mode_text(options)));
  out << fmt::format("  \"timeout_seconds\": {:.3f},\n", seconds_of(options.timeout));
  out << fmt::format("  \"started_at\": {},\n", json_quote(format_rfc3339(report.started_wall)));
  out << fmt::format("  \"elapsed_seconds\": {:.3f},\n", seconds_of(report.elapsed));
  out << fmt::format(
      "  \"requests\": {{\"total\": {}, \"sent\": {}, \"ok\": {}, \"failed\": {}}},\n",
      recorder.total(), recorder.sent(), recorder.count(Outcome::kOk), recorder.failures());
  out << "  \"outcomes\": {";
  for (std::size_t i = 0; i < kAllOutcomes.size(); ++i) {
    out << fmt::format("{}\"{}\": {}", i ? ", " : "", outcome_name(kAllOutcomes[i]),
                       recorder.count(kAllOutcomes[i]));
  }
  out << "},\n  \"status_codes\": {";
  bool first = true;
  for (const auto& [code, count] : recorder.status_counts()) {
    out << fmt::format("{}\"{}\": {}", first ? "" : ", ", code, count);
    first = false;
  }
  const LatencyHistogram& latency = recorder.latency();
  out << fmt::format(
      "}},\n  \"latency_ms\": {{\"count\": {}, \"p50\": {:.3f}, \"p90\": {:.3f}, \"p99\": {:.3f}, "
      "\"p999\": {:.3f}, \"max\": {:.3f}}},\n",
      latency.count(), millis_of(latency.percentile(0.5)), millis_of(latency.percentile(0.9)),
      millis_of(latency.percentile(0.99)), millis_of(latency.percentile(0.999)),
      millis_of(latency.max()));
  const LatencyHistogram& lag = recorder.send_lag();
  out << fmt::format(
      "  \"send_lag_ms\": {{\"p50\": {:.3f}, \"p90\": {:.3f}, \"p99\": {:.3f}, \"max\": "
      "{:.3f}}},\n",
      millis_of(lag.percentile(0.5)), millis_of(lag.percentile(0.9)),
      millis_of(lag.percentile(0.99)), millis_of(lag.max()));
  out << "  \"failures_by_second\": [";
  const auto by_second = recorder.failures_by_second();
  for (std::size_t i = 0; i < by_second.size(); ++i) {
    out << fmt::format("{}\n    {{\"second\": {}", i ? "," : "", by_second[i].first);
    for (const Outcome outcome : kAllOutcomes) {
      const std::uint64_t count = by_second[i].second[outcome_index(outcome)];
      if (count != 0) out << fmt::format(", \"{}\": {}", outcome_name(outcome), count);
    }
    out << "}";
  }
  out << (by_second.empty() ? "],\n" : "\n  ],\n");
  const auto& buckets = recorder.buckets();
  auto series = [&](auto value) {
    std::string text;
    for (std::size_t i = 0; i < buckets.size(); ++i)
      text += fmt::format("{}{}", i ? "," : "", value(buckets[i]));
    return text;
  };
  out << fmt::format(
      "  \"timeline\": {{\"bucket_ms\": {}, \"sent\": [{}], \"ok\": [{}], \"failed\": [{}]}},\n",
      Recorder::kBucketWidth / std::chrono::milliseconds(1),
      series([](const TimelineBucket& b) { return b.sent; }),
      series([](const TimelineBucket& b) { return b.ok_completed; }),
      series([](const TimelineBucket& b) { return b.failures(); }));
  out << "  \"marks\": [";
  for (std::size_t i = 0; i < recorder.marks().size(); ++i) {
    const Mark& mark = recorder.marks()[i];
    out << fmt::format("{}{{\"at_seconds\": {:.3f}, \"label\": {}}}", i ? ", " : "",
                       seconds_of(mark.at), json_quote(mark.label));
  }
  out << "],\n";
  if (report.command) {
    const CommandRun& command = *report.command;
    out << "  \"command\": {\"argv\": [";
    for (std::size_t i = 0; i < command.argv.size(); ++i) {
      out << (i ? ", " : "") << json_quote(command.argv[i]);
    }
    out << fmt::format(
        "], \"started_at_seconds\": {:.3f}, \"exited_at_seconds\": {}, "
        "\"exit_status\": {}, \"killed_at_deadline\": {}}},\n",
        seconds_of(command.started_at),
        command.exited_at ? fmt::format("{:.3f}", seconds_of(*command.exited_at)) : "null",
        command.exit_status ? std::to_string(*command.exit_status) : "null",
        command.killed_at_deadline);
  }
  out << fmt::format("  \"interrupted\": {},\n", report.interrupted);
  out << fmt::format("  \"max_failures\": {},\n", report.max_failures);
  out << fmt::format("  \"passed\": {},\n", report.passed());
  out << fmt::format("  \"verdict\": {}\n}}\n", json_quote(report.verdict()));
}

std::string timeline_svg(const Report& report) {
  const Recorder& recorder = report.recorder;
  const auto& buckets = recorder.buckets();
  constexpr double kWidth = 960;
  constexpr double kHeight = 320;
  constexpr double kLeft = 60;
  constexpr double kRight = 20;
  constexpr double kTop = 40;
  constexpr double kBottom = 50;
  const double plot_width = kWidth - kLeft - kRight;
  const double plot_height = kHeight - kTop - kBottom;
  const std::size_t count = std::max<std::size_t>(buckets.size(), 1);
  std::uint32_t peak = 1;
  for (const TimelineBucket& bucket : buckets) {
    peak = std::max(peak, bucket.ok_completed + bucket.failures());
  }
  const double bar = plot_width / static_cast<double>(count);
  auto x_of = [&](double index) { return kLeft + index * bar; };
  auto y_of = [&](double value) { return kTop + plot_height * (1.0 - value / peak); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
      kWidth, kHeight);
  std::string title =
      fmt::format("{} {} at {}: {} requests, {} failed", report.command ? "verify" : "load",
                  report.options.target.to_string(), rate_text(report.options), recorder.total(),
                  recorder.failures());
  svg +=
      fmt::format("<text x=\"{}\" y=\"20\" font-size=\"14\">{}</text>\n", kLeft, xml_escape(title));
  // Axes and the peak label.
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#888\"/>\n", kLeft,
                     kTop, kTop + plot_height);
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#888\"/>\n", kLeft,
                     kTop + plot_height, kLeft + plot_width);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", kLeft - 4, kTop + 4,
                     peak);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>\n", kLeft - 4,
                     kTop + plot_height + 4);
  svg += fmt::format(
      "<text x=\"14\" y=\"{}\" transform=\"rotate(-90 14 {})\" text-anchor=\"middle\">per 100 "
      "ms</text>\n",
      kTop + plot_height / 2, kTop + plot_height / 2);
  // Seconds along the x axis, at most about 12 labels.
  const double seconds_total = static_cast<double>(count) / 10.0;
  const double step = std::max(1.0, std::ceil(seconds_total / 12.0));
  for (double second = 0; second <= seconds_total; second += step) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}s</text>\n",
                       x_of(second * 10), kTop + plot_height + 16, second);
  }
  // Throughput: ok answers per 100 ms as a filled step line.
  std::string points = fmt::format("{:.1f},{:.1f}", x_of(0), y_of(0));
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const double y = y_of(buckets[i].ok_completed);
    points += fmt::format(" {:.1f},{:.1f} {:.1f},{:.1f}", x_of(static_cast<double>(i)), y,
                          x_of(static_cast<double>(i + 1)), y);
  }
  points += fmt::format(" {:.1f},{:.1f}", x_of(static_cast<double>(buckets.size())), y_of(0));
  svg += fmt::format(
      "<polygon points=\"{}\" fill=\"#9ecae1\" stroke=\"#3182bd\" stroke-width=\"1\"/>\n", points);
  // Failures per 100 ms (by intended send time) as red bars stacked on that bucket's ok answers,
  // so both stay visible; at least 2 px tall so a single failure shows.
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const std::uint32_t failures = buckets[i].failures();
    if (failures == 0) continue;
    const double height = std::max(2.0, plot_height * failures / peak);
    const double base = y_of(buckets[i].ok_completed);
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
        "fill=\"#de2d26\"><title>{:.1f}s: {} "
        "failed</title></rect>\n",
        x_of(static_cast<double>(i)), base - height, std::max(1.0, bar), height,
        static_cast<double>(i) / 10.0, failures);
  }
  // Marks: dashed vertical lines with their labels, staggered so neighbours do not overlap.
  for (std::size_t i = 0; i < recorder.marks().size(); ++i) {
    const Mark& mark = recorder.marks()[i];
    const double x = x_of(seconds_of(mark.at) * 10.0);
    const std::string label = xml_escape(mark.label);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#636363\" "
        "stroke-dasharray=\"4 3\"/>\n",
        x, kTop, kTop + plot_height);
    // A white box behind the label keeps it readable over the bars; 7 px a character is an
    // estimate for 12 px sans-serif, enough for a background.
    const double label_y = kTop + 14 + 16 * static_cast<double>(i % 3);
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"15\" fill=\"#ffffff\" "
        "fill-opacity=\"0.85\"/>\n",
        x + 1, label_y - 12, 7.0 * static_cast<double>(mark.label.size()) + 4);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" fill=\"#333333\">{}</text>\n", x + 3, label_y,
                       label);
  }
  // Legend.
  const double legend_y = kHeight - 12;
  svg += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"10\" fill=\"#9ecae1\" stroke=\"#3182bd\"/>\n",
      kLeft, legend_y - 9);
  svg +=
      fmt::format("<text x=\"{}\" y=\"{}\">ok answers per 100 ms</text>\n", kLeft + 16, legend_y);
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"10\" fill=\"#de2d26\"/>\n",
                     kLeft + 200, legend_y - 9);
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\">failed requests per 100 ms (by intended send time)</text>\n",
      kLeft + 216, legend_y);
  svg += "</svg>\n";
  return svg;
}

}  // namespace nodrop::traffic
