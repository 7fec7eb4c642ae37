// One backend a proxy may send work to, as the data plane sees it. The api module's EndpointSlice
// is not used here on purpose: an adapter fills these small types from slices (or from the
// command line), so the data plane depends on nothing but what it routes on.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "base/ipv4.h"
#include "base/status.h"
#include "proxy/routing/latency_histogram.h"

namespace nodrop::proxy {

// One endpoint with its conditions as Kubernetes publishes them in an EndpointSlice, already read
// the way kube-proxy reads them (endpointslicecache.go: a missing ready or serving means true, a
// missing terminating means false). Built with designated fields, so that each condition is named
// where it is given: Endpoint{.address = a, .node_name = n, .ready = false, .terminating = true}.
struct Endpoint {
  Ipv4Endpoint address;
  std::string node_name;
  bool ready = true;
  bool serving = true;
  bool terminating = false;
};

// The role of an endpoint in one table generation.
enum class EndpointState {
  kReady,               // picked for new work
  kServingTerminating,  // picked for new work only through the KEP-1669 fallback
  kDraining,            // never picked; its in-flight work finishes, idle connections close
};
const char* endpoint_state_name(EndpointState state);

// Counters the drain gate and the metrics read; written by every worker, hence atomic. Relaxed
// ordering: each counter is a statistic or a level read on its own, never used to publish data.
struct EndpointCounters {
  std::atomic<std::int64_t> in_flight_requests{0};
  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> connect_failures{0};
  std::atomic<std::uint64_t> upstream_errors{0};  // reset, closed or timed out after connecting
  std::atomic<std::uint64_t> retries{0};  // failed attempts here that were retried elsewhere
  std::atomic<std::uint64_t> bytes_to_endpoint{0};
  std::atomic<std::uint64_t> bytes_from_endpoint{0};
  LatencyHistogram latency;  // L7: request start to response end, for requests answered here
};

}  // namespace nodrop::proxy
