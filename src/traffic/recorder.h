// Counts what happened to every request of a run, in bounded memory: totals per outcome and per
// HTTP status code, a latency histogram of the ok answers, and a timeline in 100 ms buckets.
//
// The timeline files each outcome under the bucket of the request's intended send time (so a
// failure shows when the request was due), and each ok answer also under the bucket of its
// completion (so throughput shows when answers arrived).
//
// Bounds: kMaxBuckets buckets (a later time counts in the last one), kMaxMarks marks; status codes
// are three-digit numbers, so at most 900 of them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/clock.h"
#include "traffic/latency_histogram.h"
#include "traffic/outcome.h"

namespace nodrop::traffic {

struct TimelineBucket {
  std::array<std::uint32_t, kOutcomeCount> by_outcome{};  // by intended send time
  std::uint32_t ok_completed = 0;                         // by completion time
  std::uint32_t sent = 0;                                 // by actual send time

  std::uint32_t failures() const;
};

// Something that happened during the run, drawn on the timeline ("command started").
struct Mark {
  runtime::Duration at;  // since the start of the run
  std::string label;
};

class Recorder {
 public:
  static constexpr runtime::Duration kBucketWidth = std::chrono::milliseconds(100);
  // One hour of load plus a minute of answers after it.
  static constexpr std::size_t kMaxBuckets = 36'600;
  static constexpr std::size_t kMaxMarks = 64;

  explicit Recorder(runtime::Time start) : start_(start) {}

  // One request's outcome. status_code is the HTTP status when there was one, else 0.
  void record(runtime::Time intended, runtime::Time completed, Outcome outcome, int status_code);
  // A request went out (or began connecting) at actual; intended is when it was due. The gap is
  // the generator's own lag, the check that the instrument kept its schedule.
  void record_send(runtime::Time intended, runtime::Time actual);
  // Marks beyond kMaxMarks are dropped.
  void mark(runtime::Time at, std::string label);

  runtime::Time start() const { return start_; }
  std::uint64_t total() const { return total_; }
  std::uint64_t count(Outcome outcome) const { return by_outcome_[outcome_index(outcome)]; }
  std::uint64_t failures() const { return total_ - count(Outcome::kOk); }
  // Every status code seen, with its count (ok ones too).
  const std::map<int, std::uint64_t>& status_counts() const { return status_counts_; }
  const LatencyHistogram& latency() const { return latency_; }
  const LatencyHistogram& send_lag() const { return send_lag_; }
  std::uint64_t sent() const { return sent_; }
  const std::vector<TimelineBucket>& buckets() const { return buckets_; }
  const std::vector<Mark>& marks() const { return marks_; }

  // Failures per whole second of intended send time, for seconds that had any: {second, count}.
  std::vector<std::pair<std::uint64_t, std::array<std::uint64_t, kOutcomeCount>>>
  failures_by_second() const;

 private:
  TimelineBucket& bucket_at(runtime::Time time);

  runtime::Time start_;
  std::uint64_t total_ = 0;
  std::array<std::uint64_t, kOutcomeCount> by_outcome_{};
  std::map<int, std::uint64_t> status_counts_;
  LatencyHistogram latency_;
  LatencyHistogram send_lag_;
  std::uint64_t sent_ = 0;
  std::vector<TimelineBucket> buckets_;
  std::vector<Mark> marks_;
};

}  // namespace nodrop::traffic
