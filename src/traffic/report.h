// The result of a load or verify run, and its three renderings: a summary for a person, JSON for
// machines, and a self-contained SVG timeline (throughput and failures per 100 ms, with marks).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "runtime/clock.h"
#include "traffic/load_options.h"
#include "traffic/recorder.h"

namespace nodrop::traffic {

// The command verify ran around its load.
struct CommandRun {
  std::vector<std::string> argv;
  runtime::Duration before{};      // load before it started (--before)
  runtime::Duration settle{};      // load after it exited (--settle)
  runtime::Duration started_at{};  // since the start of the load
  std::optional<runtime::Duration> exited_at;
  std::optional<int> exit_status;   // as a shell reports it; none when it was killed at the end
  bool killed_at_deadline = false;  // still running when the load ended (--duration, or a signal)
};

struct Report {
  explicit Report(Recorder recorder_in) : recorder(std::move(recorder_in)) {}

  LoadOptions options;
  runtime::WallTime started_wall{};
  runtime::Duration elapsed{};  // from the start to the last outcome
  Recorder recorder;
  std::optional<CommandRun> command;  // verify only
  std::uint64_t max_failures = 0;
  bool interrupted = false;  // SIGINT or SIGTERM ended the load early

  // No more failures than allowed, and the command (if any) exited 0.
  bool passed() const;
  // One line: "PASS: ..." or "FAIL: ...", saying why.
  std::string verdict() const;
};

void write_summary(const Report& report, std::ostream& out);
void write_json(const Report& report, std::ostream& out);
std::string timeline_svg(const Report& report);

// "1.23ms", "45.6ms", "2.35s": three significant digits.
std::string format_latency(runtime::Duration duration);

}  // namespace nodrop::traffic
