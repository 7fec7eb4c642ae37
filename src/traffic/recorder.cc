#include "traffic/recorder.h"

#include <algorithm>

namespace nodrop::traffic {

std::uint32_t TimelineBucket::failures() const {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < kOutcomeCount; ++i) {
    if (i != outcome_index(Outcome::kOk)) sum += by_outcome[i];
  }
  return sum;
}

TimelineBucket& Recorder::bucket_at(runtime::Time time) {
  const runtime::Duration since_start = std::max(runtime::Duration::zero(), time - start_);
  const auto index =
      std::min<std::size_t>(static_cast<std::size_t>(since_start / kBucketWidth), kMaxBuckets - 1);
  if (buckets_.size() <= index) buckets_.resize(index + 1);
  return buckets_[index];
}

void Recorder::record(runtime::Time intended, runtime::Time completed, Outcome outcome,
                      int status_code) {
  ++total_;
  ++by_outcome_[outcome_index(outcome)];
  if (status_code >= 100 && status_code <= 999) ++status_counts_[status_code];
  ++bucket_at(intended).by_outcome[outcome_index(outcome)];
  if (outcome == Outcome::kOk) {
    latency_.record(completed - intended);
    ++bucket_at(completed).ok_completed;
  }
}

void Recorder::record_send(runtime::Time intended, runtime::Time actual) {
  ++sent_;
  send_lag_.record(actual - intended);
  ++bucket_at(actual).sent;
}

void Recorder::mark(runtime::Time at, std::string label) {
  if (marks_.size() >= kMaxMarks) return;
  marks_.push_back({at - start_, std::move(label)});
}

std::vector<std::pair<std::uint64_t, std::array<std::uint64_t, kOutcomeCount>>>
Recorder::failures_by_second() const {
  constexpr std::size_t kBucketsPerSecond = std::chrono::seconds(1) / kBucketWidth;
  std::vector<std::pair<std::uint64_t, std::array<std::uint64_t, kOutcomeCount>>> seconds;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    if (buckets_[i].failures() == 0) continue;
    const std::uint64_t second = i / kBucketsPerSecond;
    if (seconds.empty() || seconds.back().first != second) seconds.push_back({second, {}});
    for (std::size_t k = 0; k < kOutcomeCount; ++k) {
      if (k != outcome_index(Outcome::kOk)) seconds.back().second[k] += buckets_[i].by_outcome[k];
    }
  }
  return seconds;
}

}  // namespace nodrop::traffic
