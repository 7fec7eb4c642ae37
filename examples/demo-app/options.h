// Command-line options of demo-app, the bundled test application (see README.md beside this file).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace demo_app {

// What the app does on SIGTERM.
enum class ShutdownMode {
  kImmediate,  // dies at once (default disposition), as many apps do
  kGraceful,   // stops accepting, finishes in-flight requests, exits 0
  kIgnore,     // ignores SIGTERM: only SIGKILL stops it (for grace-period tests)
};

const char* shutdown_mode_name(ShutdownMode mode);

struct Options {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0: the kernel picks one; the app prints it
  std::string version = "v1";
  std::chrono::milliseconds startup_delay{0};  // bound at once, listen() only after this
  std::chrono::milliseconds latency{0};        // added to every request except /healthz, /ready
  ShutdownMode shutdown = ShutdownMode::kGraceful;
  // Bound on a graceful drain: connections still open then are closed and the app exits 1.
  std::chrono::milliseconds drain_timeout{std::chrono::seconds(60)};
  std::size_t max_connections = 10000;  // accepted beyond this are closed at once
};

struct ParsedOptions {
  Options options;
  std::string error;  // empty when the arguments were valid
  bool help = false;
};

// The flags the environment gives, to go before argv's (which win): DEMO_APP_LISTEN is --listen
// and DEMO_APP_VERSION --version, so that a cluster can run the app from its image name alone
// and a manifest's args can still add flags. A null or empty value gives no flag.
std::vector<std::string> flags_from_environment(const char* listen, const char* version);

// Parses argv[1..]; both "--flag value" and "--flag=value" are accepted.
ParsedOptions parse_options(const std::vector<std::string_view>& args);

// "0", "250ms", "2s", "1.5s", "1m"; nullopt on anything else or a negative value.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

const char* usage();

}  // namespace demo_app
