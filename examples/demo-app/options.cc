#include "options.h"

#include <charconv>
#include <cmath>

namespace demo_app {
namespace {

constexpr std::size_t kMaxConnectionsLimit = 1'000'000;

bool parse_listen(std::string_view text, Options& options) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  unsigned port = 0;
  const std::string_view port_text = text.substr(colon + 1);
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return false;
  }
  options.listen_host = std::string(text.substr(0, colon));
  options.listen_port = static_cast<std::uint16_t>(port);
  return true;
}

}  // namespace

const char* shutdown_mode_name(ShutdownMode mode) {
  switch (mode) {
    case ShutdownMode::kImmediate:
      return "immediate";
    case ShutdownMode::kGraceful:
      return "graceful";
    case ShutdownMode::kIgnore:
      return "ignore";
  }
  return "unknown";
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds(0);
  double scale_ms = 0;
  std::string_view number;
  if (text.ends_with("ms")) {
    scale_ms = 1;
    number = text.substr(0, text.size() - 2);
  } else if (text.ends_with("s")) {
    scale_ms = 1000;
    number = text.substr(0, text.size() - 1);
  } else if (text.ends_with("m")) {
    scale_ms = 60'000;
    number = text.substr(0, text.size() - 1);
  } else {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || error != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(value) || value < 0 || value * scale_ms > 1e12) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(value * scale_ms)));
}

std::vector<std::string> flags_from_environment(const char* listen, const char* version) {
  std::vector<std::string> flags;
  if (listen != nullptr && *listen != '\0') flags.push_back(std::string("--listen=") + listen);
  if (version != nullptr && *version != '\0') flags.push_back(std::string("--version=") + version);
  return flags;
}

ParsedOptions parse_options(const std::vector<std::string_view>& args) {
  ParsedOptions parsed;
  Options& options = parsed.options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    std::string_view value;
    bool has_value = false;
    if (const auto equals = flag.find('='); equals != std::string_view::npos) {
      value = flag.substr(equals + 1);
      flag = flag.substr(0, equals);
      has_value = true;
    }
    if (flag == "--help" || flag == "-h") {
      parsed.help = true;
      return parsed;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        parsed.error = std::string(flag) + " needs a value";
        return parsed;
      }
      value = args[++i];
    }
    bool ok = true;
    if (flag == "--listen") {
      ok = parse_listen(value, options);
    } else if (flag == "--version") {
      options.version = std::string(value);
      ok = !value.empty() && value.find_first_of("\r\n") == std::string_view::npos;
    } else if (flag == "--startup-delay" || flag == "--latency" || flag == "--drain-timeout") {
      const auto duration = parse_duration(value);
      ok = duration.has_value();
      if (ok && flag == "--startup-delay") options.startup_delay = *duration;
      if (ok && flag == "--latency") options.latency = *duration;
      if (ok && flag == "--drain-timeout") options.drain_timeout = *duration;
    } else if (flag == "--shutdown") {
      if (value == "immediate") {
        options.shutdown = ShutdownMode::kImmediate;
      } else if (value == "graceful") {
        options.shutdown = ShutdownMode::kGraceful;
      } else if (value == "ignore") {
        options.shutdown = ShutdownMode::kIgnore;
      } else {
        ok = false;
      }
    } else if (flag == "--max-connections") {
      std::size_t count = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), count);
      ok = error == std::errc() && end == value.data() + value.size() && count > 0 &&
           count <= kMaxConnectionsLimit;
      if (ok) options.max_connections = count;
    } else {
      parsed.error = "unknown flag " + std::string(flag);
      return parsed;
    }
    if (!ok) {
      parsed.error = "invalid value \"" + std::string(value) + "\" for " + std::string(flag);
      return parsed;
    }
  }
  return parsed;
}

const char* usage() {
  return "usage: demo-app [--listen ADDR:PORT] [--version V] [--startup-delay D] [--latency D]\n"
         "                [--shutdown=immediate|graceful|ignore] [--drain-timeout D]\n"
         "                [--max-connections N]\n"
         "durations: 0, 250ms, 2s, 1.5s, 1m\n";
}

}  // namespace demo_app
