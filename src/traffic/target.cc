#include "traffic/target.h"

#include <fmt/format.h>

#include <charconv>

namespace nodrop::traffic {

std::string Target::to_string() const {
  if (protocol == Protocol::kTcpEcho) return fmt::format("tcp://{}:{}", host, port);
  return fmt::format("http://{}:{}{}", host, port, path);
}

Result<Target> parse_target(const std::string& url) {
  Target target;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("tcp://", 0) == 0) {
    target.protocol = Protocol::kTcpEcho;
    rest = url.substr(6);
  } else if (url.rfind("https://", 0) == 0) {
    return invalid_argument(
        fmt::format("\"{}\": https is not supported; use http:// or tcp://", url));
  } else {
    return invalid_argument(
        fmt::format("\"{}\" is not a URL nodrop can load; write http://HOST[:PORT][/PATH] or "
                    "tcp://HOST:PORT",
                    url));
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    if (target.protocol == Protocol::kTcpEcho) {
      return invalid_argument(fmt::format("\"{}\": a tcp:// address has no path", url));
    }
    target.path = rest.substr(slash);
  }
  if (target.protocol == Protocol::kTcpEcho) target.path.clear();
  if (authority.find('@') != std::string::npos) {
    return invalid_argument(fmt::format("\"{}\": user information in URLs is not supported", url));
  }
  if (authority.find('[') != std::string::npos) {
    return invalid_argument(fmt::format("\"{}\": IPv6 addresses are not supported", url));
  }
  const auto colon = authority.find(':');
  target.host = authority.substr(0, colon);
  if (target.host.empty()) return invalid_argument(fmt::format("\"{}\": the host is missing", url));
  for (const char c : target.host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) {
      return invalid_argument(
          fmt::format("\"{}\": the host \"{}\" is not valid", url, target.host));
    }
  }
  if (colon == std::string::npos) {
    if (target.protocol == Protocol::kTcpEcho) {
      return invalid_argument(fmt::format("\"{}\": a tcp:// address needs a port", url));
    }
  } else {
    const std::string port = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return invalid_argument(
          fmt::format("\"{}\": the port \"{}\" is not a number from 1 to 65535", url, port));
    }
    target.port = static_cast<std::uint16_t>(value);
  }
  for (const char c : target.path) {
    if (c <= ' ' || c == 0x7f) {
      return invalid_argument(
          fmt::format("\"{}\": the path has a space or control character", url));
    }
  }
  return target;
}

}  // namespace nodrop::traffic
