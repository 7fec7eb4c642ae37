// Port: runs one probe (Kubernetes pkg/probe) and reports its result. The kubelet's probe
// workers decide when to probe and what a run of results means; a Prober only runs one attempt.
//
// Success criteria, as Kubernetes (reference/k8s-semantics.md §2.1):
//   httpGet    Success iff the status is 200–399. Connection errors and timeouts are Failure.
//              Request headers: User-Agent kube-probe/1.30 and Accept */* unless overridden.
//              At most 10 KiB of the body is read.
//   tcpSocket  Success iff a TCP connect completes within the timeout; closed at once, no data.
//   exec       Success iff the command exits 0 within the timeout; a timeout is Failure.
//              At most 10 KiB of its output is kept, as the message.
// The timeout covers the whole attempt.
//
// Contract for every implementation: `done` runs exactly once per probe() unless cancel()ed
// first, on the event loop's thread and never inside probe(); no later than the timeout plus the
// time to clean up (an exec probe's process is killed and reaped first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "runtime/clock.h"

namespace nodrop::runtime {

constexpr std::size_t kProbeBodyBytesMax = 10 * 1024;
constexpr std::size_t kProbeOutputBytesMax = 10 * 1024;
constexpr const char* kProbeUserAgent = "kube-probe/1.30";

// pkg/probe's Result.
enum class ProbeResult {
  kSuccess,
  kWarning,  // counts as Success; pkg/probe uses it for a redirect it did not follow
  kFailure,
  kError,  // the probe could not be run (Kubernetes' Unknown): the worker throws it away
};

const char* probe_result_name(ProbeResult result);

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpGetAction {
  std::string host;  // an IPv4 address; the kubelet fills in the pod IP when the spec has none
  std::uint16_t port = 0;
  std::string path = "/";
  std::vector<HttpHeader> headers;  // a User-Agent or Accept here replaces the default
};

struct TcpSocketAction {
  std::string host;  // an IPv4 address
  std::uint16_t port = 0;
};

struct ExecAction {
  std::vector<std::string> argv;  // as runtime::ProcessSpec: argv[0] looked up in env's PATH
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_dir;
};

struct ProbeSpec {
  std::variant<HttpGetAction, TcpSocketAction, ExecAction> action;
  Duration timeout = std::chrono::seconds(1);  // timeoutSeconds
};

struct ProbeOutcome {
  ProbeResult result = ProbeResult::kError;
  // Why, for events ("HTTP probe failed with statuscode: 503"), or an exec probe's output.
  std::string message;
};

using ProbeId = std::uint64_t;

class Prober {
 public:
  using DoneCallback = std::function<void(const ProbeOutcome&)>;

  virtual ~Prober() = default;
  virtual ProbeId probe(const ProbeSpec& spec, DoneCallback done) = 0;
  // Abandons a probe: its `done` never runs. False if it already finished (or was never started).
  virtual bool cancel(ProbeId probe) = 0;
};

inline const char* probe_result_name(ProbeResult result) {
  switch (result) {
    case ProbeResult::kSuccess:
      return "Success";
    case ProbeResult::kWarning:
      return "Warning";
    case ProbeResult::kFailure:
      return "Failure";
    case ProbeResult::kError:
      return "Unknown";
  }
  return "Unknown";
}

}  // namespace nodrop::runtime
