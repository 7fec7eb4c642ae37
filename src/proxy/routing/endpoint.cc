#include "proxy/routing/endpoint.h"

#include <charconv>

namespace nodrop::proxy {
namespace {

// Parses a decimal number in [0, max] that spans all of text.
bool parse_bounded(std::string_view text, std::uint32_t max, std::uint32_t* out) {
  if (text.empty() || text.size() > 5) return false;
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > max) return false;
  *out = value;
  return true;
}

}  // namespace

std::string EndpointAddress::to_string() const {
  // Appends rather than operator+ chains, which trip g++ 12's -Wrestrict false positive at -O3.
  std::string text;
  text.reserve(21);
  for (int shift = 24; shift >= 0; shift -= 8) {
    text.append(std::to_string((ipv4 >> shift) & 0xff));
    text.push_back(shift == 0 ? ':' : '.');
  }
  text.append(std::to_string(port));
  return text;
}

Result<EndpointAddress> parse_endpoint_address(std::string_view text) {
  const auto fail = [&] {
    std::string message = "\"";
    message.append(text).append("\" is not an address of the form A.B.C.D:PORT");
    return invalid_argument(std::move(message));
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return fail();
  EndpointAddress address;
  std::uint32_t port = 0;
  if (!parse_bounded(text.substr(colon + 1), 65535, &port)) return fail();
  address.port = static_cast<std::uint16_t>(port);
  std::string_view host = text.substr(0, colon);
  for (int octet = 0; octet < 4; ++octet) {
    const auto dot = host.find('.');
    const bool last = octet == 3;
    if (last != (dot == std::string_view::npos)) return fail();
    std::uint32_t value = 0;
    if (!parse_bounded(host.substr(0, dot), 255, &value)) return fail();
    address.ipv4 = (address.ipv4 << 8) | value;
    if (!last) host.remove_prefix(dot + 1);
  }
  return address;
}

const char* endpoint_state_name(EndpointState state) {
  switch (state) {
    case EndpointState::kReady:
      return "ready";
    case EndpointState::kServingTerminating:
      return "serving-terminating";
    case EndpointState::kDraining:
      return "draining";
  }
  return "unknown";
}

}  // namespace nodrop::proxy
