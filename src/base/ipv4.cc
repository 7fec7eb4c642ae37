#include "base/ipv4.h"

#include <charconv>
#include <optional>

namespace nodrop {
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

bool parse_dotted_quad(std::string_view text, Ipv4Address* address) {
  std::uint32_t value = 0;
  for (int part = 0; part < 4; ++part) {
    const auto dot = text.find('.');
    const bool last = part == 3;
    if (last != (dot == std::string_view::npos)) return false;
    std::uint32_t number = 0;
    if (!parse_bounded(text.substr(0, dot), 255, &number)) return false;
    value = (value << 8) | number;
    if (!last) text.remove_prefix(dot + 1);
  }
  address->value = value;
  return true;
}

Status not_of_form(std::string_view text, std::string_view form) {
  std::string message = "\"";
  message.append(text).append("\" is not an address of the form ").append(form);
  return invalid_argument(std::move(message));
}

}  // namespace

void Ipv4Address::append_to(std::string& out) const {
  // Written into a local buffer and appended once: the proxy writes a client's address into every
  // request it forwards (X-Forwarded-For).
  char text[16];  // "255.255.255.255"
  std::size_t length = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const std::uint32_t part = (value >> shift) & 0xff;
    if (part >= 100) text[length++] = static_cast<char>('0' + part / 100);
    if (part >= 10) text[length++] = static_cast<char>('0' + part / 10 % 10);
    text[length++] = static_cast<char>('0' + part % 10);
    if (shift > 0) text[length++] = '.';
  }
  out.append(text, length);
}

std::string Ipv4Address::to_string() const {
  std::string text;
  text.reserve(15);
  append_to(text);
  return text;
}

std::string Ipv4Endpoint::to_string() const {
  std::string text;
  text.reserve(21);
  address.append_to(text);
  text.push_back(':');
  text.append(std::to_string(port));
  return text;
}

Result<Ipv4Address> parse_ipv4_address(std::string_view text) {
  Ipv4Address address;
  if (!parse_dotted_quad(text, &address)) return not_of_form(text, "A.B.C.D");
  return address;
}

Result<Ipv4Endpoint> parse_ipv4_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  Ipv4Endpoint endpoint;
  std::uint32_t port = 0;
  if (colon == std::string_view::npos || !parse_bounded(text.substr(colon + 1), 65535, &port) ||
      !parse_dotted_quad(text.substr(0, colon), &endpoint.address)) {
    return not_of_form(text, "A.B.C.D:PORT");
  }
  endpoint.port = static_cast<std::uint16_t>(port);
  return endpoint;
}

std::string AddressRange::to_string() const {
  return Ipv4Address{first}.to_string() + "-" + Ipv4Address{last}.to_string();
}

Result<AddressRange> parse_address_range(const std::string& text) {
  const auto in_loopback = [](std::uint32_t address) { return (address >> 24) == 127; };
  const auto address_of = [](std::string_view part) -> std::optional<std::uint32_t> {
    Ipv4Address address;
    if (!parse_dotted_quad(part, &address)) return std::nullopt;
    return address.value;
  };
  AddressRange range;
  if (const auto slash = text.find('/'); slash != std::string::npos) {
    const std::optional<std::uint32_t> network =
        address_of(std::string_view(text).substr(0, slash));
    std::uint32_t bits = 0;
    if (!network || !parse_bounded(std::string_view(text).substr(slash + 1), 30, &bits) ||
        bits < 8) {
      return invalid_argument("expected A.B.C.D/N with N from 8 to 30, or FIRST-LAST");
    }
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - bits);
    if ((*network & ~mask) != 0)
      return invalid_argument("the address has bits set beyond the prefix");
    // The network and broadcast addresses are left out, as no host takes them.
    range.first = *network + 1;
    range.last = (*network | ~mask) - 1;
  } else if (const auto dash = text.find('-'); dash != std::string::npos) {
    const std::optional<std::uint32_t> first = address_of(std::string_view(text).substr(0, dash));
    const std::optional<std::uint32_t> last = address_of(std::string_view(text).substr(dash + 1));
    if (!first || !last) {
      return invalid_argument("expected A.B.C.D/N, or FIRST-LAST such as 127.0.1.1-127.0.1.9");
    }
    if (*first > *last) return invalid_argument("the first address is after the last");
    range.first = *first;
    range.last = *last;
  } else if (const std::optional<std::uint32_t> single = address_of(text)) {
    range.first = *single;
    range.last = *single;
  } else {
    return invalid_argument(
        "expected A.B.C.D, A.B.C.D/N, or FIRST-LAST such as 127.0.1.1-127.0.1.9");
  }
  if (!in_loopback(range.first) || !in_loopback(range.last)) {
    return invalid_argument(
        "must be inside 127.0.0.0/8 (nodrop serves this machine's loopback only)");
  }
  return range;
}

}  // namespace nodrop
