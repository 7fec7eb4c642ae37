// The result state of one probe worker (kubelet pkg/kubelet/prober/worker.go), without its
// timing: what a run of raw probe results does to the stored result. Pure.
//
//   initial stored result   readiness Failure, liveness Success, startup Unknown
//   raw result              Success and Warning count as Success; an Error is thrown away
//   run length              consecutive identical raw results
//   stored result changes   when the run reaches failureThreshold (Failure) or
//                           successThreshold (Success)
//   on hold                 after a liveness or startup Failure is stored: no more probes until
//                           a new container, and the run resets to 0
//
// Vectors: worker_test.go TestSuccessThreshold, TestResultRunOnLivenessCheckFailure,
// TestOnHoldOnLivenessOrStartupCheckFailure.
#pragma once

#include <cstdint>

#include "runtime/clock.h"
#include "runtime/prober.h"

namespace nodrop::node {

enum class ProbeType { kLiveness, kReadiness, kStartup };
const char* probe_type_name(ProbeType type);

// results.Result of the kubelet's results manager.
enum class StoredResult { kUnknown, kSuccess, kFailure };
const char* stored_result_name(StoredResult result);

class ProbeResults {
 public:
  ProbeResults(ProbeType type, std::int32_t success_threshold, std::int32_t failure_threshold);

  // A new container (ID) was seen: store the initial value and leave on-hold. The run counter is
  // kept, as the kubelet keeps it.
  void new_container();
  // A container adopted after a restart of nodrop: the result it had when last stored, kept until
  // runs of raw results change it, as any stored result is.
  void resume(StoredResult stored) {
    stored_ = stored;
    on_hold_ = false;
  }
  // Records one raw result; returns true when the stored result changed.
  bool record(runtime::ProbeResult raw);

  StoredResult stored() const { return stored_; }
  bool on_hold() const { return on_hold_; }
  std::int32_t result_run() const { return result_run_; }
  ProbeType type() const { return type_; }
  StoredResult initial_value() const;

 private:
  ProbeType type_;
  std::int32_t success_threshold_;
  std::int32_t failure_threshold_;
  StoredResult stored_;
  StoredResult last_result_ = StoredResult::kUnknown;
  std::int32_t result_run_ = 0;
  bool on_hold_ = false;
};

// worker.go's doProbe skips while int(secondsSince(container start)) < initialDelaySeconds: the
// first probe comes at the first tick at or after the delay.
//
//   running for   initialDelaySeconds   skip
//   0 s           10                    yes
//   9.9 s         10                    yes   (truncated to 9)
//   10 s          10                    no
bool within_initial_delay(runtime::Duration running_for, std::int32_t initial_delay_seconds);

}  // namespace nodrop::node
