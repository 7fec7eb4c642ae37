// `kubectl logs`: a container's log as the kubelet wrote it (CRI format, one file per run of the
// container: <log directory>/<namespace>_<pod>_<uid>/<container>/<run>.log), turned back into the
// lines the process printed, with tailLines, sinceSeconds, timestamps, previous (the run before
// the current one), limitBytes and follow (the file read as it grows, until the run ends or the
// pod goes).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "api/pod.h"
#include "base/status.h"
#include "http/exchange.h"
#include "runtime/clock.h"
#include "store/store.h"

namespace nodrop::apiserver {

struct LogOptions {
  std::string container{};  // empty: the pod's only container
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::optional<std::int64_t> tail_lines{};
  std::optional<std::int64_t> since_seconds{};
  std::optional<std::int64_t> limit_bytes{};
};

// The log file of the run asked for; NotFound / InvalidArgument with kubectl's messages.
Result<std::string> log_file_of(const std::string& log_directory, const api::Pod& pod,
                                const LogOptions& options);

// The whole answer (follow false), or a stream (follow true).
Result<http::ServerResponse> pod_log_response(store::Store& store, const runtime::Clock& clock,
                                              const std::string& log_directory, const api::Pod& pod,
                                              const LogOptions& options);

}  // namespace nodrop::apiserver
