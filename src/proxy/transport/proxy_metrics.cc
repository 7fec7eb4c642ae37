#include "proxy/transport/proxy_metrics.h"

#include "proxy/transport/proxy_options.h"

namespace nodrop::proxy {

const char* proxy_error_name(ProxyError error) {
  switch (error) {
    case ProxyError::kBadRequest:
      return "bad_request";
    case ProxyError::kHeadTooLarge:
      return "head_too_large";
    case ProxyError::kHeaderTimeout:
      return "header_timeout";
    case ProxyError::kBadGateway:
      return "bad_gateway";
    case ProxyError::kNoEndpoint:
      return "no_endpoint";
    case ProxyError::kGatewayTimeout:
      return "gateway_timeout";
    case ProxyError::kUpstreamAborted:
      return "upstream_aborted";
    case ProxyError::kClientAborted:
      return "client_aborted";
    case ProxyError::kOverConnectionLimit:
      return "over_connection_limit";
    case ProxyError::kCount:
      break;
  }
  return "unknown";
}

Result<ProxyMode> parse_proxy_mode(std::string_view text) {
  if (text == "http") return ProxyMode::kHttp;
  if (text == "tcp") return ProxyMode::kTcp;
  return invalid_argument("unknown mode \"" + std::string(text) + "\"; expected http or tcp");
}

std::string ProxyMetrics::summary() const {
  std::string out;
  const auto line = [&](const std::string& name, std::uint64_t value) {
    out += name + " " + std::to_string(value) + "\n";
  };
  line("connections_accepted", connections_accepted.load());
  line("requests", requests.load());
  for (int i = 1; i < 6; ++i)
    line("responses_" + std::to_string(i) + "xx", responses_by_class[i].load());
  for (int i = 0; i < static_cast<int>(ProxyError::kCount); ++i) {
    line(std::string("errors_") + proxy_error_name(static_cast<ProxyError>(i)), errors[i].load());
  }
  line("retries", retries.load());
  line("bytes_from_clients", bytes_from_clients.load());
  line("bytes_to_clients", bytes_to_clients.load());
  line("latency_p50_us", static_cast<std::uint64_t>(latency.quantile(0.5).count()));
  line("latency_p99_us", static_cast<std::uint64_t>(latency.quantile(0.99).count()));
  return out;
}

}  // namespace nodrop::proxy
