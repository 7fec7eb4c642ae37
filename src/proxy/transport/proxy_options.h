// What a proxy is told: where to listen, how to route, and the limits on everything it holds.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "base/status.h"
#include "http/message.h"
#include "proxy/routing/categorize.h"
#include "proxy/routing/endpoint.h"
#include "proxy/routing/hold_queue.h"
#include "proxy/routing/picker.h"
#include "proxy/routing/retry_policy.h"

namespace nodrop::proxy {

enum class ProxyMode { kHttp, kTcp };
Result<ProxyMode> parse_proxy_mode(std::string_view text);  // "http" | "tcp"

struct ProxyLimits {
  std::size_t max_connections = 10000;              // client connections, over all workers
  std::chrono::milliseconds header_timeout{10000};  // first byte of a head to its end (slowloris)
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive wait, tunnel and L4 silence
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds response_timeout{30000};  // upstream silence while a response is due
  std::chrono::milliseconds drain_timeout{30000};     // deadline of the whole proxy's drain
  // A connection tied to an endpoint that left the table (an L4 connection, a tunnel) is cut with
  // a reset this long after: a cloud load balancer's connection draining. 0 cuts it at once.
  std::chrono::milliseconds endpoint_drain_timeout{30000};
  std::chrono::milliseconds pool_idle_timeout{30000};
  std::chrono::milliseconds linger_timeout{2000};    // reading after our FIN, before closing
  std::size_t max_idle_upstream_per_endpoint = 256;  // per worker
  std::size_t buffer_bytes =
      16 * 1024;  // per buffer; an HTTP session has four, an L4 one two pipes
  // Timeouts are enforced by a sweep of each worker's connections at this period, so each fires
  // up to one period late; per-request timers would cost a timer-queue insertion per request.
  std::chrono::milliseconds sweep_interval{100};
  http::Limits http;
};

// Where onward connections come from. kAny: the kernel's choice. kAddress: one fixed address (a
// node proxy for externalTrafficPolicy Cluster connects from its node's address, as kube-proxy's
// SNAT makes it appear). kClient: the client's own address, so the next hop and the app see the
// client (Local, ENI, a front load balancer); possible because all of 127.0.0.0/8 is local.
struct UpstreamSource {
  enum class Kind { kAny, kAddress, kClient };
  Kind kind = Kind::kAny;
  Ipv4Address address{};  // for kAddress
};

// What a new connection gets when no endpoint is pickable (and hold is off, full or timed out).
//   kReject: L7 answers 503; L4 resets the connection at once (the nearest a proxy that already
//            accepted can come to kube-proxy's REJECT, which refuses the connection).
//   kDrop:   L4 only: the connection is left unanswered (what the client sends is read and
//            thrown away) until the client gives up or idle_timeout passes, as kube-proxy's DROP
//            rule for a Local Service without local endpoints leaves the client to time out.
enum class NoEndpointAction { kReject, kDrop };

struct ProxyOptions {
  Ipv4Endpoint listen;
  ProxyMode mode = ProxyMode::kHttp;
  int workers = 1;  // 1..64
  // false: one listening socket that every worker accepts from, so a connection goes to a worker
  // that is waiting for work (as HAProxy does). true: one SO_REUSEPORT socket per worker, the
  // kernel spreading connections by address hash, also to a worker that is busy.
  bool reuse_port = false;
  // true: the bytes every session of a worker has to send after one loop turn go out in one
  // io_uring submission (see live/sockets/send_batch.h for why); where the kernel refuses io_uring,
  // and with false, each is its own send().
  bool batch_sends = true;
  PickerKind picker = PickerKind::kLeastOutstanding;
  RetryPolicy retry = RetryPolicy::nodrop();
  HoldPolicy hold = HoldPolicy::kubernetes();
  TrafficPolicy traffic;
  bool proxy_protocol_v2 = false;  // L4: send a PROXY v2 header with the client's address
  UpstreamSource upstream_source;
  NoEndpointAction no_endpoint = NoEndpointAction::kReject;
  ProxyLimits limits;
};

inline constexpr int kMaxProxyWorkers = 64;

}  // namespace nodrop::proxy
