#include "node/probe_results.h"

#include "base/check.h"

namespace nodrop::node {

const char* probe_type_name(ProbeType type) {
  switch (type) {
    case ProbeType::kLiveness:
      return "Liveness";
    case ProbeType::kReadiness:
      return "Readiness";
    case ProbeType::kStartup:
      return "Startup";
  }
  return "Unknown";
}

const char* stored_result_name(StoredResult result) {
  switch (result) {
    case StoredResult::kUnknown:
      return "Unknown";
    case StoredResult::kSuccess:
      return "Success";
    case StoredResult::kFailure:
      return "Failure";
  }
  return "Unknown";
}

ProbeResults::ProbeResults(ProbeType type, std::int32_t success_threshold,
                           std::int32_t failure_threshold)
    : type_(type),
      success_threshold_(success_threshold),
      failure_threshold_(failure_threshold),
      stored_(initial_value()) {
  NODROP_CHECK(success_threshold >= 1 && failure_threshold >= 1);
}

StoredResult ProbeResults::initial_value() const {
  switch (type_) {
    case ProbeType::kReadiness:
      return StoredResult::kFailure;
    case ProbeType::kLiveness:
      return StoredResult::kSuccess;
    case ProbeType::kStartup:
      return StoredResult::kUnknown;
  }
  return StoredResult::kUnknown;
}

void ProbeResults::new_container() {
  stored_ = initial_value();
  on_hold_ = false;
}

bool ProbeResults::record(runtime::ProbeResult raw) {
  NODROP_CHECK(!on_hold_);
  StoredResult result = StoredResult::kUnknown;
  switch (raw) {
    case runtime::ProbeResult::kSuccess:
    case runtime::ProbeResult::kWarning:
      result = StoredResult::kSuccess;
      break;
    case runtime::ProbeResult::kFailure:
      result = StoredResult::kFailure;
      break;
    case runtime::ProbeResult::kError:
      return false;  // a prober error throws the result away
  }
  if (last_result_ == result) {
    ++result_run_;
  } else {
    last_result_ = result;
    result_run_ = 1;
  }
  if ((result == StoredResult::kFailure && result_run_ < failure_threshold_) ||
      (result == StoredResult::kSuccess && result_run_ < success_threshold_)) {
    return false;
  }
  const bool changed = stored_ != result;
  stored_ = result;
  if (type_ != ProbeType::kReadiness && result == StoredResult::kFailure) {
    on_hold_ = true;
    result_run_ = 0;
  }
  return changed;
}

}  // namespace nodrop::node
