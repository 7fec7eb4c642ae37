// Metrics of one listener: counts of connections, requests, responses by class, errors by class,
// retries, bytes, and a latency histogram. Per-endpoint counts are proxy::EndpointCounters.
// Written by every worker with relaxed atomics; read by anyone.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "proxy/routing/latency_histogram.h"

namespace nodrop::proxy {

enum class ProxyError {
  kBadRequest,       // 400: the client's head or body framing is malformed
  kHeadTooLarge,     // 431
  kHeaderTimeout,    // 408: the head did not arrive in time (slowloris)
  kBadGateway,       // 502: the endpoint failed or answered nonsense
  kNoEndpoint,       // 503: nothing pickable (after holding, if hold is on)
  kGatewayTimeout,   // 504: connect or response timeout
  kUpstreamAborted,  // the endpoint failed after the response started: client connection cut
  kClientAborted,    // the client went away mid-request
  kOverConnectionLimit,
  kCount,
};
const char* proxy_error_name(ProxyError error);

struct ProxyMetrics {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> requests{0};
  std::array<std::atomic<std::uint64_t>, 6> responses_by_class{};  // index: status / 100
  std::array<std::atomic<std::uint64_t>, static_cast<int>(ProxyError::kCount)> errors{};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> bytes_from_clients{0};
  std::atomic<std::uint64_t> bytes_to_clients{0};
  LatencyHistogram latency;

  void count_error(ProxyError error) {
    errors[static_cast<int>(error)].fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t error_count(ProxyError error) const {
    return errors[static_cast<int>(error)].load(std::memory_order_relaxed);
  }
  // One line per figure, "name value", for logs and `nodrop proxy`'s exit report.
  std::string summary() const;
};

}  // namespace nodrop::proxy
