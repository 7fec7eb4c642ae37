// One backend a proxy may send work to, as the data plane sees it. The api module's EndpointSlice
// is not used here on purpose: an adapter fills these small types from slices (or from the
// command line), so the data plane depends on nothing but what it routes on.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "proxy/routing/latency_histogram.h"

namespace nodrop::proxy {

// An IPv4 address and TCP port; nodrop's data plane serves 127.0.0.0/8 only, so IPv6 is not
// supported. The address is kept in host byte order.
struct EndpointAddress {
  std::uint32_t ipv4 = 0;
  std::uint16_t port = 0;

  friend bool operator==(const EndpointAddress&, const EndpointAddress&) = default;
  std::string to_string() const;  // "127.0.0.1:8080"
};

// Parses "A.B.C.D:PORT" (port 0-65535). A user's mistake is an InvalidArgument naming the text.
Result<EndpointAddress> parse_endpoint_address(std::string_view text);

struct EndpointAddressHash {
  std::size_t operator()(const EndpointAddress& address) const {
    return std::hash<std::uint64_t>{}((std::uint64_t{address.ipv4} << 16) | address.port);
  }
};

// The conditions of one endpoint as Kubernetes publishes them in an EndpointSlice, already read the
// way kube-proxy reads them (endpointslicecache.go: a missing ready or serving means true, a
// missing terminating means false).
struct Endpoint {
  EndpointAddress address;
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
