// IPv4 addresses and TCP endpoints (an address and a port): the one representation of them in
// nodrop, used by the pure modules (pod and node addresses, endpoint tables) and by src/live/,
// which alone turns them into socket addresses. nodrop serves 127.0.0.0/8 only (DESIGN.md §2), so
// IPv6 is not supported.
//
// Addresses are kept in host byte order (127.0.0.1 is 0x7f000001), so that ranges compare and
// count as numbers; only src/live/ converts to the network's byte order.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace nodrop {

struct Ipv4Address {
  std::uint32_t value = 0;

  static constexpr Ipv4Address of(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return {(std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d};
  }
  static constexpr Ipv4Address loopback() { return of(127, 0, 0, 1); }

  // In 127.0.0.0/8, which Linux routes to the loopback interface.
  constexpr bool is_loopback() const { return value >> 24 == 127; }
  std::string to_string() const;  // "127.0.0.1"
  // Appends the dotted quad to out (to_string() without a string of its own).
  void append_to(std::string& out) const;

  friend auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;
};

struct Ipv4Endpoint {
  Ipv4Address address;
  std::uint16_t port = 0;

  std::string to_string() const;  // "127.0.0.1:8080"

  friend auto operator<=>(const Ipv4Endpoint&, const Ipv4Endpoint&) = default;
};

// Parses a dotted quad "A.B.C.D", each part a decimal number from 0 to 255. A user's mistake is an
// InvalidArgument naming the text.
Result<Ipv4Address> parse_ipv4_address(std::string_view text);
// Parses "A.B.C.D:PORT" (port 0-65535). A user's mistake is an InvalidArgument naming the text.
Result<Ipv4Endpoint> parse_ipv4_endpoint(std::string_view text);

// An inclusive range of IPv4 addresses in host byte order, inside 127.0.0.0/8: nodrop's nodes,
// pods, load balancers and clients all live on this machine's loopback.
struct AddressRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  bool overlaps(const AddressRange& other) const {
    return first <= other.last && other.first <= last;
  }
  std::uint64_t size() const { return std::uint64_t{last} - first + 1; }
  std::string to_string() const;  // "127.0.1.1-127.0.1.254"
};

// "127.0.1.0/24" (network and broadcast addresses left out), "127.0.1.1-127.0.1.9", or one
// address "127.0.1.7", inside 127.0.0.0/8. InvalidArgument with the reason otherwise (without the
// text, which the caller names).
Result<AddressRange> parse_address_range(const std::string& text);

}  // namespace nodrop

template <>
struct std::hash<nodrop::Ipv4Endpoint> {
  std::size_t operator()(const nodrop::Ipv4Endpoint& endpoint) const {
    return std::hash<std::uint64_t>{}((std::uint64_t{endpoint.address.value} << 16) |
                                      endpoint.port);
  }
};
