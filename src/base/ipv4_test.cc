#include "base/ipv4.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace nodrop {
namespace {

TEST(Ipv4Address, IsKeptInHostByteOrderAndWrittenAsADottedQuad) {
  EXPECT_EQ(Ipv4Address::of(127, 0, 2, 1).value, 0x7f000201U);
  EXPECT_EQ(Ipv4Address::loopback().value, 0x7f000001U);
  EXPECT_EQ(Ipv4Address::of(127, 0, 2, 1).to_string(), "127.0.2.1");
  EXPECT_EQ(Ipv4Address::of(255, 255, 255, 255).to_string(), "255.255.255.255");
  EXPECT_EQ(Ipv4Address{}.to_string(), "0.0.0.0");
  EXPECT_EQ(Ipv4Address::of(10, 99, 100, 205).to_string(), "10.99.100.205");
  std::string appended = "for ";
  Ipv4Address::of(1, 20, 0, 255).append_to(appended);
  EXPECT_EQ(appended, "for 1.20.0.255");
  EXPECT_TRUE(Ipv4Address::of(127, 9, 9, 9).is_loopback());
  EXPECT_FALSE(Ipv4Address::of(128, 0, 0, 1).is_loopback());
  EXPECT_LT(Ipv4Address::of(127, 0, 1, 255), Ipv4Address::of(127, 0, 2, 0));
}

TEST(Ipv4Address, ParsesDottedQuadsOnly) {
  const auto parsed = parse_ipv4_address("127.0.2.7");
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(*parsed, Ipv4Address::of(127, 0, 2, 7));
  for (const char* bad : {"", "127.0.0", "127.0.0.1.1", "256.0.0.1", "a.b.c.d", "127.0.0.1:80",
                          "127..0.1", "localhost"}) {
    const auto refused = parse_ipv4_address(bad);
    ASSERT_FALSE(refused.is_ok()) << bad;
    EXPECT_EQ(refused.status().message(),
              "\"" + std::string(bad) + "\" is not an address of the form A.B.C.D");
  }
}

TEST(Ipv4Endpoint, ParsesDottedQuadAndPortAndRejectsEverythingElse) {
  const auto parsed = parse_ipv4_endpoint("127.0.2.7:8080");
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(parsed->address.value, (127U << 24) | (2U << 8) | 7U);
  EXPECT_EQ(parsed->port, 8080);
  EXPECT_EQ(parsed->to_string(), "127.0.2.7:8080");
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0:80", "127.0.0.1.1:80",
                          "256.0.0.1:80", "127.0.0.1:65536", "a.b.c.d:1", "127.0.0.1:-1"}) {
    const auto refused = parse_ipv4_endpoint(bad);
    ASSERT_FALSE(refused.is_ok()) << bad;
    EXPECT_EQ(refused.status().message(),
              "\"" + std::string(bad) + "\" is not an address of the form A.B.C.D:PORT");
  }
}

TEST(Ipv4Endpoint, ComparesAndHashesByAddressAndPort) {
  const Ipv4Endpoint a{Ipv4Address::loopback(), 80};
  const Ipv4Endpoint b{Ipv4Address::loopback(), 81};
  EXPECT_EQ(a, (Ipv4Endpoint{Ipv4Address::of(127, 0, 0, 1), 80}));
  EXPECT_NE(a, b);
  const std::unordered_set<Ipv4Endpoint> set = {a, b, a};
  EXPECT_EQ(set.size(), 2U);
  EXPECT_EQ(Ipv4Endpoint{}.to_string(), "0.0.0.0:0");
}

}  // namespace
}  // namespace nodrop
