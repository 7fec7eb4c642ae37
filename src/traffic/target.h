// Where load goes: an http:// URL (HTTP/1.1 requests) or a tcp:// address (raw TCP echo).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace nodrop::traffic {

enum class Protocol { kHttp, kTcpEcho };

struct Target {
  Protocol protocol = Protocol::kHttp;
  std::string host;  // as written in the URL: a name or a dotted quad
  std::uint16_t port = 80;
  std::string path = "/";  // with the query, if any; empty for tcp://

  // The URL in canonical form, for reports.
  std::string to_string() const;
};

// Parses "http://host[:port][/path[?query]]" or "tcp://host:port". https, IPv6 literals and user
// info are refused with a message saying so.
Result<Target> parse_target(const std::string& url);

}  // namespace nodrop::traffic
