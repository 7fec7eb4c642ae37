// The options of `nodrop load` and `nodrop verify`, parsed from the command line with every
// value bounded. A bad value is a Status naming the flag, never a crash.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/flags.h"
#include "base/ipv4.h"
#include "base/status.h"
#include "runtime/clock.h"
#include "traffic/target.h"

namespace nodrop::traffic {

enum class ConnectionMode {
  kKeepAlive,      // each connection carries request after request
  kNewConnection,  // each request opens its own connection
};

struct LoadOptions {
  static constexpr std::uint32_t kMaxConnections = 10'000;
  static constexpr runtime::Duration kMaxDuration = std::chrono::hours(1);
  static constexpr runtime::Duration kMaxTimeout = std::chrono::seconds(60);
  static constexpr std::size_t kMaxHeaders = 64;
  static constexpr std::size_t kMaxRequestBytes = 64 * std::size_t{1024};

  Target target;
  // Requests per second; nullopt is `--rate max`: each connection sends its next request as soon
  // as the last is answered (closed loop, for measuring capacity; latency then counts from the
  // actual send).
  std::optional<std::uint64_t> rate_per_second = 100;
  runtime::Duration duration = std::chrono::seconds(10);
  std::uint32_t connections = 32;
  ConnectionMode mode = ConnectionMode::kKeepAlive;
  runtime::Duration timeout = std::chrono::seconds(2);
  std::string method = "GET";
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  // The client addresses to connect from (`--source`): each new connection takes the next one,
  // round robin; nullopt lets the kernel choose.
  std::optional<AddressRange> sources;
  std::string json_path;  // "-" for stdout
  std::string svg_path;
  bool quiet = false;  // no progress line even on a terminal
};

struct VerifyOptions {
  static constexpr runtime::Duration kMaxSettle = std::chrono::minutes(10);

  LoadOptions load;  // load.duration bounds the whole run; the command is killed when it ends
  runtime::Duration before = std::chrono::seconds(1);  // load before the command starts
  runtime::Duration settle = std::chrono::seconds(5);  // load after the command exits
  std::uint64_t max_failures = 0;
  std::vector<std::string> command;
};

Result<LoadOptions> parse_load_options(const std::vector<std::string>& args);
// Everything before "--" is the URL and load options (plus --before, --settle, --max-failures);
// everything after it is the command.
Result<VerifyOptions> parse_verify_options(const std::vector<std::string>& args);

// The bytes of one request: the HTTP request for http://, the body (default "nodrop\n") for tcp://.
std::string build_request(const LoadOptions& options);

// Usage text of the options both verbs share.
const char* load_options_usage();

}  // namespace nodrop::traffic
